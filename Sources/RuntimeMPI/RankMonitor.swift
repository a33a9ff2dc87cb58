#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
internal import CLinux
import Foundation

/// One process per host, started by its first rank (`RankBoard.join`), that outlives the ranks:
/// it reads each local rank's exit FIFO and, when a rank ends before its record says it finished
/// (and not by a Ctrl-C or SIGTERM it caught), prints one line naming the rank, its chiplet and
/// role, what it was doing and whom it waited on. Hydra then ends the job (it kills the other
/// ranks at once); the monitor exits once every local rank has ended, unlinking every
/// shared-memory name the host's ranks may have left (board, FIFOs, doorbells).
///
/// A rank stopped (SIGSTOP) for `stoppedLimitS` is reported the same way and killed, which ends the
/// job as a loss does, rather than after the watchdog's 30 s.
public enum RankMonitor {
    /// Runs the monitor of board `name` for `localRanks` ranks; returns when they have all ended.
    public static func run(name: String, localRanks: Int, stoppedLimitS: Double = 2, periodS: Double = 0.1) {
        guard (2...RankBoard.maxLocalRanks).contains(localRanks),
              let board = RankBoard.map(name: name, localRank: -1, localRanks: localRanks, create: false) else { return }
        board.setHeader(.monitorPid, getpid())
        guard var fds = open(board, name: name) else { return }
        board.setHeader(.monitorState, RankBoard.MonitorState.watching.rawValue)
        var pids = (0..<localRanks).map { board.record($0).pid }
        defer { unlinkLeftovers(name: name, localRanks: localRanks, pids: pids) }
        // epoll, not poll: its ready list keeps the order the FIFOs hung up in, so the lost rank
        // comes first even when this process wakes after hydra's clean-up has ended the others.
        let epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        guard epoll >= 0 else { return }
        defer { close(epoll) }
        for i in fds.indices where fds[i] >= 0 {
            var event = epoll_event(events: EPOLLHUP.rawValue, data: epoll_data_t(u64: UInt64(i)))
            epoll_ctl(epoll, EPOLL_CTL_ADD, fds[i], &event)
        }
        var reported = false
        var stoppedSince = [Double?](repeating: nil, count: localRanks)
        var events = [epoll_event](repeating: epoll_event(), count: localRanks)
        while fds.contains(where: { $0 >= 0 }) {
            let count = epoll_wait(epoll, &events, Int32(events.count), Int32(periodS * 1000))
            var ended: [Int] = []
            for event in events.prefix(max(Int(count), 0)) {
                let i = Int(event.data.u64)
                guard fds.indices.contains(i), fds[i] >= 0 else { continue }
                epoll_ctl(epoll, EPOLL_CTL_DEL, fds[i], nil)
                close(fds[i])
                fds[i] = -1
                ended.append(i)
            }
            let lost = ended.map { board.record($0) }.filter { !$0.done && ![SIGINT, SIGTERM, SIGHUP].contains($0.signal) }
            // The first to hang up is the lost rank; the rest are hydra's clean-up of it.
            if !reported, let first = lost.first {
                reported = true
                say(line(first, how: "its process \(first.pid) ended unfinished: kill -9, a crash or the OOM killer"))
            }
            // Stopped ranks: /proc says `T`; a stop of the whole job (Ctrl-Z) stops this monitor too.
            let now = ProcessInfo.processInfo.systemUptime
            for i in fds.indices where fds[i] >= 0 {
                if pids[i] == 0 { pids[i] = board.record(i).pid }
                guard ProcessStatus.read(pid: Int(pids[i]))?.stopped == true else {
                    stoppedSince[i] = nil
                    continue
                }
                let since = stoppedSince[i] ?? now
                stoppedSince[i] = since
                if now - since >= stoppedLimitS && !reported {
                    reported = true
                    say(line(board.record(i), how: String(format: "stopped (SIGSTOP) for %.1f s", now - since)))
                    kill(pids[i], SIGKILL)
                }
            }
        }
    }

    /// Opens every local rank's exit FIFO once the rank has published its record (waiting up to
    /// 30 s for ranks still starting), then unlinks the board's and the FIFOs' names: from here the
    /// mappings and open descriptors keep them, and nothing is left in /dev/shm. Nil when a rank
    /// that had published ended meanwhile: the job is over (hydra ends the rest), and mpirun waits
    /// for this process.
    private static func open(_ board: RankBoard, name: String) -> [Int32]? {
        let deadline = Date().addingTimeInterval(30)
        var fds: [Int32] = []
        func anyGone() -> Bool {
            (0..<board.localRanks).contains { local in
                let pid = board.record(local).pid
                return pid != 0 && ProcessStatus.read(pid: Int(pid)).map(\.ended) != false
            }
        }
        for local in 0..<board.localRanks {
            while board.record(local).pid == 0 && Date() < deadline {
                if anyGone() { return nil }
                usleep(2_000)
            }
            let path = SharedNames.exitFIFO(board: name, local: local)
            let fd = board.record(local).pid == 0 ? -1 : Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            fds.append(fd)
            unlink(path)
        }
        shm_unlink(name)
        return fds
    }

    /// The board's and FIFOs' names (if a rank never came up), and the doorbells of any local rank.
    private static func unlinkLeftovers(name: String, localRanks: Int, pids: [Int32]) {
        shm_unlink(name)
        for local in 0..<localRanks { unlink(SharedNames.exitFIFO(board: name, local: local)) }
        for pid in pids where pid > 0 { shm_unlink(SharedNames.doorbells(creatorPid: Int(pid))) }
    }

    private static func say(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// `emulate: rank 3 (chiplet 3: stage 1, TP rank 1) lost (…) while in decode step 12, waiting on rank 2`
    static func line(_ record: RankBoard.Record, how: String) -> String {
        var text = "emulate: rank \(record.worldRank)"
        if !record.role.isEmpty { text += " (\(record.role))" }
        text += " lost (\(how)) while in \(record.activity?.description(step: record.step) ?? "start-up")"
        if let peer = record.waitingOn { text += ", waiting on rank \(peer)" }
        return text
    }
}
