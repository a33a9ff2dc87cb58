/// How requests are batched: a fixed batch run to completion, or requests joining and leaving
/// between decode steps (Orca, Yu et al. 2022).
public enum BatchingMode: String, Codable, Sendable, CaseIterable {
    case `static`, continuous
}

/// A serving scenario: request shape, load, SLOs and dtypes. These files are ours, not HF's, so
/// unknown keys are rejected (keys starting with `_`, such as `_comment`, are documentation).
public struct Scenario: Sendable, Codable, Hashable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Sequences per batch; at least one of `batch` and `requestsPerSecond` is given.
    public var batch: Int?
    public var requestsPerSecond: Double?
    public var mode: BatchingMode
    /// Time to first token limit.
    public var maxTTFTMs: Double?
    /// Time per output token limit.
    public var maxTPOTMs: Double?
    public var precision: Precision

    public init(inputTokens: Int, outputTokens: Int, batch: Int? = nil, requestsPerSecond: Double? = nil,
                mode: BatchingMode = .static, maxTTFTMs: Double? = nil, maxTPOTMs: Double? = nil,
                precision: Precision = .bf16) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.batch = batch
        self.requestsPerSecond = requestsPerSecond
        self.mode = mode
        self.maxTTFTMs = maxTTFTMs
        self.maxTPOTMs = maxTPOTMs
        self.precision = precision
    }

    static let keys = ["inputTokens", "outputTokens", "batch", "requestsPerSecond", "mode",
                       "maxTTFTMs", "maxTPOTMs", "precision"]
    static let precisionKeys = ["weights", "activations", "kvCache"]

    /// Loads a scenario file; `mode` defaults to static and `precision` (each part) to bf16.
    public static func load(path: String) throws(ModelGraphError) -> Scenario {
        let json = try JSONValue.loadObject(path: path)
        try json.rejectUnknownKeys(allowed: keys)
        var scenario = Scenario(inputTokens: try json.int("inputTokens"), outputTokens: try json.int("outputTokens"),
                                batch: try json.optionalInt("batch"),
                                requestsPerSecond: try json.optionalPositiveDouble("requestsPerSecond"),
                                mode: try json.optionalEnum("mode", BatchingMode.self) ?? .static,
                                maxTTFTMs: try json.optionalPositiveDouble("maxTTFTMs"),
                                maxTPOTMs: try json.optionalPositiveDouble("maxTPOTMs"))
        if scenario.batch == nil && scenario.requestsPerSecond == nil {
            throw .missingKey(file: path, key: "batch", expected: "a positive integer, or a `requestsPerSecond`")
        }
        if let precision = try json.optionalObject("precision") {
            try precision.rejectUnknownKeys(allowed: precisionKeys)
            scenario.precision = Precision(
                weights: try precision.optionalEnum("weights", DType.self) ?? .bf16,
                activations: try precision.optionalEnum("activations", DType.self) ?? .bf16,
                kvCache: try precision.optionalEnum("kvCache", DType.self) ?? .bf16)
        }
        return scenario
    }
}
