#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import RuntimeMPI

/// Two mappings of one host object in one process stand in for two ranks; the rings are the same
/// semaphores either way.
@Suite(.serialized) struct DoorbellsTests {
    let name = SharedNames.doorbells(creatorPid: Int(getpid()))
    /// Ranks 0, 1 and 3 share the host; rank 2 is elsewhere.
    let local = [true, true, false, true]

    @Test func ringsReachThePeerThroughAnotherMappingAndOneWaitTakesThemAll() throws {
        let creator = try #require(Doorbells.create(name: name, rank: 0, local: local))
        let peer = try #require(Doorbells.attach(name: name, rank: 3, local: local))
        Doorbells.unlink(name: name)
        creator.ring(3)
        creator.ring(3)
        #expect(peer.pendingRings(3) == 2 && creator.pendingRings(3) == 2)
        #expect(peer.pendingRings(1) == 0)
        peer.wait(timeoutNs: 0)
        #expect(creator.pendingRings(3) == 0)
        // A ring for a rank on another host is not this host's business.
        creator.ring(2)
        #expect(creator.pendingRings(2) == 0)
    }

    @Test func aWaitWithoutRingsEndsAtItsTimeout() throws {
        let bells = try #require(Doorbells.create(name: name, rank: 1, local: local))
        Doorbells.unlink(name: name)
        bells.wait(timeoutNs: 1_000_000)
        #expect(bells.pendingRings(1) == 0)
    }

    @Test func onceUnlinkedNoRankCanAttachAndALeftoverIsReplaced() throws {
        let first = try #require(Doorbells.create(name: name, rank: 0, local: local))
        first.ring(1)
        // A second create under the same name (a dead job's leftover) starts afresh.
        let second = try #require(Doorbells.create(name: name, rank: 0, local: local))
        #expect(second.pendingRings(1) == 0 && first.pendingRings(1) == 1)
        Doorbells.unlink(name: name)
        #expect(Doorbells.attach(name: name, rank: 1, local: local) == nil)
    }

    @Test func theKeyHoldsTheHostAboveTheProcessID() {
        let a = Doorbells.key(hostName: "node-a"), b = Doorbells.key(hostName: "node-b")
        #expect(a & 0xffff_ffff == UInt64(getpid()))
        #expect(a >> 32 == Doorbells.key(hostName: "node-a") >> 32)
        #expect(a >> 32 != b >> 32)
    }
}
