import Yams

/// One YAML mapping of a capacity spec, with its key path for error messages. Unknown keys are
/// rejected up front so a typo never passes silently.
struct SpecNode {
    let file: String
    let path: String
    let mapping: [String: Node]

    init(_ node: Node, file: String, path: String, allowed: [String]) throws(CapacityError) {
        self.file = file; self.path = path
        guard case let .mapping(m) = node else { throw CapacityError(file: file, keyPath: path, message: "expected a mapping") }
        var out: [String: Node] = [:]
        for (key, value) in m {
            let k = key.string ?? ""
            guard allowed.contains(k) else {
                throw CapacityError(file: file, keyPath: Self.join(path, k),
                                    message: "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            out[k] = value
        }
        mapping = out
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func error(_ key: String, _ message: String) -> CapacityError {
        CapacityError(file: file, keyPath: Self.join(path, key), message: message)
    }

    func string(_ key: String) throws(CapacityError) -> String? {
        guard let node = mapping[key] else { return nil }
        guard let s = node.scalar?.string, !s.isEmpty else { throw error(key, "expected text") }
        return s
    }

    func requiredString(_ key: String) throws(CapacityError) -> String {
        guard let s = try string(key) else { throw error(key, "missing; expected text") }
        return s
    }

    /// A keyed number spans 1e-9 to 1e12, as cluster numbers do: a target of 1.8e308 tokens/s
    /// parsed, ran the whole sweep and trapped formatting the report.
    func number(_ key: String, unit: String) throws(CapacityError) -> Double? {
        guard let node = mapping[key] else { return nil }
        let v = try Self.positive(node, file: file, path: Self.join(path, key), unit: unit, upTo: .infinity)
        guard v >= 1e-9 && v <= 1e12 else {
            throw error(key, "expected a positive number of \(unit), at least 1e-9 and at most 1e12 (wider values overflow times, rates "
                + "and reports), got \(node.scalar?.string ?? "\(v)")")
        }
        return v
    }

    func requiredNumber(_ key: String, unit: String) throws(CapacityError) -> Double {
        guard let v = try number(key, unit: unit) else { throw error(key, "missing; expected a positive number of \(unit)") }
        return v
    }

    /// The largest number a spec may hold (keyed numbers have the tighter span of `number`): far
    /// past any real price, power or load, and small enough
    /// that sums and products over a sweep (chips × price, racks × kW) stay finite and a whole
    /// value converts to Int exactly (a rack budget of 1e300 kW trapped naming its layout).
    static let largest = 1e15

    /// `upTo`: the bound checked here; a caller with a tighter bound of its own passes infinity.
    static func positive(_ node: Node, file: String, path: String, unit: String,
                         upTo bound: Double = largest) throws(CapacityError) -> Double {
        guard let s = node.scalar, s.style == .plain, let v = Double(s.string), v.isFinite, v > 0 else {
            throw CapacityError(file: file, keyPath: path,
                                message: "expected a positive number of \(unit), got \(node.scalar?.string ?? "a \(kind(node))")")
        }
        guard v <= bound else {
            throw CapacityError(file: file, keyPath: path, message: "expected a positive number of \(unit) up to 1e15, got \(s.string)")
        }
        return v
    }

    static func kind(_ node: Node) -> String {
        switch node { case .mapping: "mapping"; case .sequence: "list"; default: "value" }
    }

    /// The items of a list with their paths; a single value counts as a list of one.
    func list(_ key: String) throws(CapacityError) -> [(node: Node, path: String)] {
        guard let node = mapping[key] else { return [] }
        let items: [Node]
        if case let .sequence(seq) = node { items = Array(seq) } else { items = [node] }
        return items.enumerated().map { ($1, "\(Self.join(path, key))[\($0)]") }
    }

    func child(_ key: String, allowed: [String]) throws(CapacityError) -> SpecNode? {
        guard let node = mapping[key] else { return nil }
        return try SpecNode(node, file: file, path: Self.join(path, key), allowed: allowed)
    }
}
