import ArgumentParser
import RuntimeMPI

/// `tessera doctor`: says what this machine has for Tessera, and what is missing.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the toolchain, MPI and host topology; under mpirun, report every rank.",
        discussion: """
            Run plainly, it prints the Swift toolchain, the MPI library, whether mpirun is on PATH and \
            the host topology, and the transport settings tessera gave MPI (your own UCX_TLS or \
            HWLOC_PLUGINS_BLACKLIST are kept and marked "yours"). Under `mpirun -n N tessera doctor`, \
            every rank reports its host, PU binding and the result of a 512 KiB all-reduce, and rank 0 prints them as a table.
            """)

    @Option(help: "The number of ranks you meant to start; a different world size is reported as a problem.")
    var expect: Int?

    @Flag(help: "Bind each rank to one core's PUs (rank r to core r mod cores) before reporting.")
    var bind = false

    func validate() throws {
        if let expect, expect < 1 { throw ValidationError("--expect must be at least 1, got \(expect)") }
    }

    func run() throws {
        let world = try RankCheck.world()
        let underLauncher = world.underLauncher
        var facts = DoctorFacts.gather()
        var problems: [String] = []

        if world.size == 1 && !underLauncher {
            guard !bind else { throw ValidationError("--bind applies to ranks started by mpirun") }
            printFacts(facts, worldLine: "1 rank (run plainly; `mpirun -n 4 tessera doctor` checks ranks)")
            if facts.mpirunPath == nil {
                problems.append("no mpirun on PATH: install MPICH with `make deps` (scripts/install-deps.sh)")
            }
            problems += expectProblems(worldSize: 1)
            return try finish(problems)
        }

        guard let reports = try RankCheck.run(bind: bind) else { return }
        facts.binding = nil  // Each rank's binding is in the table.
        printFacts(facts, worldLine: "\(world.size) rank\(world.size == 1 ? "" : "s") under mpirun")
        print("")
        DoctorRanks.table(reports).forEach { print($0) }
        DoctorRanks.oversubscribedHosts(reports, pusPerHost: facts.pus).forEach { print("note: \($0)") }
        if world.size == 1 {
            problems.append("a world of 1 rank: pass -n, as in `mpirun -n 4 tessera doctor`")
        }
        problems += expectProblems(worldSize: world.size)
        problems += reports.filter { !$0.allReduceCorrect }.map {
            "rank \($0.rank): all-reduce gave \(DoctorRanks.formatSum($0.allReduceSum)), expected \(world.size * (world.size + 1) / 2)"
        }
        try finish(problems)
    }

    private func printFacts(_ facts: DoctorFacts, worldLine: String) {
        let binding = facts.binding.map { " (this process: PUs \(formatPUList($0)))" } ?? ""
        let rows = [
            ["Swift toolchain", "built with \(facts.toolchain)"],
            ["MPI library", facts.mpiLibrary],
            ["mpirun", facts.mpirunPath ?? "not found on PATH"],
            ["host topology", facts.topologySummary + binding],
            ["MPI world", worldLine],
            ["MPI settings", RankCheck.mpiSettings.joined(separator: " ")],
        ]
        alignedTable(header: ["check", "finding"], rows: rows).dropFirst().forEach { print($0) }
    }

    private func expectProblems(worldSize: Int) -> [String] {
        guard let expect, expect != worldSize else { return [] }
        return ["expected \(expect) rank\(expect == 1 ? "" : "s"), but the world has \(worldSize): "
                + "start with `mpirun -n \(expect) tessera doctor`"]
    }

    private func finish(_ problems: [String]) throws {
        guard !problems.isEmpty else {
            print("\nNo problems found.")
            return
        }
        print("\nProblems:")
        problems.forEach { print("  - \($0)") }
        throw ExitCode(1)
    }
}
