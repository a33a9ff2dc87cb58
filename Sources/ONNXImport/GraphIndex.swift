import Foundation

/// An initializer's name, element type and shape; its values are never read except for small
/// integer or scalar constants (Reshape shapes, epsilons).
struct TensorInfo {
    let name: String
    let dims: [Int]
    /// `TensorProto.DataType` (1 float, 10 float16, 16 bfloat16, 17–20 float8, 3 int8, 22 int4, …).
    let dataType: Int32
    /// At most `GraphIndex.smallConstantLimit` values: int64/int32/float data of a small constant.
    let smallInts: [Int]?
    let smallFloats: [Double]?

    /// Float element types, quantised ones included: a rank-2 tensor of one of these is a weight.
    var isFloatLike: Bool { [1, 10, 11, 16, 17, 18, 19, 20, 23].contains(dataType) }
}

/// The nodes of an ONNX graph with producers, consumers and initializers by tensor name.
struct GraphIndex {
    static let smallConstantLimit = 16

    let nodes: [Onnx_NodeProto]
    let tensors: [String: TensorInfo]
    let producer: [String: Int]
    let consumers: [String: [Int]]
    let graphInputs: Set<String>

    init(_ graph: Onnx_GraphProto) {
        nodes = graph.node
        var tensors: [String: TensorInfo] = [:]
        for t in graph.initializer { tensors[t.name] = Self.info(t, name: t.name) }
        for s in graph.sparseInitializer {
            let name = s.values.name
            tensors[name] = TensorInfo(name: name, dims: s.dims.map { Int(clamping: $0) },
                                       dataType: s.values.dataType, smallInts: nil, smallFloats: nil)
        }
        var producer: [String: Int] = [:]
        var consumers: [String: [Int]] = [:]
        for (i, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty { producer[output] = i }
            for input in node.input where !input.isEmpty { consumers[input, default: []].append(i) }
            // A Constant node's value is a tensor like an initializer.
            if node.opType == "Constant", let out = node.output.first,
               let value = node.attribute.first(where: { $0.name == "value" }), value.hasT {
                tensors[out] = Self.info(value.t, name: out)
            }
        }
        self.tensors = tensors
        self.producer = producer
        self.consumers = consumers
        graphInputs = Set(graph.input.map(\.name))
    }

    private static func info(_ t: Onnx_TensorProto, name: String) -> TensorInfo {
        let dims = t.dims.map { Int(clamping: $0) }
        let count = dims.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 0)).overflow ? Int.max : $0 * max($1, 0) }
        var ints: [Int]?
        var floats: [Double]?
        if count <= smallConstantLimit && t.dataLocation != .external {
            switch t.dataType {
            case 7:  // int64
                ints = t.int64Data.isEmpty ? littleEndian(t.rawData, width: 8, count: count) : t.int64Data.map { Int($0) }
            case 6:  // int32
                ints = t.int32Data.isEmpty ? littleEndian(t.rawData, width: 4, count: count) : t.int32Data.map { Int($0) }
            case 1:  // float
                if !t.floatData.isEmpty {
                    floats = t.floatData.map(decimal)
                } else if let bits = littleEndian(t.rawData, width: 4, count: count) {
                    floats = bits.map { decimal(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
                }
            default: break
            }
        }
        return TensorInfo(name: name, dims: dims, dataType: t.dataType, smallInts: ints, smallFloats: floats)
    }

    /// A float32 as the decimal it was written as (1e-5, not 9.99999974e-06).
    static func decimal(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }

    /// `count` little-endian signed integers of `width` bytes; nil when the data is not that long.
    private static func littleEndian(_ data: Data, width: Int, count: Int) -> [Int]? {
        guard data.count == width * count else { return nil }
        let bytes = [UInt8](data)
        return (0..<count).map { i in
            var value: UInt64 = 0
            for b in (0..<width).reversed() { value = value << 8 | UInt64(bytes[i * width + b]) }
            let shift = UInt64(64 - 8 * width)
            return Int(Int64(bitPattern: value << shift) >> Int64(shift))
        }
    }

    /// `name` or `#index` for an unnamed node.
    func label(_ i: Int) -> String { nodes[i].name.isEmpty ? "#\(i)" : nodes[i].name }

    func input(_ node: Int, _ slot: Int) -> String? {
        let inputs = nodes[node].input
        return inputs.indices.contains(slot) && !inputs[slot].isEmpty ? inputs[slot] : nil
    }

    /// An integer attribute; nil when absent or beyond ±2²⁴ (no head count, size or flag is that large).
    func int(_ node: Int, _ name: String) -> Int? {
        guard let value = nodes[node].attribute.first(where: { $0.name == name })?.i, abs(value) <= 1 << 24 else { return nil }
        return Int(value)
    }

    func float(_ node: Int, _ name: String) -> Double? {
        nodes[node].attribute.first { $0.name == name }.map { Self.decimal($0.f) }
    }

    func string(_ node: Int, _ name: String) -> String? {
        nodes[node].attribute.first { $0.name == name }.map { String(decoding: $0.s, as: UTF8.self) }
    }

    func ints(_ node: Int, _ name: String) -> [Int]? {
        nodes[node].attribute.first { $0.name == name }.map { $0.ints.map { Int(clamping: $0) } }
    }

    /// A constant's single float value (an epsilon, a scale).
    func scalar(_ tensor: String) -> Double? {
        guard let values = tensors[tensor]?.smallFloats, values.count == 1 else { return nil }
        return values[0]
    }

    /// A weight behind `tensor`: an initializer, possibly through Identity, Cast or a 2-D
    /// Transpose (which swaps the dims). Returns the initializer and its dims as the consumer sees them.
    func weight(_ tensor: String) -> (info: TensorInfo, dims: [Int])? {
        var name = tensor
        var transposed = false
        for _ in 0..<4 {
            if let info = tensors[name], producer[name] == nil || nodes[producer[name] ?? 0].opType == "Constant" {
                guard info.isFloatLike else { return nil }
                return (info, transposed && info.dims.count == 2 ? info.dims.reversed() : info.dims)
            }
            guard let p = producer[name], let next = input(p, 0) else { return nil }
            switch nodes[p].opType {
            case "Identity", "Cast": name = next
            case "Transpose": transposed.toggle(); name = next
            default: return nil
            }
        }
        return nil
    }
}
