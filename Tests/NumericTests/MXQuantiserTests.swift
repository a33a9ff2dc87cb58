import Runtime
import Testing

/// OCP MX blocks: one power-of-two scale per 32 elements.
@Suite struct MXQuantiserTests {
    @Test func sharedExponentIsFloorLog2OfTheBlockMaxMinusElementEmax() {
        #expect(MXQuantiser.mxfp4.scaleExponent(absMax: 3) == -1)    // ⌊log2 3⌋ = 1, E2M1 emax 2
        #expect(MXQuantiser.mxint8.scaleExponent(absMax: 3) == 1)    // fixed point emax 0
        #expect(MXQuantiser.mxint8.scaleExponent(absMax: 0) == 0)
        #expect(MXQuantiser.mxint8.scaleExponent(absMax: 1e-40) == -127)   // E8M0's floor
    }

    @Test func mxfp4Block() {
        // absMax 7: X = 2^(2−2) = 1; 5 ties to 4, 7 saturates to 6, 0.1 is 0.2 quanta of 0.5 → 0.
        #expect(MXQuantiser.mxfp4.rows([1, 0.5, -3, 5, 7, 0.1], width: 6) == [1, 0.5, -3, 4, 6, 0])
    }

    @Test func mxint8AndMxint4Blocks() {
        // absMax 3: X = 2; elements 1.5, 0.005, −0.75 in steps of 2^-6: 96, 0, −48.
        #expect(MXQuantiser.mxint8.rows([3, 0.01, -1.5], width: 3) == [3, 0, -1.5])
        #expect(MXQuantiser.mxint8.rows([1.99], width: 1) == [1.984375])   // 127.36 → 127 steps
        #expect(MXQuantiser.mxint4.rows([1, 0.3], width: 2) == [1, 0.25])  // steps of 0.25
    }

    @Test func blocksAreThirtyTwoWideAlongRowsAndDownColumns() {
        var x = [Float](repeating: 0.1, count: 64)
        x[40] = 100
        // Block 1: X = 2^-4, 0.1 → 102 steps of 2^-6 → 0.099609375. Block 2: X = 64, 0.1 → 0, 100 exact.
        let rows = MXQuantiser.mxint8.rows(x, width: 64)
        #expect(rows[0] == 0.099609375 && rows[31] == 0.099609375 && rows[32] == 0 && rows[40] == 100)
        // The same 64 values as one column of a 64 × 2 weight: blocks run along K.
        let w: [Float] = x.flatMap { [$0, 1] }
        let q = MXQuantiser.mxint8.weights(w, rows: 64, cols: 2)
        #expect((0..<64).map { q[$0 * 2] } == rows)
        #expect((0..<64).allSatisfy { q[$0 * 2 + 1] == 1 })
    }
}
