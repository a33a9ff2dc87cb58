import Foundation
import SafeOutput

/// Any JSON value; lets the loaders report the exact key at fault instead of a decoder trace.
enum JSONValue: Decodable, Sendable {
    case null, bool(Bool), int(Int), double(Double), string(String)
    case array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    /// Reads `path` as one JSON object.
    static func loadObject(path: String) throws(ModelGraphError) -> JSONObjectReader {
        let data: Data
        do { data = try InputFile.read(path) } catch { throw .unreadable(file: path, reason: error.reason) }
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: data) } catch {
            throw .invalidJSON(file: path, reason: Self.describe(error, data: data))
        }
        guard case .object(let object) = value else {
            throw .invalidJSON(file: path, reason: "the top level is not an object")
        }
        return JSONObjectReader(file: path, prefix: "", object: object)
    }

    /// The decoder says only "not valid JSON"; JSONSerialization says where, which we turn into a line.
    private static func describe(_ error: Error, data: Data) -> String {
        do { _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) } catch {
            guard let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else {
                return error.localizedDescription
            }
            guard let offset = detail.split(separator: " ").last.flatMap({ Int($0.trimmingCharacters(in: .punctuationCharacters)) }),
                  offset <= data.count else { return detail }
            let before = data.prefix(offset)
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = offset - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            return "\(detail) (line \(line), column \(column))"
        }
        return String(describing: error)
    }
}

/// Typed access to one JSON object's keys; `null` counts as absent. Errors carry file and key path.
struct JSONObjectReader: Sendable {
    let file: String
    let prefix: String
    let object: [String: JSONValue]

    func has(_ key: String) -> Bool { value(key) != nil }

    /// True when the key is written as `null`.
    func isNull(_ key: String) -> Bool {
        if case .null? = object[key] { return true }
        return false
    }

    /// The first of `aliases` the file has (null counts as had), or nil.
    func firstKey(_ aliases: [String]) -> String? { aliases.first { object[$0] != nil } }

    /// The reader of a nested object (`ffn_config`), or this one for a top-level key.
    func nested(_ dotted: String) throws(ModelGraphError) -> (reader: JSONObjectReader, key: String) {
        let parts = dotted.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, let inner = try optionalObject(parts[0]) else { return (self, dotted) }
        return (inner, parts[1])
    }

    /// A required integer under the first alias present; a null is reported as null, an absent
    /// key as missing under the first alias, with the others named.
    func int(anyOf aliases: [String], minimum: Int = 1) throws(ModelGraphError) -> Int {
        guard let value = try optionalInt(anyOf: aliases, minimum: minimum) else {
            let expected = minimum > 0 ? "a positive integer" : "an integer ≥ \(minimum)"
            let others = aliases.dropFirst().isEmpty ? "" : " (or " + aliases.dropFirst().joined(separator: ", ") + ")"
            if let key = firstKey(aliases) { throw .nullValue(file: file, key: path(key), expected: expected) }
            throw .missingKey(file: file, key: path(aliases.first ?? "") + others, expected: expected)
        }
        return value
    }

    func optionalInt(anyOf aliases: [String], minimum: Int = 1) throws(ModelGraphError) -> Int? {
        for alias in aliases {
            let (reader, key) = try nested(alias)
            if let value = try reader.optionalInt(key, minimum: minimum) { return value }
        }
        return nil
    }

    private func value(_ key: String) -> JSONValue? {
        if case .null = object[key] { return nil }
        return object[key]
    }

    private func path(_ key: String) -> String { prefix + key }

    /// A required integer ≥ `minimum` (1 unless said otherwise).
    func int(_ key: String, minimum: Int = 1) throws(ModelGraphError) -> Int {
        guard let value = try optionalInt(key, minimum: minimum) else {
            if isNull(key) {
                throw .nullValue(file: file, key: path(key), expected: minimum > 0 ? "a positive integer" : "an integer ≥ \(minimum)")
            }
            throw .missingKey(file: file, key: path(key), expected: minimum > 0 ? "a positive integer" : "an integer ≥ \(minimum)")
        }
        return value
    }

    func optionalInt(_ key: String, minimum: Int = 1) throws(ModelGraphError) -> Int? {
        guard let raw = value(key) else { return nil }
        guard case .int(let value) = raw else { throw .wrongType(file: file, key: path(key), expected: "an integer") }
        guard value >= minimum else {
            if minimum == 1 { throw .notPositive(file: file, key: path(key), value: value) }
            throw .invalidValue(file: file, key: path(key), value: "\(value)", expected: "an integer ≥ \(minimum)")
        }
        guard value <= Self.largestInt else {
            throw .invalidValue(file: file, key: path(key), value: "\(value)",
                                expected: "at most 1073741824 (2^30, so products of sizes stay inside 64-bit integers)")
        }
        return value
    }

    /// The largest integer a model file may hold: 2^30, so that products of two sizes fit an Int.
    static let largestInt = 1 << 30

    /// An optional number > 0 (integers accepted).
    func optionalPositiveDouble(_ key: String) throws(ModelGraphError) -> Double? {
        let number: Double
        switch value(key) {
        case nil: return nil
        case .int(let value)?: number = Double(value)
        case .double(let value)?: number = value
        default: throw .wrongType(file: file, key: path(key), expected: "a number")
        }
        guard number > 0, number.isFinite else {
            throw .invalidValue(file: file, key: path(key), value: "\(number)", expected: "a positive number")
        }
        return number
    }

    func optionalBool(_ key: String) throws(ModelGraphError) -> Bool? {
        guard let raw = value(key) else { return nil }
        guard case .bool(let value) = raw else { throw .wrongType(file: file, key: path(key), expected: "true or false") }
        return value
    }

    func optionalString(_ key: String) throws(ModelGraphError) -> String? {
        guard let raw = value(key) else { return nil }
        guard case .string(let value) = raw else { throw .wrongType(file: file, key: path(key), expected: "a string") }
        return value
    }

    func string(_ key: String) throws(ModelGraphError) -> String {
        guard let value = try optionalString(key) else {
            if isNull(key) { throw .nullValue(file: file, key: path(key), expected: "a string") }
            throw .missingKey(file: file, key: path(key), expected: "a string")
        }
        return value
    }

    /// A string naming one case of `T`.
    func optionalEnum<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws(ModelGraphError) -> T?
    where T.RawValue == String {
        guard let raw = try optionalString(key) else { return nil }
        guard let value = T(rawValue: raw) else {
            throw .invalidValue(file: file, key: path(key), value: "`\(raw)`",
                                expected: "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return value
    }

    /// An optional array of integers ≥ 0.
    func optionalIntArray(_ key: String) throws(ModelGraphError) -> [Int]? {
        guard let raw = value(key) else { return nil }
        guard case .array(let items) = raw else { throw .wrongType(file: file, key: path(key), expected: "an array of integers") }
        var result: [Int] = []
        for (i, item) in items.enumerated() {
            guard case .int(let value) = item, value >= 0 else {
                throw .wrongType(file: file, key: path(key) + "[\(i)]", expected: "an integer ≥ 0")
            }
            result.append(value)
        }
        return result
    }

    /// An optional array of strings.
    func optionalStringArray(_ key: String) throws(ModelGraphError) -> [String]? {
        guard let raw = value(key) else { return nil }
        guard case .array(let items) = raw else { throw .wrongType(file: file, key: path(key), expected: "an array of strings") }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let value) = item else { throw .wrongType(file: file, key: path(key) + "[\(i)]", expected: "a string") }
            result.append(value)
        }
        return result
    }

    func optionalObject(_ key: String) throws(ModelGraphError) -> JSONObjectReader? {
        guard let raw = value(key) else { return nil }
        guard case .object(let object) = raw else { throw .wrongType(file: file, key: path(key), expected: "an object") }
        return JSONObjectReader(file: file, prefix: path(key) + ".", object: object)
    }

    /// Rejects keys outside `allowed`; keys starting with `_` are documentation and pass.
    func rejectUnknownKeys(allowed: [String]) throws(ModelGraphError) {
        for key in object.keys.sorted() where !key.hasPrefix("_") && !allowed.contains(key) {
            throw .unknownKey(file: file, key: path(key), allowed: allowed)
        }
    }
}
