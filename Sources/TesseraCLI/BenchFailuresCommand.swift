import ArgumentParser
import Benchmarks
import Foundation

/// `tessera bench failures`: how soon a failed run ends. The tests check what each failure says;
/// the time it takes is a figure of this machine, so it is printed here and asserted nowhere.
struct BenchFailuresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "failures",
        abstract: "Time how soon unmatched receives, deadlocks and watchdogs end a run.",
        discussion: """
            Four cases, each with the bound the design aims for: an in-process receive whose sender has \
            finished (at once; under 2 s), two in-process ranks waiting on each other with a 0.5 s timeout \
            (under 3 s), MPIFabric's watchdog at 0.2 s in one process (under 1 s), and a 4-rank \
            `mpirun … tessera emulate --inject-unmatched-recv --watchdog-seconds 2` job, start-up to abort \
            (under 10 s). Run from the repository root (it plans Workloads/tiny-llama.json).
            """)

    @Option(help: "The model of the emulated job.")
    var model = "Workloads/tiny-llama.json"

    @Option(help: "The cluster of the emulated job.")
    var cluster = "Clusters/corsair-rack.yaml"

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-bench-failures-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let plan = directory + "/plan.json"
        try BenchLaunch.tessera(["plan", "--model", model, "--cluster", cluster, "--scenario", "Workloads/scenarios/tiny-test.json",
                                 "--weights", "mxint8", "--activations", "mxint8", "--kv-cache", "mxint8",
                                 "--tp", "2", "--pp", "2", "-o", plan])
        let rows: [(String, Double, Double)] = [
            ("in-process receive from a finished rank", FailureTimes.inProcessUnmatchedReceive(), 2),
            ("in-process deadlock, 0.5 s timeout", FailureTimes.inProcessDeadlock(timeoutS: 0.5), 3),
            ("mpirun -n 4 emulate, unmatched receive, watchdog 2 s", try FailureTimes.emulateUnmatchedReceive(
                plan: plan, ranks: 4, watchdogS: 2), 10),
            // Last: it starts MPI in this process.
            ("MPIFabric watchdog at 0.2 s, one process", try FailureTimes.mpiFabricWatchdog(limitS: 0.2), 1),
        ]
        let lines = alignedTable(header: ["case", "seconds", "goal s", ""], rows: rows.map { name, seconds, goal in
            [name, String(format: "%.2f", seconds), String(format: "< %.0f", goal), seconds < goal ? "ok" : "SLOW"]
        }, rightAligned: [1, 2])
        lines.forEach { print($0) }
    }
}
