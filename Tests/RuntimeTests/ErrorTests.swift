import Foundation
import Testing
import Planner
@testable import Runtime

@Suite struct ErrorTests {
    @Test func rankCountMismatchNamesBothFigures() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2, dp: 2)
        let error = #expect(throws: FabricError.self) { try Fixtures.emulate(plan, ranks: 3) }
        #expect(error == .rankCount(started: 3, needed: 8, strategy: "TP2 PP2 DP2", oneReplica: false, replicaChiplets: 4))
        #expect(error?.description
                == "3 ranks started but the plan (TP2 PP2 DP2) has 8 chiplets; start 8 ranks, or 4 with --one-replica")
    }

    /// `make fuzz` crasher (plan seed 1 cases 867 and 1015): a hand-edited `"tiles": 8.2e12` trapped
    /// converting to the Program's Int32; lowering now refuses it in one line.
    @Test func hugeTileCountsAreRefused() throws {
        var plan = try Fixtures.plan(tp: 2)
        let name = plan.layerClasses[0].ops[0].name
        plan.layerClasses[0].ops[0].tiling.tiles = 8_200_000_000_000
        #expect { try Lowering.lower(plan: plan) } throws: {
            "\($0)" == "plan.layerClasses[0] op \(name): tiling.tiles: expected at most 1048576 (2^20), got 8200000000000"
        }
    }

    @Test func planHashMismatchNamesBothHashes() throws {
        let plan = try Fixtures.plan(tp: 2)
        var changed = plan
        changed.batch += 1
        let other = changed
        let results = InProcessFabric.run(ranks: 2) { fabric in
            try Emulation.run(plan: fabric.rank == 0 ? plan : other, fabric: fabric, options: EmulationOptions())
        }
        guard case .failure(let error) = results[0] else { Issue.record("rank 0 ran a mismatched plan"); return }
        #expect(error as? FabricError == .planHashes(rank0Hash: Emulation.planHash(plan), rank: 1, hash: Emulation.planHash(other)))
        let a = Emulation.hex(Emulation.planHash(plan)), b = Emulation.hex(Emulation.planHash(other))
        #expect(a != b)
        #expect("\(error)" == "ranks hold different plans: rank 0 has plan hash \(a), rank 1 has \(b); give every rank the same plan file")
    }

    /// How soon it fails is `tessera bench failures`' figure, not this test's.
    @Test func unmatchedReceiveFailsNamingWhoWaitsOnWhom() throws {
        let error = #expect(throws: FabricError.self) {
            try Harness.run([Harness.program(0, [.recv(Harness.transfer(1, bytes: 8))]), Harness.program(1, [])],
                            link: Harness.link)
        }
        #expect(error == .peerFinished(rank: 0, peer: 1, waiting: "recv from chiplet 1 tag 7 (stage send layer 0 microbatch 0 (prefill))"))
        #expect(error?.description == "rank 0 waits on rank 1, which has finished its program without sending it; "
                + "waiting for recv from chiplet 1 tag 7 (stage send layer 0 microbatch 0 (prefill))")
    }

    @Test func deadlockTimesOutNamingTheWaitAndThePeer() throws {
        let error = #expect(throws: FabricError.self) {
            try Harness.run([Harness.program(0, [.recv(Harness.transfer(1, bytes: 8))]),
                             Harness.program(1, [.recv(Harness.transfer(0, bytes: 8))])],
                            link: Harness.link, timeoutS: 0.5)
        }
        // Whichever rank gives up first, rank 0's error names the wait and the peer: it timed out
        // itself, or its peer did and ended first.
        switch error {
        case .receiveTimedOut(0, 1, 0.5, _)?, .peerFailed(0, 1, _, _)?: break
        default: Issue.record("rank 0 failed otherwise: \(String(describing: error))")
        }
        let text = error?.description ?? ""
        #expect(text.hasPrefix("rank 0 wait"))
        #expect(text.contains("waited 0.5 s on rank") && text.contains("waiting for recv from chiplet"))
    }

    @Test func numericModeRejectsAnUnsupportedSplit() throws {
        var options = EmulationOptions()
        options.numeric = true
        let plan = try Fixtures.plan(pp: 2, batch: 3)
        let error = #expect(throws: FabricError.self) { try Fixtures.emulate(plan, options) }
        #expect(error == .numericBatch(batch: 3, microbatches: 2, ep: 1))
        #expect(error?.description == "numeric mode needs the batch (3) to divide into 2 microbatches × EP 1")
    }
}
