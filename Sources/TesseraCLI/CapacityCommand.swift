import ArgumentParser
import Capacity
import CapacityMPI
import Foundation
import Planner
import SafeOutput

/// `tessera capacity`: how many racks of what, laid out how, for this traffic.
struct CapacityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Sweep rack layouts × workloads and report racks needed, tokens/s per rack, per kW and per $.",
        discussion: """
            For every layout × workload of the spec, runs the planner's search, keeps the best strategy \
            within the SLOs and writes results.csv, report.md, report.html (with gnuplot plots) and a \
            copy of the inputs into the output folder. Results are stored in results.sqlite as they \
            come: an interrupted sweep resumes, a finished one does no work. The store is tied to the \
            content of every input and to the cost-model version, so a moved checkout resumes, and \
            changed inputs are refused by name (--fresh starts over). Under \
            `mpirun -n N tessera capacity …` the points are split across ranks; rank 0 writes.

            Examples:
              tessera capacity -o capacity-default              (the built-in default spec)
              tessera capacity Experiments/llama-3-70b-gb200-nvl72.yaml -o results/70b-nvl72
              mpirun -n 4 tessera capacity Experiments/llama-3.1-405b-hgx-b200.yaml -o results/405b-hgx
            """)

    @Argument(help: "Capacity spec (Experiments/*.yaml); without one, the built-in default spec.")
    var spec: String?

    @Option(name: .shortAndLong, help: "Folder for the store, the reports and the copied inputs.")
    var output: String = "capacity-results"

    @Option(help: "Folder the built-in spec's paths are relative to (the project root).")
    var root: String = "."

    @Flag(help: "Start over: delete the folder's results store instead of resuming it.")
    var fresh = false

    @Flag(help: "Plain progress lines even on a terminal.")
    var plain = false

    @Option(name: .customLong("max-points"),
            help: "Refuse a spec of more layout × workload points than this (counted before any search; default \(CapacitySpec.defaultMaxPoints)).")
    var maxPoints = CapacitySpec.defaultMaxPoints

    @Option(name: .customLong("max-candidates"),
            help: "A point whose search could price more candidates than this is reported with a note, not searched (default \(Evaluator.defaultMaxCandidates)).")
    var maxCandidates = Evaluator.defaultMaxCandidates

    @Option(help: .hidden) var stopAfter: Int?

    func validate() throws {
        if let stopAfter, stopAfter < 0 { throw ValidationError("--stop-after must be at least 0, got \(stopAfter)") }
        for (flag, v) in [("--max-points", maxPoints), ("--max-candidates", maxCandidates)] where v < 1 {
            throw ValidationError("\(flag): expected at least 1, got \(v)")
        }
    }

    func run() throws {
        let sweep: CapacitySweep
        do {
            let loaded = try spec.map { path throws(CapacityError) in try CapacitySpec.load(path: path) }
                ?? CapacitySpec.builtIn(root: root)
            sweep = try CapacitySweep(loaded, maxPoints: maxPoints, maxCandidates: maxCandidates)
        } catch { throw fail(error) }
        if let distributed = try DistributedSweep.join(sweep) {
            guard distributed.leads else { return try distributed.work() }
            let store = try openStore(sweep)
            do {
                try distributed.lead(store: store, progress: progressPrinter(sweep, store: store))
            } catch let error as CapacityError { throw fail(error) }
            return try report(sweep, store: store)
        }
        let store = try openStore(sweep)
        do {
            try sweep.run(store: store, stopAfter: stopAfter, progress: progressPrinter(sweep, store: store))
        } catch { throw fail(error) }
        if let stopAfter, try store.doneKeys().count < sweep.points.count {
            say("stopped after \(stopAfter) points, as asked; run again to resume")
            return
        }
        try report(sweep, store: store)
    }

    /// Locks the output folder for this run (held until the process exits), then opens the store.
    private func openStore(_ sweep: CapacitySweep) throws -> ResultStore {
        do {
            try OutputFile.prepareFolder(output)
            Self.lock = try FolderLock(folder: output)
            return try ResultStore(path: output + "/results.sqlite", fingerprint: sweep.fingerprint(), fresh: fresh)
        } catch { throw fail(error) }
    }

    /// The output folder's lock, kept for the life of the process.
    nonisolated(unsafe) private static var lock: FolderLock?

    /// Says how much was already done, then returns the per-point progress callback.
    private func progressPrinter(_ sweep: CapacitySweep, store: ResultStore) throws -> (SweepProgress) -> Void {
        let done = (try? store.doneKeys().count) ?? 0
        let total = sweep.points.count
        say("\(sweep.spec.name): \(sweep.layouts.count) layouts × \(sweep.spec.workloads.count) workloads = \(total) points")
        if done > 0 { say("\(done) points already done") }
        let bar = !plain && isatty(1) == 1
        let every = max(1, total / 20)
        return { p in
            if bar {
                // Back to the line's start, redraw, clear what a longer previous line left.
                say("\r" + CapacityProgress.bar(p) + "\u{1B}[K", terminator: p.done == p.total ? "\n" : "")
            } else if p.done == p.total || (p.done - p.alreadyDone) % every == 0 {
                say(CapacityProgress.line(p))
            }
        }
    }

    private func report(_ sweep: CapacitySweep, store: ResultStore) throws {
        do {
            let report = CapacityReport(sweep: sweep, rows: try store.rows(), candidates: try store.candidates())
            let outcome = try report.write(to: output)
            if let problem = outcome.problem { FileHandle.standardError.write(Data("warning: plots not drawn: \(problem)\n".utf8)) }
            for line in report.verdicts { say(line) }
            say("Report: \(output)/report.html (also report.md, results.csv, plots/, inputs/)")
        } catch { throw fail(error) }
    }
}

/// Writes a line to standard output at once (not through stdio's buffer), so a log or a pipe sees
/// progress as it happens and a killed run has said how far it got.
func say(_ line: String, terminator: String = "\n") {
    do { try OutputFile.writeStandardOutput(Data((line + terminator).utf8)) } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        exit(1)
    }
}

/// The progress line: a bar on a terminal, plain text elsewhere.
enum CapacityProgress {
    static func bar(_ p: SweepProgress, width: Int = 30) -> String {
        let filled = p.total > 0 ? width * p.done / p.total : width
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + stats(p)
    }

    static func line(_ p: SweepProgress) -> String { "progress: " + stats(p) }

    static func stats(_ p: SweepProgress) -> String {
        let eta = p.etaSeconds.map { String(format: "%.0f s", $0) } ?? "–"
        return "\(p.done)/\(p.total) points  \(String(format: "%.1f", p.pointsPerSecond)) points/s  ETA \(eta)"
    }
}
