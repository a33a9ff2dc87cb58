import ArgumentParser
import Foundation
import Planner
import Runtime
import SafeOutput

/// `tessera lower`: the programs a plan becomes, one per chiplet, for inspection.
struct LowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lower",
        abstract: "Lower a plan into one program per chiplet (compute tiles, sends, receives, collective steps).",
        discussion: """
        Writes <dir>/chiplet-<i>.json for every chiplet (or every chiplet of data-parallel replica 0 \
        with --one-replica) and <dir>/index.json listing them with their instruction counts. Each file \
        is written to a temporary name and renamed, so a reader never sees half a program.

        Example:
          tessera lower plan.json -o programs
        """)

    @Argument(help: "A plan written by `tessera plan ... -o plan.json`.") var plan: String
    @Option(name: .shortAndLong, help: "Directory for the programs (created if missing).") var output: String
    @Flag(help: "Only the chiplets of data-parallel replica 0.") var oneReplica = false
    @Option(help: "Decode steps to run (default: the scenario's output tokens − 1).") var steps: Int?

    func validate() throws {
        if let steps, steps < 0 { throw ValidationError("--steps must be at least 0, got \(steps)") }
    }

    func run() throws {
        let loaded = try LowerCommand.loadPlan(plan)
        let programs = try Lowering.lower(plan: loaded, oneReplica: oneReplica, decodeSteps: steps)
        do { try OutputFile.prepareFolder(output) } catch { throw Failure(description: "\(error)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var index: [[String: Int]] = []
        let positions = loaded.positions
        for p in programs {
            try writeAtomically(try encoder.encode(p), to: "\(output)/chiplet-\(p.chiplet).json")
            // `chiplet` is the role; `placedOn` the chiplet it runs on (itself unless placed elsewhere).
            index.append(["chiplet": p.chiplet, "placedOn": positions[p.chiplet], "stage": p.stage,
                          "tpRank": p.tpRank, "epRank": p.epRank,
                          "dpRank": p.dpRank, "prefill": p.prefill.count, "decodeStep": p.decodeStep.count,
                          "decodeSteps": p.decodeSteps, "epilogue": p.epilogue.count, "executed": p.executedCount])
        }
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try writeAtomically(try encoder.encode(["programs": index]), to: "\(output)/index.json")
        let executed = programs.map(\.executedCount)
        print("wrote \(programs.count) programs to \(output)/ (instructions per decode step: "
              + "\(programs.map(\.decodeStep.count).max() ?? 0) at most; executed per chiplet: "
              + "\(executed.min() ?? 0)–\(executed.max() ?? 0))")
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Reads a plan file, naming the file and what is wrong with it.
    static func loadPlan(_ path: String) throws -> Plan {
        do { return try Plan.load(path: path) } catch { throw Failure(description: error.description) }
    }
}
