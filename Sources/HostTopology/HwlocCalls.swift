internal import CHwloc
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

// The one file that calls hwloc. Failures come back as `TopologyError` naming the source.

enum HwlocCall {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// Initializes a topology, lets `configure` point it at its source, and loads it.
    static func load(source: String, configure: (hwloc_topology_t) throws(TopologyError) -> Void)
        throws(TopologyError) -> hwloc_topology_t
    {
        var topology: hwloc_topology_t?
        guard hwloc_topology_init(&topology) == 0, let topology else {
            throw .loadFailed(source: source, call: "hwloc_topology_init", reason: errnoText())
        }
        do throws(TopologyError) {
            try configure(topology)
            guard hwloc_topology_load(topology) == 0 else {
                throw TopologyError.loadFailed(source: source, call: "hwloc_topology_load", reason: errnoText())
            }
        } catch {
            hwloc_topology_destroy(topology)
            throw error
        }
        return topology
    }

    static func setSynthetic(_ topology: hwloc_topology_t, _ description: String) throws(TopologyError) {
        guard hwloc_topology_set_synthetic(topology, description) == 0 else {
            throw .invalidSynthetic(description: description, reason: "hwloc_topology_set_synthetic: \(errnoText())")
        }
    }

    static func setXML(_ topology: hwloc_topology_t, _ path: String) throws(TopologyError) {
        guard access(path, R_OK) == 0 else { throw .invalidXML(path: path, reason: errnoText()) }
        guard hwloc_topology_set_xml(topology, path) == 0 else {
            throw .invalidXML(path: path, reason: "hwloc_topology_set_xml: \(errnoText())")
        }
    }

    static func destroy(_ topology: hwloc_topology_t) { hwloc_topology_destroy(topology) }

    static func isThisSystem(_ topology: hwloc_topology_t) -> Bool { hwloc_topology_is_thissystem(topology) != 0 }

    static func count(_ topology: hwloc_topology_t, _ type: hwloc_obj_type_t) -> Int {
        max(0, Int(tessera_hwloc_nbobjs(topology, type)))
    }

    /// The OS indices of the PUs below each object of `type`, in logical order.
    static func puSets(_ topology: hwloc_topology_t, _ type: hwloc_obj_type_t) -> [[Int]] {
        (0..<count(topology, type)).compactMap { index in
            tessera_hwloc_obj(topology, type, UInt32(index)).map { indices(of: $0.pointee.cpuset) }
        }
    }

    static func indices(of bitmap: hwloc_const_bitmap_t?) -> [Int] {
        guard let bitmap else { return [] }
        var result: [Int] = []
        var index = hwloc_bitmap_first(bitmap)
        while index >= 0 {
            result.append(Int(index))
            index = hwloc_bitmap_next(bitmap, index)
        }
        return result
    }

    static func bind(_ topology: hwloc_topology_t, pus: [Int]) throws(TopologyError) {
        guard let set = hwloc_bitmap_alloc() else {
            throw .bindingFailed(call: "hwloc_bitmap_alloc", pus: pus, reason: errnoText())
        }
        defer { hwloc_bitmap_free(set) }
        for pu in pus { hwloc_bitmap_set(set, UInt32(pu)) }
        guard hwloc_set_cpubind(topology, set, Int32(HWLOC_CPUBIND_PROCESS.rawValue)) == 0 else {
            throw .bindingFailed(call: "hwloc_set_cpubind", pus: pus, reason: errnoText())
        }
    }

    static func binding(_ topology: hwloc_topology_t) throws(TopologyError) -> [Int] {
        guard let set = hwloc_bitmap_alloc() else {
            throw .bindingFailed(call: "hwloc_bitmap_alloc", pus: [], reason: errnoText())
        }
        defer { hwloc_bitmap_free(set) }
        guard hwloc_get_cpubind(topology, set, Int32(HWLOC_CPUBIND_PROCESS.rawValue)) == 0 else {
            throw .bindingFailed(call: "hwloc_get_cpubind", pus: [], reason: errnoText())
        }
        return indices(of: set)
    }
}

extension ObjectKind {
    var hwlocType: hwloc_obj_type_t {
        switch self {
        case .package: HWLOC_OBJ_PACKAGE
        case .numaNode: HWLOC_OBJ_NUMANODE
        case .l3Cache: HWLOC_OBJ_L3CACHE
        case .core: HWLOC_OBJ_CORE
        case .pu: HWLOC_OBJ_PU
        }
    }
}
