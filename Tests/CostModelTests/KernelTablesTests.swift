import CostModel
import Foundation
import ModelGraph
import Testing

/// Lookups in small hand-written tables whose every answer is computed by hand: log-log
/// interpolation takes geometric means at log midpoints.
struct KernelTablesLookupTests {
    let tables: KernelTables

    init() throws {
        tables = try KernelTables.load(directory: try fixtureDirectory([
            "gemm.csv": gemmFixture, "context_attention.csv": contextFixture,
            "generation_attention.csv": generationFixture, "collectives.csv": collectiveFixture,
        ]))
    }

    @Test func gemmGridPointsAreExact() {
        #expect(tables.dtypesWithGEMM == [.bf16])
        #expect(tables.gemmS(m: 1, n: 128, k: 128, dtype: .bf16) == 10e-6)
        #expect(tables.gemmS(m: 4, n: 512, k: 128, dtype: .bf16) == 80e-6)
        #expect(tables.gemmS(m: 4, n: 512, k: 512, dtype: .bf16) == 320e-6)
    }

    @Test func gemmMidpointIsTheGeometricMeanOfItsCorners() {
        // m 2, n 256 are log midpoints: (10 · 40 · 20 · 80)^(1/4) = 20√2.
        #expect(close(tables.gemmS(m: 2, n: 256, k: 128, dtype: .bf16), 20 * 2.0.squareRoot() * 1e-6))
        // Midpoint on all three axes: (10·40·40·160·20·80·80·320)^(1/8) = 40√2.
        #expect(close(tables.gemmS(m: 2, n: 256, k: 256, dtype: .bf16), 40 * 2.0.squareRoot() * 1e-6))
    }

    @Test func gemmBeyondM() {
        #expect(tables.gemmS(m: 0.5, n: 128, k: 128, dtype: .bf16) == 10e-6)  // flat below
        #expect(close(tables.gemmS(m: 8, n: 128, k: 128, dtype: .bf16), 40e-6))  // 20 µs × 8/4
    }

    /// A grouped GEMM of 4 experts with N 128 is one GEMM of N 512 (40 µs at m 1, k 128); 8 experts
    /// pass the table's N and grow linearly: 40 µs × 1,024 / 512.
    @Test func groupedGEMMIsOneGEMMOfAllGroupsColumns() {
        #expect(tables.groupedGEMMS(m: 1, n: 128, k: 128, groups: 4, dtype: .bf16) == 40e-6)
        #expect(close(tables.groupedGEMMS(m: 1, n: 128, k: 128, groups: 8, dtype: .bf16), 80e-6))
        #expect(tables.groupedGEMMS(m: 1, n: 128, k: 128, groups: 4, dtype: .fp8) == nil)
    }

    @Test func gemmOutsideNOrKOrWithoutATableIsNil() {
        #expect(tables.gemmS(m: 1, n: 1024, k: 128, dtype: .bf16) == nil)
        #expect(tables.gemmS(m: 1, n: 128, k: 64, dtype: .bf16) == nil)
        #expect(tables.gemmS(m: 1, n: 128, k: 128, dtype: .fp8) == nil)
        #expect(tables.gemmS(m: .nan, n: 128, k: 128, dtype: .bf16) == nil)
    }

    /// Prefill attention in the fixture's dtypes (bf16 query, fp8 KV) unless given.
    func context(_ batch: Double, _ length: Double, heads: Int = 32, kvHeads: Int = 8, headSize: Int = 128,
                 kvDType: DType = .fp8) -> Double? {
        tables.contextAttentionS(batch: batch, inputLength: length, heads: heads, kvHeads: kvHeads,
                                 headSize: headSize, dtype: .bf16, kvDType: kvDType)
    }

    @Test func contextAttention() {
        #expect(context(4, 16) == 20e-6)
        #expect(close(context(2, 32), 10 * 2.0.squareRoot() * 1e-6))  // (5 · 10 · 20 · 40)^(1/4) = 10√2
        #expect(close(context(8, 64), 80e-6))  // batch 8 is 2 × the largest batch: 40 µs × 2
        // Longer than the table: the longest prompt (64: 10 µs) scaled by positions attended,
        // 128 · 129 / (64 · 65).
        #expect(close(context(1, 128), 10e-6 * 128 * 129 / (64 * 65)))
        #expect(context(4, 8) == 20e-6)  // shorter than the table: flat
        #expect(context(1, 16, kvDType: .bf16) == nil)
    }

    @Test func attentionFallsBackToTheNearestConfigurationOfTheSameGrouping() {
        #expect(close(context(1, 16, heads: 64, kvHeads: 16), 10e-6))  // same ratio 4, twice the work: 5 µs × 2
        #expect(close(context(1, 16, headSize: 64), 2.5e-6))  // half the work: 5 µs × 1/2
        #expect(context(1, 16, heads: 64, kvHeads: 8) == nil)  // ratio 8 is not tabled
        #expect(context(1, 16, heads: 128, kvHeads: 32) == nil)  // 4× the work: too far
    }

    @Test func generationAttention() {
        #expect(tables.generationAttentionS(batch: 16, context: 4096, heads: 8, kvHeads: 1, headSize: 128,
                                            kvDType: .fp8) == 128e-6)
        // Batch 4 and context 2048 are log midpoints: (8 · 16 · 32 · 128)^(1/4).
        let expected = pow(8.0 * 16 * 32 * 128, 0.25) * 1e-6
        #expect(close(tables.generationAttentionS(batch: 4, context: 2048, heads: 8, kvHeads: 1, headSize: 128,
                                                  kvDType: .fp8), expected))
        #expect(tables.generationAttentionS(batch: 16, context: 100, heads: 8, kvHeads: 1, headSize: 128,
                                            kvDType: .fp8) == 32e-6)
        // Past the longest context (4096: 16 µs) decode attention grows linearly: 32 µs at 8192.
        #expect(close(tables.generationAttentionS(batch: 1, context: 8192, heads: 8, kvHeads: 1, headSize: 128,
                                                  kvDType: .fp8), 32e-6))
        #expect(tables.generationAttentionS(batch: 1, context: 1024, heads: 8, kvHeads: 1, headSize: 128,
                                            kvDType: .bf16) == nil)
    }

    @Test func collectivesTakeTheFastestImplementation() {
        #expect(tables.collectiveS(.allReduce, bytes: 1024, ranks: 8) == 4e-6)  // custom 4 < nccl 10
        #expect(tables.collectiveS(.allReduce, bytes: 4096, ranks: 8) == 6e-6)  // nccl 6 < custom 8
        // 2 KiB: custom √(4·8) = 4√2 ≈ 5.66, nccl √(10·6) ≈ 7.75.
        #expect(close(tables.collectiveS(.allReduce, bytes: 2048, ranks: 8), 4 * 2.0.squareRoot() * 1e-6))
        #expect(tables.collectiveS(.allReduce, bytes: 100, ranks: 8) == 4e-6)  // flat below
        #expect(close(tables.collectiveS(.allReduce, bytes: 8192, ranks: 8), 12e-6))  // nccl 6 × 2
        #expect(tables.collectiveS(.allReduce, bytes: 1024, ranks: 4) == nil)
        #expect(tables.collectiveS(.allGather, bytes: 1024, ranks: 8) == nil)
    }

    @Test func missingFilesMeanNoTables() throws {
        let empty = try KernelTables.load(directory: try fixtureDirectory([:]))
        #expect(empty.dtypesWithGEMM.isEmpty)
        #expect(empty.gemmS(m: 1, n: 128, k: 128, dtype: .bf16) == nil)
        #expect(empty.collectiveS(.allReduce, bytes: 1024, ranks: 8) == nil)
    }
}
