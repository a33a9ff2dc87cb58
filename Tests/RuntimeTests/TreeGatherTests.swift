import Testing
@testable import Runtime

@Suite struct TreeGatherTests {
    @Test func binomialTreeOfSixRanks() {
        // 0 → 1, 2, 4; 2 → 3; 4 → 5.
        #expect((0..<6).map { BinomialTree.children(of: $0, size: 6) } == [[1, 2, 4], [], [3], [], [5], []])
        #expect((0..<6).map { BinomialTree.parent(of: $0) } == [nil, 0, 0, 2, 0, 4])
        #expect((0..<6).map { BinomialTree.span(of: $0, size: 6) } == [6, 1, 2, 1, 2, 1])
    }

    @Test func everyRankOfA256RankTreeHasOneParentAndRootTalksToEight() {
        let size = 256
        var parents = [Int](repeating: -1, count: size)
        for r in 0..<size { for c in BinomialTree.children(of: r, size: size) { parents[c] = r } }
        #expect(parents[0] == -1)
        #expect((1..<size).allSatisfy { parents[$0] == BinomialTree.parent(of: $0) })
        #expect(BinomialTree.children(of: 0, size: size).count == 8)
        // A subtree is its root plus its children's subtrees.
        #expect((0..<size).allSatisfy { r in
            BinomialTree.span(of: r, size: size) == 1 + BinomialTree.children(of: r, size: size)
                .map { BinomialTree.span(of: $0, size: size) }.reduce(0, +)
        })
    }

    @Test(arguments: [1, 2, 5, 8, 13])
    func gatherBringsEveryPayloadToRankZeroInRankOrder(ranks: Int) throws {
        // Rank r sends r floats of value r (rank 0 an empty payload).
        let results = InProcessFabric.run(ranks: ranks) { fabric in
            try fabric.gatherToRoot([Float](repeating: Float(fabric.rank), count: fabric.rank), tag: 7, what: "test")
        }
        let gathered = try results.map { try $0.get() }
        #expect(gathered[0] == (0..<ranks).map { [Float](repeating: Float($0), count: $0) })
        #expect(gathered.dropFirst().allSatisfy { $0 == nil })
    }

    @Test(arguments: [1, 3, 8, 11])
    func broadcastGivesRankZerosPayloadToAll(ranks: Int) throws {
        let results = InProcessFabric.run(ranks: ranks) { fabric in
            try fabric.broadcastFromRoot(fabric.rank == 0 ? [1.5, -2, 3] : [9], tag: 8, what: "test")
        }
        #expect(try results.map { try $0.get() } == [[Float]](repeating: [1.5, -2, 3], count: ranks))
    }

    @Test func aTruncatedFrameIsAnErrorNamingTheRank() {
        var w = FloatWriter()
        w.put(5); w.floats += [1, 2]
        #expect(throws: FabricError.gatherPartTooLong(source: 3, part: 0, claims: 5, remaining: 2)) {
            try FloatFrames.split(w.floats, count: 1, source: 3)
        }
        do { _ = try FloatFrames.split(w.floats, count: 1, source: 3) } catch {
            #expect("\(error)" == "rank 3 sent a gather whose part 0 claims 5 floats; 2 remain")
        }
    }
}
