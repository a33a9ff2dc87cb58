#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// The names tessera gives shared-memory objects, each carrying the process whose life bounds
/// it, so a later job can tell a dead job's leftovers from a live job's objects.
enum SharedNames {
    /// A host's `RankBoard`, owned by hydra's proxy on that host (`startTicks` from /proc tell a reused pid apart).
    static func board(proxyPid: Int, startTicks: UInt64) -> String { "/tessera-ranks-\(proxyPid)-\(startTicks)" }

    /// A host's `Doorbells`, owned by the rank that created them.
    static func doorbells(creatorPid: Int) -> String { "/tessera-doorbells-\(creatorPid)" }

    /// The FIFO whose write end local rank `local` holds until it ends (a path in /dev/shm).
    static func exitFIFO(board: String, local: Int) -> String {
        "/dev/shm/" + board.dropFirst().replacingOccurrences(of: "tessera-ranks-", with: "tessera-exit-") + "-\(local)"
    }

    /// Whether `entry` (a name in /dev/shm) belongs to a process that is gone: its job died before
    /// unlinking it. Names of other programs, and of live owners, are not stale.
    static func isStale(_ entry: String) -> Bool {
        let parts = entry.split(separator: "-")
        guard parts.count >= 3, parts[0] == "tessera", let pid = Int32(parts[2]), pid > 0 else { return false }
        switch (parts[1], parts.count) {
        case ("doorbells", 3):
            return ProcessStatus.read(pid: Int(pid)) == nil
        case ("ranks", 4), ("exit", 5):
            guard let started = UInt64(parts[3]) else { return false }
            return ProcessStatus.read(pid: Int(pid))?.startTicks != started
        default:
            return false
        }
    }

    /// Unlinks the stale tessera names in /dev/shm (Linux keeps POSIX shared memory there); returns them.
    @discardableResult
    static func removeStale(directory: String = "/dev/shm") -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let stale = entries.filter { $0.hasPrefix("tessera-") && isStale($0) }
        stale.forEach { shm_unlink("/" + $0) }  // On Linux this unlinks /dev/shm/NAME, FIFOs included.
        return stale
    }
}

/// A process as /proc/PID/stat describes it (Linux), for checking peers that share the host.
struct ProcessStatus {
    /// `R`, `S`, `D`, `T` (stopped), `Z` (ended, not yet reaped), …
    var state: Character
    /// Clock ticks after boot when it started: with the pid, names one process for good.
    var startTicks: UInt64
    /// The wait status of an ended process (state `Z`): its signal is the low 7 bits.
    var exitCode: Int32

    /// Nil when there is no such process (any more).
    static func read(pid: Int) -> ProcessStatus? {
        guard pid > 0, let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return nil }
        // After "pid (comm)": field 3 (state) onwards; the command name may hold spaces and parentheses.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let state = fields[0].first, let started = UInt64(fields[19]) else { return nil }
        let exitCode = fields.count > 49 ? Int32(fields[49]) ?? 0 : 0
        return ProcessStatus(state: state, startTicks: started, exitCode: exitCode)
    }

    var ended: Bool { state == "Z" || state == "X" }
    var stopped: Bool { state == "T" }
}
