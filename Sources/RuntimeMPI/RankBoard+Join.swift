#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import Foundation

/// The board this process joined, kept for the life of the process (its signal handlers write to it).
nonisolated(unsafe) private var joinedBoard: RankBoard?
/// Where the handlers of SIGINT, SIGTERM and SIGHUP record the signal (read once, before any signal).
nonisolated(unsafe) private var endingSignalSlot: UnsafeMutablePointer<Int32>?

extension RankBoard {
    /// Joins this host's board as a rank of a job hydra started: maps it, holds this rank's exit
    /// FIFO, publishes the record, and records SIGINT/SIGTERM/SIGHUP (so a Ctrl-C is not reported as
    /// a loss). The host's first rank first removes stale names of dead jobs, then starts the host's
    /// `RankMonitor` (`monitorArguments` after this executable) and waits up to 5 s until it
    /// watches. Nil outside hydra, with one rank on the host, or when the system refuses: the job
    /// then runs as before, only a lost rank goes unnamed.
    public static func join(monitorArguments: (String, Int) -> [String],
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> RankBoard? {
        if let joinedBoard { return joinedBoard }
        guard let place = place(environment: environment) else { return nil }
        if place.local == 0 { SharedNames.removeStale() }
        guard let board = map(name: place.name, localRank: place.local, localRanks: place.count, create: true) else { return nil }
        let fifo = SharedNames.exitFIFO(board: place.name, local: place.local)
        guard mkfifo(fifo, 0o600) == 0 || errno == EEXIST else { return nil }
        // Held open for good (never closed, not inherited): the kernel closes it when this process ends.
        guard open(fifo, O_RDWR | O_CLOEXEC) >= 0 else { return nil }
        board.publish(worldRank: place.world)
        joinedBoard = board
        endingSignalSlot = board.signalSlot
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                endingSignalSlot?.pointee = sig
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
        if place.local == 0 {
            if !spawnMonitor(monitorArguments(place.name, place.count)) {
                board.setHeader(.monitorState, MonitorState.absent.rawValue)
            }
            // The monitor unlinks the names once it watches; start-up waits for it so a rank lost
            // later (while the doorbells are set up, say) always has a monitor to clean up after it.
            let deadline = Date().addingTimeInterval(5)
            while board.header(.monitorState) == MonitorState.starting.rawValue && Date() < deadline { usleep(2_000) }
        }
        return board
    }

    /// Starts `/proc/self/exe arguments…` in a session of its own (hydra's clean-up kills the ranks'
    /// process groups, not it), with standard input and output on /dev/null, standard error shared
    /// (hydra forwards it, and mpirun waits for it to close), and no other descriptor.
    private static func spawnMonitor(_ arguments: [String]) -> Bool {
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        posix_spawnattr_setflags(&attributes, 0x80)  // POSIX_SPAWN_SETSID (glibc ≥ 2.26), which Swift does not import
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        // Hydra's PMI socket among them: the monitor must not keep it open.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }
        let executable = "/proc/self/exe"
        var argv: [UnsafeMutablePointer<CChar>?] = (["tessera"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        return posix_spawn(&pid, executable, &actions, &attributes, &argv, environ) == 0
    }
}
