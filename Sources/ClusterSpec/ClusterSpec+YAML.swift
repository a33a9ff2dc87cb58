import Foundation
import SafeOutput
import Yams

/// Reading a cluster file. Uses Yams' `Node` tree (not Codable) so unknown keys, quoted numbers and
/// out-of-range values are reported with their full key path.
extension ClusterSpec {
    public static func load(path: String) throws -> ClusterSpec {
        try parse(yaml: readText(path, what: "the file"), file: path)
    }

    /// A file's text, or an error naming it.
    static func readText(_ path: String, what: String) throws -> String {
        do { return try InputFile.text(path) } catch {
            throw ClusterSpecError(file: path, keyPath: "", message: "cannot read \(what) (\(error.reason))")
        }
    }

    /// The root node of YAML text, or an error naming the file, the syntax problem, or emptiness.
    static func root(_ yaml: String, file: String, expected: String) throws -> Node {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch let error as YamlError {
            throw ClusterSpecError(file: file, keyPath: "", message: syntaxMessage(error))
        }
        guard let root else { throw ClusterSpecError(file: file, keyPath: "", message: "empty file; expected \(expected)") }
        return root
    }

    public static func parse(yaml: String, file: String) throws -> ClusterSpec {
        let root = try root(yaml, file: file, expected: "a cluster mapping")
        let top = try YAMLFields(root, file: file, path: "",
                                 allowed: ["name", "description", "chip", "rack", "chiplet", "levels", "software", "host"])
        guard let chipletNode = top.node("chiplet") else { throw top.missing("chiplet", "a mapping") }
        let chiplet = try readChiplet(YAMLFields(chipletNode, file: file, path: "chiplet",
                                                 allowed: ["name", "compute", "memory", "powerW", "costUSD"]))
        let levelItems = try top.list("levels")
        guard !levelItems.isEmpty else { throw top.missing("levels", "a list of levels, innermost first") }
        let levels = try levelItems.map { try readLevel($0.node, file: file, path: $0.path) }
        try checkLevelNames(levels, file: file)
        try checkTotal(levels, file: file, keyPath: "levels")
        let chipLevel = try unitLevel(top, "chip", levels: levels, allowChiplet: true)
        let rackLevel = try unitLevel(top, "rack", levels: levels, allowChiplet: false)
        if let rackLevel, rackLevel < (chipLevel ?? -1) {
            throw ClusterSpecError(file: file, keyPath: "rack",
                                   message: "expected a level at or outside the chip level \(levels[chipLevel ?? 0].name), got \(levels[rackLevel].name)")
        }
        var spec = ClusterSpec(name: try top.requiredString("name"), summary: try top.string("description") ?? "",
                               sourceFile: file, chiplet: chiplet, levels: levels,
                               chipLevel: chipLevel, rackLevel: rackLevel)
        if let node = top.node("software") {
            if case let .scalar(scalar) = node {
                spec.software = try SoftwareProfile.resolve(scalar.string, relativeTo: file)
            } else {
                spec.software = try SoftwareProfile.read(YAMLFields(node, file: file, path: "software", allowed: SoftwareProfile.keys))
            }
        }
        if let host = try top.fields("host", allowed: ["cpu", "relativeSpeed"]) {
            spec.hostCPU = try host.string("cpu")
            spec.hostSpeed = try host.number("relativeSpeed", Bound(expected: "a relative speed from 0.01 to 100") { $0 >= 0.01 && $0 <= 100 }) ?? 1
        }
        if let kernels = spec.chiplet.compute.kernels, !kernels.hasPrefix("/") {
            let dir = (file as NSString).deletingLastPathComponent
            spec.chiplet.compute.kernels = dir.isEmpty ? kernels : (dir as NSString).appendingPathComponent(kernels)
        }
        return spec
    }

    /// A Yams error in one line (Yams' own text quotes the offending lines); capacity specs and
    /// experiment files use it too.
    public static func syntaxMessage(_ error: YamlError) -> String {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            "YAML syntax error at line \(mark.line), column \(mark.column): \(problem)"
        case let .duplicatedKeysInMapping(duplicates, context):
            "duplicate key \(duplicates.sorted().joined(separator: ", ")) (first at line \(context.mark.line))"
        default:
            "YAML error: " + "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    private static func readChiplet(_ fields: YAMLFields) throws -> ChipletSpec {
        guard let computeFields = try fields.fields("compute", allowed: ["tflops", "matmulEfficiency", "vectorEfficiency", "opOverheadUs",
                                                                         "vectorTFLOPS", "computeUnits", "kernels"]) else {
            throw fields.missing("compute", "a mapping with tflops, matmulEfficiency, vectorEfficiency")
        }
        return ChipletSpec(name: try fields.requiredString("name"), compute: try readCompute(computeFields),
                           memory: try readTiers(fields), powerW: try fields.requiredNumber("powerW", .positive("W")),
                           costUSD: try fields.number("costUSD", .positive("USD")))
    }

    private static func readCompute(_ fields: YAMLFields) throws -> ComputeSpec {
        guard let tflopsFields = try fields.fields("tflops", allowed: knownDTypes, keyNoun: "dtype") else {
            throw fields.missing("tflops", "a peak per dtype, e.g. {bf16: 989}")
        }
        var tflops: [String: Double] = [:]
        for dtype in tflopsFields.keys {
            tflops[dtype] = try tflopsFields.requiredNumber(dtype, .positive("TFLOPS"))
        }
        guard !tflops.isEmpty else { throw fields.missing("tflops", "a peak per dtype, e.g. {bf16: 989}") }
        // `matmulEfficiency` is one fraction, or one per dtype covering every dtype with a peak.
        var byDType: [String: Double] = [:]
        var single = 0.0
        if case .mapping = fields.node("matmulEfficiency") {
            let perDType = try fields.fields("matmulEfficiency", allowed: knownDTypes, keyNoun: "dtype")
            for dtype in perDType?.keys ?? [] { byDType[dtype] = try perDType?.requiredNumber(dtype, .fraction) }
            let missing = tflops.keys.filter { byDType[$0] == nil }.sorted()
            guard missing.isEmpty else {
                throw ClusterSpecError(file: fields.file, keyPath: fields.keyPath("matmulEfficiency"),
                                       message: "expected a fraction for every dtype in tflops; missing \(missing.joined(separator: ", "))")
            }
            single = byDType.values.min() ?? 1
        } else {
            single = try fields.requiredNumber("matmulEfficiency", .fraction)
        }
        let units = try fields.count("computeUnits")
        return ComputeSpec(tflops: tflops, matmulEfficiency: single,
                           vectorEfficiency: try fields.requiredNumber("vectorEfficiency", .fraction),
                           opOverheadUs: try fields.number("opOverheadUs", .nonNegative("µs")) ?? 0,
                           matmulEfficiencyByDType: byDType,
                           vectorTFLOPS: try fields.number("vectorTFLOPS", .positive("TFLOPS")),
                           computeUnits: units, kernels: try fields.string("kernels"))
    }

    /// The `memory:` list of a chiplet or level (absent = no tiers).
    private static func readTiers(_ fields: YAMLFields) throws -> [MemoryTierSpec] {
        try fields.list("memory").map { item -> MemoryTierSpec in
            let capacityKeys = ["capacityGB", "capacityMB", "capacityGiB"]
            let tier = try YAMLFields(item.node, file: fields.file, path: item.path,
                                      allowed: ["name", "bandwidthGBps", "bandwidthEfficiency"] + capacityKeys)
            let given = tier.keys.filter(capacityKeys.contains)
            guard given.count == 1, let key = given.first else {
                throw ClusterSpecError(file: fields.file, keyPath: item.path,
                                       message: "expected exactly one of \(capacityKeys.joined(separator: ", ")), got "
                                           + (given.isEmpty ? "none" : given.joined(separator: " and ")))
            }
            let bytesPerUnit: Double = ["capacityGB": 1e9, "capacityMB": 1e6, "capacityGiB": 1_073_741_824.0][key] ?? 1
            let unit = String(key.dropFirst("capacity".count))
            let capacity = try tier.requiredNumber(key, Bound.positive(unit))
            return MemoryTierSpec(name: try tier.requiredString("name"), capacityBytes: capacity * bytesPerUnit,
                                  bandwidthGBps: try tier.requiredNumber("bandwidthGBps", .positive("GB/s")),
                                  bandwidthEfficiency: try tier.number("bandwidthEfficiency", .fraction) ?? 1)
        }
    }

    private static func readLevel(_ node: Node, file: String, path: String) throws -> LevelSpec {
        let fields = try YAMLFields(node, file: file, path: path,
                                    allowed: ["name", "count", "link", "memory", "powerW", "costUSD"])
        let count = try fields.requiredCount("count")
        guard count <= maxLevelCount else {
            throw ClusterSpecError(file: file, keyPath: fields.keyPath("count"),
                                   message: "expected at most \(maxLevelCount) (2^20) units per level, got \(count)")
        }
        guard let linkFields = try fields.fields("link", allowed: ["topology", "bandwidthGBps", "latencyUs", "overheadUs", "dims"]) else {
            throw fields.missing("link", "a mapping with topology, bandwidthGBps, latencyUs")
        }
        return LevelSpec(name: try fields.requiredString("name"), count: count,
                         link: try readLink(linkFields, count: count), memory: try readTiers(fields),
                         powerW: try fields.number("powerW", .nonNegative("W")) ?? 0,
                         costUSD: try fields.number("costUSD", .nonNegative("USD")))
    }

    private static func readLink(_ fields: YAMLFields, count: Int) throws -> LinkSpec {
        let names = LinkTopology.allCases.map(\.rawValue).joined(separator: ", ")
        guard let topologyName = try fields.string("topology") else { throw fields.missing("topology", "one of \(names)") }
        guard let topology = LinkTopology(rawValue: topologyName) else {
            throw ClusterSpecError(file: fields.file, keyPath: fields.keyPath("topology"),
                                   message: "expected one of \(names), got \(topologyName)")
        }
        return LinkSpec(topology: topology,
                        bandwidthGBps: try fields.requiredNumber("bandwidthGBps", .positive("GB/s")),
                        latencyUs: try fields.requiredNumber("latencyUs", .positive("µs")),
                        overheadUs: try fields.number("overheadUs", .nonNegative("µs")) ?? 0,
                        dims: try readDims(fields, topology: topology, count: count))
    }

    /// `dims: [x, y]` is required for the 2D topologies, with x × y equal to the level's count.
    private static func readDims(_ fields: YAMLFields, topology: LinkTopology, count: Int) throws -> [Int]? {
        let expected = "[x, y] with x × y = count (\(count))"
        guard topology == .mesh2D || topology == .torus2D else {
            if fields.node("dims") != nil {
                throw ClusterSpecError(file: fields.file, keyPath: fields.keyPath("dims"),
                                       message: "dims apply only to mesh2D and torus2D, not \(topology.rawValue)")
            }
            return nil
        }
        guard let node = fields.node("dims") else { throw fields.missing("dims", expected) }
        let items = try fields.list("dims")
        let dims = items.compactMap { item -> Int? in
            guard case let .scalar(scalar) = item.node, scalar.style == .plain, let n = Int(scalar.string), n > 0 else { return nil }
            return n
        }
        // Overflow-checked: `dims: [8, 2^63-1]` trapped here (make fuzz, cluster seed 1 case 5720).
        guard items.count == 2, dims.count == 2, dims[0].multipliedReportingOverflow(by: dims[1]) == (count, false) else {
            throw fields.wrong("dims", expected, node)
        }
        return dims
    }

    private static func checkLevelNames(_ levels: [LevelSpec], file: String) throws {
        for (index, level) in levels.enumerated() {
            let keyPath = "levels[\(index)].name"
            if level.name == "chiplet" {
                throw ClusterSpecError(file: file, keyPath: keyPath, message: "chiplet names the innermost unit; expected another name")
            }
            if levels[..<index].contains(where: { $0.name == level.name }) {
                throw ClusterSpecError(file: file, keyPath: keyPath, message: "expected a name not used by another level, got \(level.name) again")
            }
        }
    }

    /// Resolves `chip:` or `rack:` to a level index (nil = chiplet for `chip`, absent for both).
    private static func unitLevel(_ top: YAMLFields, _ key: String, levels: [LevelSpec], allowChiplet: Bool) throws -> Int? {
        guard let name = try top.string(key), !(allowChiplet && name == "chiplet") else { return nil }
        if let index = levels.firstIndex(where: { $0.name == name }) { return index }
        let choices = (allowChiplet ? ["chiplet"] : []) + levels.map(\.name)
        throw ClusterSpecError(file: top.file, keyPath: key,
                               message: "expected one of \(choices.joined(separator: ", ")), got \(name)")
    }
}
