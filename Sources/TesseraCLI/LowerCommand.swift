import ArgumentParser
import ClusterSpec
import Compiler
import Foundation
import Planner
import Runtime
import SafeOutput

/// `tessera lower`: the pass pipeline over a plan, and the programs it becomes, one per chiplet.
struct LowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lower",
        abstract: "Run the compiler passes over a plan and lower it into one program per chiplet.",
        discussion: """
        Passes, in order (--passes prints what each changes):
        \(Pipeline.passes.map { "  \($0.name): \($0.summary)" }.joined(separator: "\n"))

        Writes <dir>/chiplet-<i>.jsonl for every chiplet (or every chiplet of data-parallel replica 0 \
        with --one-replica) in the \(Program.schema) JSON-lines format (README: "Program files") and \
        <dir>/index.json listing them. Each file is written to a temporary name and renamed. Past about \
        100 MB (--warn-mb) it warns first and names --one-replica.

        Examples:
          tessera lower plan.json -o programs
          tessera lower plan.json --passes          # kernels, bytes, TPOT per pass
          tessera lower plan.json --passes --disable-pass fuse-kernels
          tessera lower plan.json --print-after fuse-kernels   # graph as text
          tessera lower plan.json --passes --enable-pass fold-norm-weights \\
            --cluster Clusters/dgx-h100.yaml
        """)

    @Argument(help: "A plan written by `tessera plan ... -o plan.json`.") var plan: String
    @Option(name: .shortAndLong, help: "Directory for the programs (created if missing).") var output: String?
    @Flag(help: "Only the chiplets of data-parallel replica 0.") var oneReplica = false
    @Option(help: "Decode steps to run (default: the scenario's output tokens − 1).") var steps: Int?
    @Flag(help: "Print each pass's op and kernel counts, bytes moved and predicted TPOT/TTFT before and after.")
    var passes = false
    @Option(help: "Print the kernel graph after this pass (or `lift`, before any).") var printAfter: String?
    @Option(help: "Skip a pass (repeatable): \(Pipeline.names.joined(separator: ", ")).") var disablePass: [String] = []
    @Option(help: "Run an opt-in pass (repeatable): \(Pipeline.passes.filter { !$0.enabledByDefault }.map(\.name).joined(separator: ", ")).")
    var enablePass: [String] = []
    @Option(name: .customLong("warn-mb"), help: "Warn before writing more than this many MB of programs without --one-replica.")
    var warnMB = 100.0
    @Option(help: "The cluster the plan was made on (passes price with it). Default: Clusters/<the plan's cluster>.yaml.")
    var cluster: String?

    func validate() throws {
        if let steps, steps < 0 { throw ValidationError("--steps must be at least 0, got \(steps)") }
        try checkFlag("--warn-mb", warnMB, zeroAllowed: true, atMost: 1e9, unit: "MB", why: "a petabyte; no disk holds more")
        if output == nil && !passes && printAfter == nil {
            throw ValidationError("nothing to do: give -o DIR for the programs, --passes or --print-after PASS")
        }
        if let p = printAfter, p != "lift", Pipeline.pass(named: p) == nil {
            throw ValidationError("--print-after \(p): no such pass; expected lift or one of \(Pipeline.names.joined(separator: ", "))")
        }
        do { try PassOptions(disabled: Set(disablePass), enabled: Set(enablePass)).check() } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Without these the plan's kernels are the default pipeline's already (the planner fuses by
    /// the same rule), so lowering needs no cluster file.
    var compiles: Bool { passes || printAfter != nil || !disablePass.isEmpty || !enablePass.isEmpty || cluster != nil }

    func run() throws {
        do { try lower() } catch { throw fail(error) }
    }

    func lower() throws {
        var loaded = try LowerCommand.loadPlan(plan)
        if compiles {
            let compilation = try compile(loaded)
            if passes { print(PassTable.text(compilation, plan: loaded)) }
            if let name = printAfter {
                guard let graph = compilation.graphs[name] else {
                    throw Failure(description: "--print-after \(name): the pass did not run (it is disabled, or opt-in: --enable-pass \(name))")
                }
                print("# kernel graph after \(name) (one chiplet; layers of a class are identical)")
                print(graph.text)
            }
            loaded = compilation.plan
        }
        guard let output else { return }
        let programs = try Lowering.lower(plan: loaded, oneReplica: oneReplica, decodeSteps: steps)
        try write(programs, plan: loaded, to: output)
    }

    func compile(_ loaded: Plan) throws -> Compilation {
        let path = cluster ?? "Clusters/\(loaded.cluster).yaml"
        guard cluster != nil || FileManager.default.fileExists(atPath: path) else {
            throw Failure(description: "\(plan): made on cluster \(loaded.cluster); the passes price with its file, and \(path) "
                + "is not here: pass --cluster FILE")
        }
        do {
            let spec = try ClusterSpec.load(path: path)
            return try PlanCompiler(plan: loaded, cluster: spec, clusterFile: path)
                .compile(PassOptions(disabled: Set(disablePass), enabled: Set(enablePass)))
        } catch {
            throw Failure(description: "\(error)")
        }
    }

    func write(_ programs: [Program], plan loaded: Plan, to output: String) throws {
        do { try OutputFile.prepareFolder(output) } catch { throw Failure(description: "\(error)") }
        // Lines are alike in size, so the first program's bytes per line estimate the rest.
        if let first = programs.first, !oneReplica, programs.count > 1 {
            let lines = { (p: Program) in Double(1 + p.prefill.count + p.decodeStep.count + p.epilogue.count) }
            let perLine = Double(try first.jsonLines().count) / lines(first)
            let total = programs.reduce(0) { $0 + lines($1) } * perLine
            if total > warnMB * 1e6 {
                let replica = programs.filter { $0.dpRank == 0 }
                let replicaBytes = replica.reduce(0) { $0 + lines($1) } * perLine
                let offer = replica.count < programs.count
                    ? "; --one-replica writes the \(replica.count) of replica 0 (about \(megabytes(replicaBytes))), which the others repeat"
                    : ""
                FileHandle.standardError.write(Data(
                    "warning: \(programs.count) programs come to about \(megabytes(total)) (past --warn-mb \(String(format: "%g", warnMB)))\(offer)\n".utf8))
            }
        }
        var index: [[String: Int]] = []
        for p in programs {
            try writeAtomically(try p.jsonLines(), to: "\(output)/chiplet-\(p.chiplet).jsonl")
            index.append(["chiplet": p.chiplet, "stage": p.stage, "tpRank": p.tpRank, "epRank": p.epRank,
                          "dpRank": p.dpRank, "prefill": p.prefill.count, "decodeStep": p.decodeStep.count,
                          "decodeSteps": p.decodeSteps, "epilogue": p.epilogue.count, "executed": p.executedCount])
        }
        struct Index: Encodable { var schema: String; var programs: [[String: Int]] }
        try writeAtomically(try prettyJSON(Index(schema: Program.schema, programs: index)), to: "\(output)/index.json")
        let executed = programs.map(\.executedCount)
        print("wrote \(programs.count) programs to \(output)/ (instructions per decode step: "
              + "\(programs.map(\.decodeStep.count).max() ?? 0) at most; executed per chiplet: "
              + "\(executed.min() ?? 0)–\(executed.max() ?? 0))")
    }

    func megabytes(_ bytes: Double) -> String { String(format: bytes < 10e6 ? "%.1f MB" : "%.0f MB", bytes / 1e6) }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Reads a plan file, naming the file and what is wrong with it.
    static func loadPlan(_ path: String) throws -> Plan {
        do { return try Plan.load(path: path) } catch { throw Failure(description: error.description) }
    }
}
