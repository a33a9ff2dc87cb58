import Runtime
import Testing

/// FP8, FP4, FP16 and BF16 rounding, each value worked by hand from the format's binades.
@Suite struct MiniFloatTests {
    @Test func e4m3RoundsToNearestEvenWithSubnormalsAndSaturates() {
        let f = MiniFloat.e4m3
        #expect(f.round(Double(0.3)) == 0.3125)          // binade [0.25, 0.5), quantum 1/32: 9.6 → 10
        #expect(f.round(Double(1.0625)) == 1)            // halfway 1 and 1.125: mantissa 000 is even
        #expect(f.round(Double(1.1875)) == 1.25)         // halfway 1.125 and 1.25: 010 is even
        #expect(f.round(Double(448)) == 448)             // the largest finite, S.1111.110
        #expect(f.round(Double(500)) == 448)             // saturates: no infinity in E4M3
        #expect(f.round(Double(-1000)) == -448)
        #expect(f.round(Double(0.001)) == 0.001953125)   // subnormal quantum 2^-9: 0.512 → 1
        #expect(f.round(Double(0.0009)) == 0)            // 0.46 quanta → 0
        #expect(f.maxExponent == 8)
    }

    @Test func e5m2HasTwoMantissaBitsAndAWiderRange() {
        let f = MiniFloat.e5m2
        #expect(f.round(Double(0.3)) == 0.3125)          // quantum 1/16: 4.8 → 5
        #expect(f.round(Double(1.125)) == 1)             // halfway 1 and 1.25: 00 is even
        #expect(f.round(Double(1e5)) == 57_344)
        #expect(f.maxExponent == 15)
    }

    @Test func e2m1HasEightMagnitudes() {
        let f = MiniFloat.e2m1
        #expect([0.25, 0.3, 0.75, 2.5, 3.5, 5, 7].map { f.round(Double($0)) } == [0, 0.5, 1, 2, 4, 4, 6])
        #expect(f.maxExponent == 2)
    }

    @Test func sixteenBitFormats() {
        #expect(MiniFloat.bf16.round(Double(1 + 0x1p-8)) == 1)                  // halfway: even
        #expect(MiniFloat.bf16.round(Double(1 + 3 * 0x1p-8)) == 1.015625)       // 129.5 quanta → 130
        #expect(MiniFloat.fp16.round(Double(1.0 / 3)) == 0.333251953125)        // Float16(1/3)
        #expect(MiniFloat.fp16.round(Double(65_520)) == 65_504)
    }
}
