/// Bad workload or scenario input. Every case names the file and, where there is one, the key.
public enum ModelGraphError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case invalidJSON(file: String, reason: String)
    case missingKey(file: String, key: String, expected: String)
    case wrongType(file: String, key: String, expected: String)
    case notPositive(file: String, key: String, value: Int)
    case invalidValue(file: String, key: String, value: String, expected: String)
    case unknownKey(file: String, key: String, allowed: [String])
    /// The key is there but `null` where a value is needed.
    case nullValue(file: String, key: String, expected: String)
    /// An unknown `model_type`, or a known one with layers Tessera does not model.
    case unsupportedArchitecture(file: String, modelType: String, reason: String)

    public var file: String {
        switch self {
        case .unreadable(let file, _), .invalidJSON(let file, _), .missingKey(let file, _, _),
             .wrongType(let file, _, _), .notPositive(let file, _, _), .invalidValue(let file, _, _, _),
             .unknownKey(let file, _, _), .nullValue(let file, _, _), .unsupportedArchitecture(let file, _, _):
            file
        }
    }

    /// The key path at fault, nil when the file as a whole is.
    public var key: String? {
        switch self {
        case .unreadable, .invalidJSON: nil
        case .unsupportedArchitecture: "model_type"
        case .missingKey(_, let key, _), .wrongType(_, let key, _), .notPositive(_, let key, _),
             .invalidValue(_, let key, _, _), .unknownKey(_, let key, _), .nullValue(_, let key, _):
            key
        }
    }

    /// One line in the form every loader uses: `file: key path: expected …, got …`.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the file: \(reason)"
        case .invalidJSON(let file, let reason):
            "\(file): not valid JSON: \(reason)"
        case .missingKey(let file, let key, let expected):
            "\(file): \(key): missing; expected \(expected)"
        case .wrongType(let file, let key, let expected):
            "\(file): \(key): expected \(expected), got another type"
        case .notPositive(let file, let key, let value):
            "\(file): \(key): expected a positive integer, got \(value)"
        case .invalidValue(let file, let key, let value, let expected):
            "\(file): \(key): expected \(expected), got \(value)"
        case .unknownKey(let file, let key, let allowed):
            "\(file): \(key): unknown key; expected one of \(allowed.joined(separator: ", "))"
        case .nullValue(let file, let key, let expected):
            "\(file): \(key): expected \(expected), got null"
        case .unsupportedArchitecture(let file, let modelType, let reason):
            "\(file): model_type `\(modelType)` is not supported: \(reason)"
        }
    }
}
