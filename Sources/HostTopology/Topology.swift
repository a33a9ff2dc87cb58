internal import CHwloc

/// The kinds of hardware object Tessera counts.
public enum ObjectKind: String, Sendable, CaseIterable {
    case package, numaNode, l3Cache, core, pu
}

/// A loaded hardware topology: this host, a synthetic description or an `lstopo --of xml` file.
/// PUs are named by their OS index (the numbers `taskset` and `hwloc-bind` use).
public final class Topology {
    private let handle: hwloc_topology_t
    /// Where the topology came from: `"this host"`, `"synthetic \"…\""` or the XML path.
    public let source: String

    private init(handle: hwloc_topology_t, source: String) {
        self.handle = handle
        self.source = source
    }

    deinit { HwlocCall.destroy(handle) }

    /// The topology of the machine this process runs on.
    public static func loadHost() throws(TopologyError) -> Topology {
        let source = "this host"
        return Topology(handle: try HwlocCall.load(source: source) { _ in }, source: source)
    }

    /// A made-up topology from hwloc's synthetic syntax, such as `"pack:2 numa:2 core:8 pu:2"`, of
    /// at most `maxPUs` PUs (counted before libhwloc builds it; never more than 2^20).
    public convenience init(synthetic description: String, maxPUs: Int = Topology.defaultMaxPUs) throws(TopologyError) {
        let source = "synthetic \"\(description)\""
        try TopologyInputCheck.synthetic(description, maxPUs: maxPUs)
        let handle = try HwlocCall.load(source: source) { (topology) throws(TopologyError) in
            try HwlocCall.setSynthetic(topology, description)
        }
        self.init(handle: handle, source: source)
    }

    /// A topology saved by `lstopo --of xml`.
    public convenience init(xmlFile path: String) throws(TopologyError) {
        try TopologyInputCheck.xml(path)
        let handle = try HwlocCall.load(source: path) { (topology) throws(TopologyError) in
            try HwlocCall.setXML(topology, path)
        }
        self.init(handle: handle, source: path)
    }

    /// The number of objects of `kind`.
    public func count(_ kind: ObjectKind) -> Int { HwlocCall.count(handle, kind.hwlocType) }

    public var packages: Int { count(.package) }
    public var numaNodes: Int { count(.numaNode) }
    public var l3Caches: Int { count(.l3Cache) }
    public var cores: Int { count(.core) }
    public var pus: Int { count(.pu) }

    /// The OS indices of all PUs, in logical order.
    public var puIndices: [Int] { HwlocCall.puSets(handle, HWLOC_OBJ_PU).flatMap { $0 } }

    /// The OS indices of the PUs of each core, in logical order of cores.
    public var puIndicesByCore: [[Int]] { HwlocCall.puSets(handle, HWLOC_OBJ_CORE) }

    /// The OS indices of the PUs of each cache domain, the unit a tensor-parallel group should not
    /// straddle: L3 caches, or NUMA nodes when there are more of those.
    public var puIndicesByCacheDomain: [[Int]] {
        numaNodes > l3Caches ? HwlocCall.puSets(handle, HWLOC_OBJ_NUMANODE) : HwlocCall.puSets(handle, HWLOC_OBJ_L3CACHE)
    }

    /// Whether this is the running machine's topology (and so can be bound to).
    public var isThisSystem: Bool { HwlocCall.isThisSystem(handle) }

    /// The PUs to bind each of `ranks` ranks to: rank r gets the PUs of core r mod cores, so
    /// ranks spread over cores before sharing one.
    public func placement(ranks: Int) -> [[Int]] {
        let cores = puIndicesByCore
        guard !cores.isEmpty else { return Array(repeating: puIndices, count: max(ranks, 0)) }
        return (0..<max(ranks, 0)).map { cores[$0 % cores.count] }
    }

    /// Binds this whole process to `pus` (OS indices). The corresponding C call is `hwloc_set_cpubind`.
    public func bind(pus: [Int]) throws(TopologyError) {
        guard isThisSystem else { throw .notThisSystem(source: source) }
        let available = puIndices
        let unknown = pus.filter { !available.contains($0) }
        guard unknown.isEmpty, !pus.isEmpty else { throw .unknownPUs(pus, available: available) }
        try HwlocCall.bind(handle, pus: pus)
    }

    /// The PUs (OS indices) this process is bound to. The corresponding C call is `hwloc_get_cpubind`.
    public func currentBinding() throws(TopologyError) -> [Int] {
        guard isThisSystem else { throw .notThisSystem(source: source) }
        return try HwlocCall.binding(handle)
    }
}
