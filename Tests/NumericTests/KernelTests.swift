import Runtime
import Testing

/// True when every element is within `tolerance` of the hand-computed value.
func close(_ a: [Float], _ b: [Float], _ tolerance: Float = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

@Suite struct KernelTests {
    @Test func matmulTwoByThreeTimesThreeByTwo() {
        let x: [Float] = [1, 2, 3, 4, 5, 6], w: [Float] = [7, 8, 9, 10, 11, 12]
        #expect(Kernels.matmul(x, w, m: 2, k: 3, n: 2) == [58, 64, 139, 154])
        // A row-parallel split: x's column blocks times w's row blocks sum to the whole.
        let left = Kernels.matmul(Kernels.columns(x, width: 3, 0..<1), [7, 8], m: 2, k: 1, n: 2)
        let right = Kernels.matmul(Kernels.columns(x, width: 3, 1..<3), [9, 10, 11, 12], m: 2, k: 2, n: 2)
        #expect(Kernels.add(left, right) == [58, 64, 139, 154])
    }

    @Test func rmsNormOfThreeFour() {
        // mean(x²) = 12.5; x / 3.5355… · (2, 0.5).
        #expect(close(Kernels.rmsNorm([3, 4], weight: [2, 0.5], eps: 0), [1.697_056_3, 0.565_685_4]))
        #expect(close(Kernels.rmsNorm([3, 4, 6, 8], weight: [1, 1], eps: 0), [0.848_528_1, 1.131_370_8, 0.848_528_1, 1.131_370_8]))
    }

    @Test func layerNormOfOneTwoThree() {
        // mean 2, variance 2/3.
        #expect(close(Kernels.layerNorm([1, 2, 3], weight: [1, 1, 2], bias: [0, 0.5, 0], eps: 0),
                      [-1.224_744_9, 0.5, 2.449_489_7]))
    }

    @Test func rotaryAtPositionOne() {
        // headDim 4: pairs (0, 2) turn by 1 rad, pairs (1, 3) by 10000^(-1/2) = 0.01 rad.
        var x: [Float] = [1, 2, 3, 4]
        Kernels.rotary(&x, tokens: 1, heads: 1, headDim: 4, positionOffset: 1)
        #expect(close(x, [-1.984_110_6, 1.959_900_7, 2.462_378, 4.019_799_7]))
        var first: [Float] = [1, 2, 3, 4, 1, 2, 3, 4]
        Kernels.rotary(&first, tokens: 2, heads: 1, headDim: 4, positionOffset: 0)
        #expect(close(first, [1, 2, 3, 4, -1.984_110_6, 1.959_900_7, 2.462_378, 4.019_799_7]))
    }

    @Test func softmaxOfOneTwoThree() {
        #expect(close(Kernels.softmax([1, 2, 3, 0, 0, 0], width: 3),
                      [0.090_030_57, 0.244_728_47, 0.665_240_96, 1.0 / 3, 1.0 / 3, 1.0 / 3]))
    }

    @Test func activations() {
        #expect(close(Kernels.swiglu(gate: [1, 0], up: [2, 5]), [1.462_117_2, 0]))
        #expect(close(Kernels.gelu([1, 0, -1]), [0.841_192, 0, -0.158_808]))
    }

    @Test func topTwoRoutingRenormalises() {
        let choices = Kernels.routeTopK([0.5, 2.0, -1.0, 1.0, 0, 0, 3, 0], experts: 4, k: 2)
        #expect(choices[0].map(\.expert) == [1, 3])
        #expect(close(choices[0].map(\.weight), [0.731_058_6, 0.268_941_4]))
        // Ties go to the lower expert index.
        #expect(choices[1].map(\.expert) == [2, 0])
        #expect(close(choices[1].map(\.weight), [0.952_574_1, 0.047_425_87]))
    }

    @Test func causalAttentionOverCache() {
        // One head, headDim 2, two positions: row 0 sees only position 0, row 1 both.
        let out = Kernels.attention(q: [1, 0, 1, 0], tokens: 2, queryHeads: 0..<1, keys: [1, 0, 0, 1],
                                    values: [1, 2, 3, 4], positions: 2, kvHeads: 0..<1, headDim: 2, groupSize: 1)
        #expect(close(out, [1, 2, 1.660_476_9, 2.660_476_9]))
    }

    @Test func groupedQueryHeadsShareTheirKVHead() {
        // Four query heads, two KV heads (group 2): heads 2 and 3 read KV head 1 only.
        let out = Kernels.attention(q: [1, 0, 0, 1], tokens: 1, queryHeads: 2..<4, keys: [5, 6], values: [7, 8],
                                    positions: 1, kvHeads: 1..<2, headDim: 2, groupSize: 2)
        #expect(out == [7, 8, 7, 8])
    }

    @Test func argmaxTakesLowestOnTies() {
        #expect(Kernels.argmax([1, 3, 3, 4, 4, 1], width: 3) == [1, 0])
    }
}
