import ModelGraph
@testable import Planner
import Testing

/// The published measurements of shared/reference/calibration.md (TensorRT-LLM, Llama-2-70B,
/// static batching). The efficiency figures in Clusters/dgx-a100.yaml and hgx-h200.yaml (GEMM
/// fraction of peak, per-op fixed cost) were set against these five points together; each case
/// states the error bound the model meets. Row 2 is the model's known miss: at batch 512 with
/// 2,048 output tokens TensorRT-LLM v0.5 decodes ~2.5× slower than its weight, KV and FLOP
/// traffic explain — the v0.5 attention kernel, not physics we model — so its bound is wide.
@Suite struct CalibrationTests {
    struct Case: Sendable, CustomStringConvertible {
        var row: Int, cluster: String, tp: Int, batch: Int, input: Int, output: Int, dtype: DType
        var measured: Double, ttft: Bool, bound: ClosedRange<Double>
        var description: String { "calibration row \(row)" }
    }

    static let cases: [Case] = [
        Case(row: 1, cluster: "hgx-h200", tp: 1, batch: 512, input: 128, output: 128, dtype: .fp8,
             measured: 3014, ttft: false, bound: -0.10...0.10),
        Case(row: 2, cluster: "hgx-h200", tp: 4, batch: 512, input: 128, output: 2048, dtype: .fp8,
             measured: 6616, ttft: false, bound: 0.0...0.70),
        Case(row: 3, cluster: "hgx-h200", tp: 2, batch: 64, input: 2048, output: 128, dtype: .fp8,
             measured: 682, ttft: false, bound: -0.20...0.10),
        Case(row: 4, cluster: "dgx-a100", tp: 4, batch: 1, input: 128, output: 1, dtype: .fp16,
             measured: 47, ttft: true, bound: -0.15...0.15),
        Case(row: 5, cluster: "dgx-a100", tp: 4, batch: 1, input: 2048, output: 1, dtype: .fp16,
             measured: 377, ttft: true, bound: -0.10...0.10),
    ]

    @Test(arguments: cases)
    func predictionWithinStatedError(_ c: Case) throws {
        let e = try evaluator("llama-2-70b", c.cluster, input: c.input, output: c.output, batch: c.batch,
                              mode: .static, precision: Precision(c.dtype))
        let m = try #require(e.evaluate(Candidate(strategy: Strategy(tp: c.tp), batch: c.batch)).metrics)
        let predicted = c.ttft ? m.ttftMs : m.outputTokensPerSecond
        let error = predicted / c.measured - 1
        #expect(c.bound.contains(error), "row \(c.row): predicted \(predicted), measured \(c.measured), error \(error)")
    }
}
