/// One operator type Tessera does not model, how often the graph uses it, and where.
public struct UnsupportedOperator: Sendable, Equatable {
    /// `Einsum`, or `domain:Op` outside the standard and `com.microsoft` domains.
    public var op: String
    public var count: Int
    /// Node names (or `#index` for unnamed nodes), in graph order.
    public var nodes: [String]

    public init(op: String, count: Int, nodes: [String]) {
        self.op = op
        self.count = count
        self.nodes = nodes
    }

    /// `Einsum × 2 (/model/layers.0/Einsum, /model/layers.1/Einsum)`, at most three nodes named.
    public var summary: String {
        let shown = nodes.prefix(3).joined(separator: ", ")
        return "\(op) × \(count) (\(shown)\(nodes.count > 3 ? ", …" : ""))"
    }
}

/// Bad or unrecognised ONNX input. Every case names the file; `description` is one line.
public enum ONNXImportError: Error, CustomStringConvertible, Sendable, Equatable {
    case unreadable(file: String, reason: String)
    case tooLarge(file: String, bytes: Int, limitBytes: Int)
    /// Not a decodable ONNX ModelProto (truncated, garbage, nesting too deep).
    case invalidProtobuf(file: String, reason: String)
    /// Operators outside what the importer recognises or can ignore, by type.
    case unsupportedOperators(file: String, operators: [UnsupportedOperator])
    /// Supported operators, but not in a shape the importer recognises as a decoder.
    case unrecognisedStructure(file: String, reason: String)

    public var file: String {
        switch self {
        case .unreadable(let file, _), .tooLarge(let file, _, _), .invalidProtobuf(let file, _),
            .unsupportedOperators(let file, _), .unrecognisedStructure(let file, _):
            file
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the file: \(reason)"
        case .tooLarge(let file, let bytes, let limit):
            "\(file): \(bytes) bytes is more than the \(limit)-byte limit of an ONNX protobuf (keep weights as external data)"
        case .invalidProtobuf(let file, let reason):
            "\(file): not an ONNX model: \(reason)"
        case .unsupportedOperators(let file, let operators):
            "\(file): unsupported ONNX operators: \(operators.map(\.summary).joined(separator: "; "))"
        case .unrecognisedStructure(let file, let reason):
            "\(file): not recognised as a decoder-only transformer: \(reason)"
        }
    }
}
