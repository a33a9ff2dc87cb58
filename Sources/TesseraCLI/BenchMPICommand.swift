import ArgumentParser
import Benchmarks
import Foundation
import MessagePassing

/// `tessera bench mpi`: all-reduce and ping-pong times for blocking, spinning and cooperative waits.
struct BenchMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mpi",
        abstract: "Time all-reduce and ping-pong with blocking, spinning and cooperative waits.",
        discussion: """
            Run plainly, it launches `mpirun -n R` of itself for each rank count and prints one table. \
            Run under mpirun, it measures that world and rank 0 prints its rows. Each case runs as many \
            operations as fit --budget-seconds (at least 3, at most the requested count); the table \
            shows the time per operation and the time for the requested count.
            """)

    @Option(help: "Rank counts to launch, comma-separated (ignored under mpirun).")
    var ranks = "2,8,32"

    @Option(help: "All-reduces per case, at most.")
    var iterations = 100

    @Option(help: "All-reduce message size in bytes (a multiple of 8).")
    var bytes = 512 * 1024

    @Option(help: "Ping-pong round trips per case, at most.")
    var roundTrips = 1000

    @Option(help: "Ping-pong message size in bytes.")
    var pingPongBytes = 8

    @Option(help: "Wait policies to compare, comma-separated: blocking, spin, cooperative.")
    var policies = "blocking,spin,cooperative"

    @Option(help: "Time budget per case in seconds.")
    var budgetSeconds = 1.0

    @Flag(help: .hidden)
    var machineReadable = false

    func validate() throws {
        guard (try? rankCounts()) != nil else { throw ValidationError("--ranks: expected integers ≥ 2, such as 2,8,32; got \(ranks)") }
        guard (try? waitPolicies()) != nil else {
            throw ValidationError("--policies: expected some of blocking, spin, cooperative; got \(policies)")
        }
        guard iterations >= 1, roundTrips >= 1 else { throw ValidationError("--iterations and --round-trips must be ≥ 1") }
        guard bytes >= 8, bytes % 8 == 0 else { throw ValidationError("--bytes must be a positive multiple of 8, got \(bytes)") }
        guard pingPongBytes >= 0 else { throw ValidationError("--ping-pong-bytes must be ≥ 0, got \(pingPongBytes)") }
        guard budgetSeconds > 0 else { throw ValidationError("--budget-seconds must be > 0, got \(budgetSeconds)") }
    }

    func rankCounts() throws -> [Int] {
        let counts = ranks.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.count == ranks.split(separator: ",").count, counts.allSatisfy({ $0 >= 2 }) else {
            throw ValidationError("--ranks")
        }
        return counts
    }

    func waitPolicies() throws -> [WaitPolicy] {
        let parsed = policies.split(separator: ",").map { WaitPolicy(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
        guard !parsed.isEmpty, parsed.allSatisfy({ $0 != nil }) else { throw ValidationError("--policies") }
        return parsed.compactMap { $0 }
    }

    func run() throws {
        if BenchLaunch.isWorker { return try measureThisWorld() }
        var results: [BenchResult] = []
        for count in try rankCounts() {
            FileHandle.standardError.write(Data("running \(count) ranks…\n".utf8))
            guard let output = try BenchLaunch.run(ranks: count, arguments: workerArguments(), timeoutSeconds: 600) else {
                throw ValidationError("the \(count)-rank run did not finish within 600 s")
            }
            results += output.split(separator: "\n").compactMap(BenchResult.init(line:))
        }
        printTable(results)
    }

    private func measureThisWorld() throws {
        guard let results = try MPIBenchWorker.measureThisWorld(
            allReduceBytes: bytes, pingPongBytes: pingPongBytes, maxAllReduces: iterations, maxRoundTrips: roundTrips,
            budgetSeconds: budgetSeconds, policies: waitPolicies()) else { return }
        if machineReadable { results.forEach { print($0.line) } } else { printTable(results) }
    }

    private func workerArguments() -> [String] {
        ["bench", "mpi", "--machine-readable", "--iterations", String(iterations), "--bytes", String(bytes),
         "--round-trips", String(roundTrips), "--ping-pong-bytes", String(pingPongBytes),
         "--policies", policies, "--budget-seconds", String(budgetSeconds)]
    }

    private func printTable(_ results: [BenchResult]) {
        BenchMPITable.lines(results, requestedAllReduces: iterations, allReduceBytes: bytes,
                            pingPongBytes: pingPongBytes).forEach { print($0) }
    }

}
