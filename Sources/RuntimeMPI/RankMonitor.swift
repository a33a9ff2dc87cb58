#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
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
        var fds = open(board, name: name)
        board.setHeader(.monitorState, RankBoard.MonitorState.watching.rawValue)
        var pids = (0..<localRanks).map { board.record($0).pid }
        defer { unlinkLeftovers(name: name, localRanks: localRanks, pids: pids) }
        var reported = false
        var stoppedSince = [Double?](repeating: nil, count: localRanks)
        while fds.contains(where: { $0.fd >= 0 }) {
            _ = poll(&fds, nfds_t(fds.count), Int32(periodS * 1000))
            var ended: [Int] = []
            for i in fds.indices where fds[i].fd >= 0 && fds[i].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                close(fds[i].fd)
                fds[i].fd = -1
                ended.append(i)
            }
            let lost = ended.map { board.record($0) }.filter { !$0.done && ![SIGINT, SIGTERM, SIGHUP].contains($0.signal) }
            if !reported, let first = lost.first {
                reported = true
                let also = lost.dropFirst().map { "\($0.worldRank)" }
                say(line(first, how: "its process \(first.pid) ended unfinished: kill -9, a crash or the OOM killer"
                         + (also.isEmpty ? "" : "; ranks \(also.joined(separator: ", ")) ended at the same moment")))
            }
            // Stopped ranks: /proc says `T`; a stop of the whole job (Ctrl-Z) stops this monitor too.
            let now = ProcessInfo.processInfo.systemUptime
            for i in fds.indices where fds[i].fd >= 0 {
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
    /// mappings and open descriptors keep them, and nothing is left in /dev/shm.
    private static func open(_ board: RankBoard, name: String) -> [pollfd] {
        let deadline = Date().addingTimeInterval(30)
        var fds: [pollfd] = []
        for local in 0..<board.localRanks {
            while board.record(local).pid == 0 && Date() < deadline { usleep(2_000) }
            let path = SharedNames.exitFIFO(board: name, local: local)
            let fd = board.record(local).pid == 0 ? -1 : Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
            fds.append(pollfd(fd: fd, events: 0, revents: 0))
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
