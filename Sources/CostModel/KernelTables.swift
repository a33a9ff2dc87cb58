import ModelGraph

// Interim: the reader of measured kernel tables lands from the `kernels` branch; until then no
// table is read and every lookup falls back to the analytical model.
public enum CollectiveKind: String, Sendable { case allReduce = "all_reduce", allGather = "all_gather", reduceScatter = "reduce_scatter", allToAll = "all_to_all" }

public struct KernelTables: Sendable {
    public static func load(directory: String) throws -> KernelTables { KernelTables() }
    public var dtypesWithGEMM: [DType] { [] }
    public func gemmS(m: Double, n: Double, k: Double, dtype: DType) -> Double? { nil }
    public func contextAttentionS(batch: Double, inputLength: Double, heads: Int, kvHeads: Int, headSize: Int, dtype: DType, kvDType: DType) -> Double? { nil }
    public func generationAttentionS(batch: Double, context: Double, heads: Int, kvHeads: Int, headSize: Int, kvDType: DType) -> Double? { nil }
    public func collectiveS(_ kind: CollectiveKind, bytes: Double, ranks: Int) -> Double? { nil }
}
