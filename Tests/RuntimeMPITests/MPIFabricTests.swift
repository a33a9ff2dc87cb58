import MessagePassing
import Runtime
import Testing
@testable import RuntimeMPI

/// A world of one rank (MPICH's singleton) sending to itself: enough to check ordering, the stash,
/// the gather and the watchdog without mpirun.
@Suite(.serialized) struct MPIFabricTests {
    /// A fabric on a communicator of its own: other suites of the test run use the world (and the
    /// fabric's tags 0 and 1) at the same time, and its receive for any source would take their messages.
    func fabric(_ policy: WaitPolicy = .cooperative, watchdogSeconds: Double = 5) throws -> MPIFabric {
        let own = try #require(try MPIRuntime.world().split(color: 0, key: 0))
        return MPIFabric(world: own, policy: policy, watchdogSeconds: watchdogSeconds, maxOutstandingSends: 4)
    }

    @Test func tagsArrivingOutOfOrderAreReceivedByTagInOrderPerTag() throws {
        let fabric = try fabric()
        for (tag, time) in [(2, 0.1), (1, 0.2), (2, 0.3), (1, 0.4), (3, 0.5)] {
            try fabric.send(Message(source: 0, tag: tag, sendTimeS: time, arrivalTimeS: time + 1, bytes: 64), to: 0)
        }
        #expect(try fabric.receive(from: 0, tag: 3, waiting: "t3").sendTimeS == 0.5)
        #expect(try fabric.receive(from: 0, tag: 1, waiting: "t1").sendTimeS == 0.2)
        #expect(try fabric.receive(from: 0, tag: 2, waiting: "t2").sendTimeS == 0.1)
        #expect(try fabric.receive(from: 0, tag: 1, waiting: "t1").arrivalTimeS == 1.4)
        #expect(try fabric.receive(from: 0, tag: 2, waiting: "t2").bytes == 64)
        try fabric.flush()
        #expect(fabric.messagesSent == 5 && fabric.messagesReceived == 5)
    }

    @Test func payloadsArriveBitForBit() throws {
        let fabric = try fabric(.spin)
        let payload: [Float] = (0..<1000).map { Float($0) / 7 - 50 }
        try fabric.send(Message(source: 0, tag: 9, sendTimeS: 0, arrivalTimeS: 0, bytes: 4000, payload: payload), to: 0)
        #expect(try fabric.receive(from: 0, tag: 9, waiting: "payload").payload == payload)
    }

    @Test func aGatherOfOneRankIsItsOwnValue() throws {
        #expect(try fabric().allGather(0xdead_beef_0123_4567) == [0xdead_beef_0123_4567])
    }

    @Test func anUnmatchedReceiveEndsWithTheWatchdogNamingWhoWaitsOnWhom() throws {
        let fabric = try fabric(watchdogSeconds: 0.2)
        do {
            _ = try fabric.receive(from: 0, tag: 77, waiting: "the activations of layer 3")
            Issue.record("the receive returned")
        } catch let error as EmulatorError {
            guard case .watchdog(rank: 0, peer: 0, waiting: "the activations of layer 3", let seconds) = error else {
                Issue.record("another error: \(error)")
                return
            }
            #expect(seconds >= 0.2)
            #expect(error.description.hasPrefix("rank 0 waits on rank 0: the activations of layer 3 (watchdog: no progress for 0."))
            #expect(!error.isCollective)
        }
    }
}
