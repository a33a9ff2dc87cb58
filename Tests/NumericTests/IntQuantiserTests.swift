import Runtime
import Testing

/// Symmetric integer scales per channel and per group.
@Suite struct IntQuantiserTests {
    @Test func int8PerChannelScalesEachColumnByItsAbsMax() {
        // K = 3, N = 2: column 0 is (1.1, −2, 0.7), scale 2/127; column 1 is (0.1, 0.25, −0.4), scale 0.4/127.
        let w: [Float] = [1.1, 0.1, -2, 0.25, 0.7, -0.4]
        let q = IntQuantiser.int8.weights(w, rows: 3, cols: 2, groupRows: nil)
        // 69.85 → 70, 31.75 → 32, 79.375 → 79 and 44.45 → 44 quanta.
        let want: [Float] = [70 * 2 / 127, 32 * 0.4 / 127, -2, 79 * 0.4 / 127, 44 * 2 / 127, -0.4]
        #expect(close(q, want, 1e-6))
    }

    @Test func int4GroupsOfTwoRows() {
        // One column of 4 rows: group (1, 7) has scale 1; group (0.5, −0.25) has scale 0.5/7 and −3.5 → −4.
        let q = IntQuantiser.int4.weights([1, 7, 0.5, -0.25], rows: 4, cols: 1, groupRows: 2)
        #expect(close(q, [1, 7, 0.5, -4 * 0.5 / 7], 1e-6))
        #expect(IntQuantiser.int4.qmax == 7)
    }

    @Test func aStaticScaleSaturates() {
        #expect(IntQuantiser.int8.round(300, scale: 1) == 127)
        #expect(IntQuantiser.int8.round(-300, scale: 1) == -127)
        #expect(IntQuantiser.int8.scale(absMax: 0) == 1)
    }
}
