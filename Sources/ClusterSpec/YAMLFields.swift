import Yams

/// One YAML mapping read field by field, with the key path kept for error messages.
/// Unknown keys are rejected before any field is read, so typos never pass silently.
struct YAMLFields {
    let file: String
    let path: String
    private let pairs: [(key: String, value: Node)]

    /// `keyNoun` names what the keys are in the unknown-key message (`key`, `dtype`).
    init(_ node: Node, file: String, path: String, allowed: [String], keyNoun: String = "key") throws {
        self.file = file
        self.path = path
        guard case let .mapping(mapping) = node else {
            throw ClusterSpecError(file: file, keyPath: path, message: "expected a mapping of keys, got \(Self.kind(node))")
        }
        var pairs: [(key: String, value: Node)] = []
        for (key, value) in mapping {
            guard case let .scalar(scalar) = key else {
                throw ClusterSpecError(file: file, keyPath: path, message: "expected text keys, got \(Self.kind(key))")
            }
            guard allowed.contains(scalar.string) else {
                throw ClusterSpecError(file: file, keyPath: Self.join(path, scalar.string),
                                       message: "unknown \(keyNoun); expected one of \(allowed.joined(separator: ", "))")
            }
            pairs.append((scalar.string, value))
        }
        self.pairs = pairs
    }

    static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A short name for what a node is, for "got …" in messages.
    static func kind(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): scalar.style == .plain ? scalar.string : "the string \"\(scalar.string)\""
        case .mapping: "a mapping"
        case let .sequence(items):
            items.allSatisfy { $0.scalar != nil } ? "[\(items.map(kind).joined(separator: ", "))]" : "a list"
        case .alias: "an alias"
        }
    }

    func keyPath(_ key: String) -> String { Self.join(path, key) }

    /// The keys present, in file order.
    var keys: [String] { pairs.map(\.key) }

    /// The value under `key`, or nil when absent or written as null.
    func node(_ key: String) -> Node? {
        guard let value = pairs.first(where: { $0.key == key })?.value else { return nil }
        if case let .scalar(scalar) = value, scalar.style == .plain,
           ["", "~", "null", "Null", "NULL"].contains(scalar.string) { return nil }
        return value
    }

    func missing(_ key: String, _ expected: String) -> ClusterSpecError {
        ClusterSpecError(file: file, keyPath: keyPath(key), message: "missing; expected \(expected)")
    }

    func wrong(_ key: String, _ expected: String, _ node: Node) -> ClusterSpecError {
        ClusterSpecError(file: file, keyPath: keyPath(key), message: "expected \(expected), got \(Self.kind(node))")
    }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard case let .scalar(scalar) = value, !scalar.string.isEmpty else { throw wrong(key, "text", value) }
        return scalar.string
    }

    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw missing(key, "text") }
        return text
    }

    /// A number: plain YAML only, so `"989"` (quoted) is reported rather than guessed at.
    func number(_ key: String, _ bound: Bound) throws -> Double? {
        guard let value = node(key) else { return nil }
        guard case let .scalar(scalar) = value, scalar.style == .plain,
              let number = Double(scalar.string), number.isFinite, bound.admits(number) else {
            throw wrong(key, bound.expected, value)
        }
        return number
    }

    func requiredNumber(_ key: String, _ bound: Bound) throws -> Double {
        guard let number = try number(key, bound) else { throw missing(key, bound.expected) }
        return number
    }

    func requiredCount(_ key: String) throws -> Int {
        let expected = "a positive whole number"
        guard let value = node(key) else { throw missing(key, expected) }
        guard case let .scalar(scalar) = value, scalar.style == .plain,
              let count = Int(scalar.string), count > 0 else { throw wrong(key, expected, value) }
        return count
    }

    /// `true` or `false`, plain.
    func bool(_ key: String) throws -> Bool? {
        guard let value = node(key) else { return nil }
        guard case let .scalar(scalar) = value, scalar.style == .plain, ["true", "false"].contains(scalar.string) else {
            throw wrong(key, "true or false", value)
        }
        return scalar.string == "true"
    }

    /// An optional positive whole number, at most 2^31 so products with other counts stay exact.
    func count(_ key: String) throws -> Int? {
        guard let value = node(key) else { return nil }
        let n = try requiredCount(key)
        guard n <= 1 << 31 else { throw wrong(key, "a whole number from 1 to 2147483648", value) }
        return n
    }

    func fields(_ key: String, allowed: [String], keyNoun: String = "key") throws -> YAMLFields? {
        guard let value = node(key) else { return nil }
        return try YAMLFields(value, file: file, path: keyPath(key), allowed: allowed, keyNoun: keyNoun)
    }

    /// The items of a list with their key paths (`levels[0]`, …); an absent key is an empty list.
    func list(_ key: String) throws -> [(node: Node, path: String)] {
        guard let value = node(key) else { return [] }
        guard case let .sequence(sequence) = value else { throw wrong(key, "a list", value) }
        return sequence.enumerated().map { ($1, "\(keyPath(key))[\($0)]") }
    }
}

/// What range a number must fall in, with the words used when it does not.
struct Bound: Sendable {
    var expected: String
    var admits: @Sendable (Double) -> Bool

    /// Positive and inside 1e-9 … 1e12 of the unit: a rate of 1e-300 or a size of 1e300 parses but
    /// turns times and byte counts into 1e299 ms or inf, so the span the cost model's arithmetic
    /// stays exact in is the supported one.
    static func positive(_ unit: String) -> Bound {
        Bound(expected: "a positive number of \(unit), at least 1e-9 and at most 1e12 (wider values overflow times and sizes)") {
            $0 >= 1e-9 && $0 <= 1e12
        }
    }
    static func nonNegative(_ unit: String) -> Bound {
        Bound(expected: "a number of \(unit) ≥ 0, at most 1e12 (larger values overflow times and sizes)") { $0 >= 0 && $0 <= 1e12 }
    }
    static let fraction = Bound(expected: "a fraction in (0, 1]") { $0 > 0 && $0 <= 1 }
}
