#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Runtime
@testable import RuntimeMPI

/// Which names in /dev/shm a new job may remove: those whose owning process is gone (or is
/// another process under a reused pid), never a live job's, never another program's.
@Suite struct SharedNamesTests {
    let me = Int(getpid())

    @Test func namesOfLiveOwnersStayAndOfDeadOnesGo() throws {
        let started = try #require(ProcessStatus.read(pid: me)?.startTicks)
        #expect(!SharedNames.isStale("tessera-doorbells-\(me)"))
        #expect(!SharedNames.isStale("tessera-ranks-\(me)-\(started)"))
        #expect(!SharedNames.isStale("tessera-exit-\(me)-\(started)-3"))
        // The same pid with another start time: the pid was reused, the job is gone.
        #expect(SharedNames.isStale("tessera-ranks-\(me)-\(started + 1)"))
        #expect(SharedNames.isStale("tessera-exit-\(me)-\(started + 1)-0"))
        // Above the kernel's largest pid (2^22), so never alive.
        #expect(SharedNames.isStale("tessera-doorbells-99999999"))
        for other in ["tessera-doorbells-x", "tessera-other-\(me)", "sem.tessera-doorbells-1", "tessera-doorbells-0"] {
            #expect(!SharedNames.isStale(other), "\(other)")
        }
    }

    @Test func theExitFIFOLivesBesideTheBoard() {
        #expect(SharedNames.exitFIFO(board: "/tessera-ranks-12-345", local: 7) == "/dev/shm/tessera-exit-12-345-7")
    }

    @Test func theLineNamesRankRoleActivityAndPeer() {
        let record = RankBoard.Record(pid: 41, worldRank: 3, activity: .decode, step: 11, waitingOn: 2, done: false, signal: 0,
                                      role: "chiplet 3: stage 1, TP rank 1")
        #expect(RankMonitor.line(record, how: "killed") ==
                "emulate: rank 3 (chiplet 3: stage 1, TP rank 1) lost (killed) while in decode step 12, waiting on rank 2")
        let starting = RankBoard.Record(pid: 41, worldRank: 0, activity: .startUp, step: 0, waitingOn: nil, done: false,
                                        signal: 0, role: "")
        #expect(RankMonitor.line(starting, how: "killed") == "emulate: rank 0 lost (killed) while in start-up")
    }
}
