import ModelGraph
import Runtime
import Testing

/// Each format's weight and row rounding through `NumericFormat`.
@Suite struct FormatRoundingTests {
    @Test func fp8WeightsShareOnePerTensorScale() {
        // absMax 896 maps onto 448 (scale 2): 0.15 in E4M3 is 10 quanta of 2^-6 = 0.15625.
        #expect(NumericFormat.fp8E4M3.roundWeights([896, 0.3], rows: 2, cols: 1) == [896, 0.3125])
    }

    @Test func calibratedActivationsSaturateBeyondTheirScale() {
        #expect(NumericFormat.int8Channel.roundRows([1, 300, -0.25], width: 3, absMax: 127) == [1, 127, 0])
        #expect(NumericFormat.fp32.roundRows([1, 300], width: 2, absMax: 0) == [1, 300])
    }

    @Test func everyFormatPricesAsItsDType() {
        #expect(NumericFormat.allCases.map(\.dtype.rawValue)
            == ["fp32", "bf16", "fp16", "fp8", "fp8", "int8", "int8", "int4", "int4", "mxint8", "mxint4", "fp4"])
    }
}
