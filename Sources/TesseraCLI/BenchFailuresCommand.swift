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
            Each case with the bound the design aims for: an in-process receive whose sender has \
            finished (at once; under 2 s), two in-process ranks waiting on each other with a 0.5 s timeout \
            (under 3 s), MPIFabric's watchdog at 0.2 s in one process (under 1 s), a 4-rank \
            `mpirun … tessera emulate --inject-unmatched-recv --watchdog-seconds 2` job, start-up to abort \
            (under 10 s), `kill -9` of rank 3 of a running 4-rank emulation (kill to mpirun's exit, under \
            10 s; whether a line named the rank, and names left in /dev/shm), SIGSTOP of rank 2 (named and \
            ended after 2 s stopped), and `kill -9` of rank 15 of \
            16 as soon as the doorbells appear in /dev/shm, --setup-tries times (names left). Run from the \
            repository root (it plans Workloads/tiny-llama.json).
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
        let longPlan = try planLong(directory: directory)
        var rows: [(String, Double, Double, String)] = [
            ("in-process receive from a finished rank", FailureTimes.inProcessUnmatchedReceive(), 2, ""),
            ("in-process deadlock, 0.5 s timeout", FailureTimes.inProcessDeadlock(timeoutS: 0.5), 3, ""),
            ("mpirun -n 4 emulate, unmatched receive, watchdog 2 s", try FailureTimes.emulateUnmatchedReceive(
                plan: plan, ranks: 4, watchdogS: 2), 10, ""),
        ]
        // kill -9 of rank 3 in decode step ~3 of a long run: kill to mpirun's exit.
        if let kill = try FailureTimes.killRank(plan: longPlan, ranks: 4, victim: 3,
                                                arguments: ["--wait", "cooperative", "--progress-every-seconds", "0"],
                                                ready: { errors, _ in errors.contains("decode step 3 of") }) {
            rows.append(("mpirun -n 4 emulate, kill -9 of rank 3", kill.seconds, 10,
                         "\(kill.named ? "named rank 3" : "rank 3 NOT named"), exit \(kill.exitStatus), "
                         + "\(kill.leftovers.count) names left in /dev/shm"))
        }
        // SIGSTOP of rank 2: the monitor names and kills it after 2 s stopped (the watchdog would take 30 s).
        if let stop = try FailureTimes.killRank(plan: longPlan, ranks: 4, victim: 2, signal: SIGSTOP,
                                                arguments: ["--wait", "cooperative", "--progress-every-seconds", "0"],
                                                ready: { errors, _ in errors.contains("decode step 3 of") }) {
            rows.append(("mpirun -n 4 emulate, SIGSTOP of rank 2", stop.seconds, 10,
                         "\(stop.named ? "named rank 2" : "rank 2 NOT named"), exit \(stop.exitStatus), "
                         + "\(stop.leftovers.count) names left in /dev/shm"))
        }
        // kill -9 of the last rank as soon as the doorbells appear in /dev/shm (16 ranks set them up).
        var killed = 0, left = 0, named = 0, slowest = 0.0
        for _ in 0..<setupTries {
            guard let kill = try FailureTimes.killRank(plan: longPlan16(directory: directory), ranks: 16, victim: 15,
                                                       arguments: ["--wait", "cooperative"],
                                                       ready: { _, shm in shm.contains { $0.hasPrefix("tessera-doorbells-") } })
            else { continue }
            killed += 1
            left += kill.leftovers.count
            named += kill.named ? 1 : 0
            slowest = max(slowest, kill.seconds)
        }
        rows.append(("mpirun -n 16 emulate, kill -9 during doorbell set-up (slowest)", slowest, 10,
                     "\(killed) of \(setupTries) tries killed in set-up, \(named) named, \(left) names left in /dev/shm"))
        // Last: it starts MPI in this process.
        rows.append(("MPIFabric watchdog at 0.2 s, one process", try FailureTimes.mpiFabricWatchdog(limitS: 0.2), 1, ""))
        let lines = alignedTable(header: ["case", "seconds", "goal s", "", ""], rows: rows.map { name, seconds, goal, note in
            [name, String(format: "%.2f", seconds), String(format: "< %.0f", goal), seconds < goal ? "ok" : "SLOW", note]
        }, rightAligned: [1, 2])
        lines.forEach { print($0) }
    }

    @Option(help: "Tries of the kill during doorbell set-up.")
    var setupTries = 5

    /// The tiny model at TP 2 × PP 2 with 100,000 output tokens: a run that lasts until it is killed.
    func planLong(directory: String) throws -> String {
        try planTiny(directory: directory, name: "long", strategy: ["--tp", "2", "--pp", "2"])
    }

    /// The same at TP 4 × PP 4 (16 ranks).
    func longPlan16(directory: String) throws -> String {
        let path = directory + "/long16.json"
        if FileManager.default.fileExists(atPath: path) { return path }
        return try planTiny(directory: directory, name: "long16", strategy: ["--tp", "4", "--pp", "4"])
    }

    private func planTiny(directory: String, name: String, strategy: [String]) throws -> String {
        let scenario = directory + "/long-scenario.json"
        var fields = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "Workloads/scenarios/tiny-test.json"))) as? [String: Any] ?? [:]
        fields["outputTokens"] = 100_000
        try JSONSerialization.data(withJSONObject: fields).write(to: URL(fileURLWithPath: scenario))
        let path = directory + "/\(name).json"
        try BenchLaunch.tessera(["plan", "--model", model, "--cluster", cluster, "--scenario", scenario,
                                 "--weights", "mxint8", "--activations", "mxint8", "--kv-cache", "mxint8",
                                 "-o", path] + strategy)
        return path
    }
}
