import CostModel
import Foundation
import ModelGraph
import Testing

/// The shipped Clusters/kernels/<chip>/ tables load, and H200's reproduce the orientation figures
/// of calibration.md section C (the shared reference of measured results). The bounds are that
/// document's figures with tolerances chosen before the tables were read through this API:
/// ±0.05 on fractions of peak, ±0.3 TB/s on weight streaming, ±1.5 µs on the 8 µs decode
/// latency, ±10 % on the all-reduce latencies.
enum ShippedKernels {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static func directory(_ chip: String) -> String { root.appendingPathComponent("Clusters/kernels/\(chip)").path }
}

@Test(arguments: [
    ("h100-sxm", [DType.bf16, .fp8]), ("h200-sxm", [.bf16, .fp8]), ("b200", [.bf16, .fp8, .fp4]),
    ("gb200", [.bf16, .fp8, .fp4]), ("a100-sxm", [.bf16, .int8]),
])
func everyShippedChipLoads(_ chip: String, _ dtypes: [DType]) throws {
    let tables = try KernelTables.load(directory: ShippedKernels.directory(chip))
    #expect(tables.dtypesWithGEMM == dtypes)
    #expect(tables.collectiveS(.allReduce, bytes: 1_048_576, ranks: 2) != nil)
    #expect(tables.contextAttentionS(batch: 1, inputLength: 1024, heads: 32, kvHeads: 8, headSize: 128,
                                     dtype: .bf16, kvDType: .bf16) != nil)
    #expect(tables.generationAttentionS(batch: 8, context: 1024, heads: 32, kvHeads: 8, headSize: 128,
                                        kvDType: .bf16) != nil)
}

@Test func everyShippedChipFolderIsTested() throws {
    let folders = try FileManager.default.contentsOfDirectory(atPath: ShippedKernels.root.appendingPathComponent("Clusters/kernels").path)
        .filter { !$0.contains(".") && $0 != "NOTICE" }.sorted()
    #expect(folders == ["a100-sxm", "b200", "gb200", "h100-sxm", "h200-sxm"])
}

struct H200OrientationTests {
    let tables: KernelTables
    let bf16PeakFlops = 989e12  // H200 SXM dense BF16 (NVIDIA H200 datasheet); FP8 = 2×
    let hbmBytesPerS = 4.8e12   // H200 HBM3e (same datasheet)

    init() throws { tables = try KernelTables.load(directory: ShippedKernels.directory("h200-sxm")) }

    func efficiency(m: Double, dtype: DType, peak: Double) throws -> Double {
        let s = try #require(tables.gemmS(m: m, n: 8192, k: 16384, dtype: dtype))
        return 2 * m * 8192 * 16384 / s / peak
    }

    @Test func bf16GEMM() throws {
        #expect(abs(try efficiency(m: 256, dtype: .bf16, peak: bf16PeakFlops) - 0.70) <= 0.05)
        #expect(abs(try efficiency(m: 4096, dtype: .bf16, peak: bf16PeakFlops) - 0.84) <= 0.05)
        let s = try #require(tables.gemmS(m: 1, n: 8192, k: 16384, dtype: .bf16))
        #expect(abs(8192 * 16384 * 2 / s / 1e12 - 4.0) <= 0.3)
    }

    @Test func fp8GEMM() throws {
        #expect(abs(try efficiency(m: 256, dtype: .fp8, peak: 2 * bf16PeakFlops) - 0.51) <= 0.05)
        #expect(abs(try efficiency(m: 4096, dtype: .fp8, peak: 2 * bf16PeakFlops) - 0.65) <= 0.05)
        let s = try #require(tables.gemmS(m: 1, n: 8192, k: 16384, dtype: .fp8))
        #expect(abs(8192 * 16384 / s / 1e12 - 3.0) <= 0.3)
    }

    @Test func gemmBetweenGridPointsLiesBetweenThem() throws {
        let low = try #require(tables.gemmS(m: 256, n: 8192, k: 16384, dtype: .bf16))
        let mid = try #require(tables.gemmS(m: 300, n: 8192, k: 14000, dtype: .bf16))
        let high = try #require(tables.gemmS(m: 512, n: 8192, k: 16384, dtype: .bf16))
        let below = try #require(tables.gemmS(m: 256, n: 8192, k: 12288, dtype: .bf16))
        #expect(mid < high)
        #expect(mid > below)
        #expect(low < high)
        #expect(tables.gemmS(m: 1, n: 8192, k: 65536, dtype: .bf16) == nil)  // k 65536 had holes; dropped
    }

    @Test func decodeAttention() throws {
        // 64 query / 8 KV heads of 128, FP8 KV: K and V are 8 · 128 · 2 bytes per token.
        let s = try #require(tables.generationAttentionS(batch: 64, context: 4096, heads: 64, kvHeads: 8,
                                                         headSize: 128, kvDType: .fp8))
        #expect(abs(64 * 4096 * 8 * 128 * 2 / s / hbmBytesPerS - 0.82) <= 0.05)
        let one = try #require(tables.generationAttentionS(batch: 1, context: 1024, heads: 64, kvHeads: 8,
                                                           headSize: 128, kvDType: .fp8))
        #expect(abs(one * 1e6 - 8) <= 1.5)
    }

    @Test func allReduceOnEightGPUs() throws {
        let small = try #require(tables.collectiveS(.allReduce, bytes: 16384 * 2, ranks: 8))
        let large = try #require(tables.collectiveS(.allReduce, bytes: 4_194_304 * 2, ranks: 8))
        #expect(abs(small * 1e6 - 3.9) <= 0.39)
        #expect(abs(large * 1e6 - 77) <= 7.7)
        #expect(tables.collectiveS(.allReduce, bytes: 16384 * 2, ranks: 16) == nil)
    }
}

/// The fused-MoE table of B200 (moe.csv), read back at Qwen3-30B-A3B's shape (hidden 2,048,
/// experts 768 wide, top-8 of 128, FP4, no TP or EP): grid points exactly as written, log-log
/// between them, flat below the smallest count and linear past the largest; an untabled split is nil.
@Test func b200FusedMoETable() throws {
    let t = try KernelTables.load(directory: ShippedKernels.directory("b200"))
    func moe(_ tokens: Double, ep: Int = 1) -> Double? {
        t.moeS(tokens: tokens, hidden: 2048, inter: 768, topK: 8, experts: 128, tp: 1, ep: ep, dtype: .fp4)
    }
    #expect(moe(8192) == 1003e-6)
    #expect(moe(1) == 51.43e-6)
    #expect(abs(try #require(moe(0.25)) - 51.43e-6) < 1e-15)
    #expect(abs(try #require(moe(32768)) - 2 * 1776e-6) < 1e-12)
    // Between 4,096 (563.1 µs) and 6,144 (767.2 µs) the log-log line at 5,000.
    let w = log(5000.0 / 4096) / log(6144.0 / 4096)
    #expect(abs(try #require(moe(5000)) - exp(log(563.1) + w * log(767.2 / 563.1)) * 1e-6) < 1e-12)
    #expect(moe(1024, ep: 3) == nil)
    #expect(t.moeS(tokens: 64, hidden: 2048, inter: 768, topK: 8, experts: 128, tp: 1, ep: 1, dtype: .int8) == nil)
}

/// GB200 and B200 are one die: their fused-MoE tables at Qwen3-30B-A3B's shape agree within 15%
/// at every token count once each power-law cell is the chip's balanced latency times the pooled
/// power-law/balanced ratio (GB200's own draw ran 0.68–0.85× of B200's).
@Test func gb200AndB200FusedMoEAgree() throws {
    let b200 = try KernelTables.load(directory: ShippedKernels.directory("b200"))
    let gb200 = try KernelTables.load(directory: ShippedKernels.directory("gb200"))
    for tokens in [1.0, 16, 64, 256, 1024, 2048, 4096, 8192, 16384] {
        let b = try #require(b200.moeS(tokens: tokens, hidden: 2048, inter: 768, topK: 8, experts: 128, tp: 1, ep: 1, dtype: .fp4))
        let g = try #require(gb200.moeS(tokens: tokens, hidden: 2048, inter: 768, topK: 8, experts: 128, tp: 1, ep: 1, dtype: .fp4))
        #expect(abs(g / b - 1) <= 0.15, "\(tokens) tokens: GB200 / B200 = \(g / b)")
    }
}
