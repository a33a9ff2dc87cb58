import ArgumentParser
import Capacity
import Foundation
import HostTopology

/// `tessera experiment`: run an experiment file into a results folder, or list the shipped ones.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Run reproducible experiments (Experiments/<name>.yaml) into a results folder, or list them.",
        subcommands: [ExperimentRunCommand.self, ExperimentListCommand.self])
}

struct ExperimentRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an experiment file: its tables as tidy CSVs, plots (SVG and PDF), a Markdown summary.",
        discussion: """
            Emulate steps write their plans to plans/ and run them under `mpirun -launcher fork` \
            (this binary, one rank per chiplet).

            Writes inputs/, provenance.md (tool version, git commit, host topology), tables/*.csv, \
            plots/*.svg and *.pdf (with their data and gnuplot scripts), summary.md and timings.txt. \
            The CSVs depend only on the inputs: two runs give byte-identical files; wall times go to \
            timings.txt.

            Examples:
              tessera experiment run Experiments/validation.yaml
              tessera experiment run Experiments/strategies.yaml -o results/strategies
            """)

    @Argument(help: "The experiment file.")
    var file: String

    @Option(name: .shortAndLong, help: "Results folder (default: results/<experiment name>).")
    var output: String?

    @Option(help: "The project root, for the built-in capacity spec and the git commit.")
    var root: String = "."

    func run() throws {
        let experiment: Experiment
        do { experiment = try Experiment.load(path: file) } catch { throw fail(error) }
        let folder = output ?? "results/\(experiment.name)"
        say("\(experiment.name): \(experiment.steps.count) steps into \(folder)")
        var timings: [(String, Double)] = []
        let tables: [ExperimentTable]
        do {
            tables = try experiment.run(root: root, plansFolder: folder + "/plans", emulator: ExperimentEmulator.run) { name, seconds in
                timings.append((name, seconds))
                say(String(format: "  %@: %.1f s", name, seconds))
            }
        } catch { throw fail(error) }
        let out = ExperimentOutput(experiment: experiment, tables: tables, provenance: provenance(), timings: timings)
        do {
            for problem in try out.write(to: folder) { FileHandle.standardError.write(Data("warning: plot not drawn: \(problem)\n".utf8)) }
        } catch { throw fail(error) }
        say("Summary: \(folder)/summary.md (tables/, plots/, inputs/, provenance.md, timings.txt)")
    }

    /// Tool version, commit and the host's topology, for the record.
    func provenance() -> [String] {
        var lines = ["tessera \(Tessera.configuration.version)", "commit \(gitCommit() ?? "unknown (not a git checkout)")"]
        if let t = try? Topology.loadHost() {
            lines.append("host: \(t.count(.package)) package(s), \(t.count(.numaNode)) NUMA node(s), \(t.count(.core)) cores, "
                + "\(t.count(.pu)) PUs, \(t.count(.l3Cache)) L3 cache(s) (hwloc)")
        }
        lines.append("experiment file: \(file)")
        return lines
    }

    func gitCommit() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", root, "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 && !text.isEmpty ? text : nil
    }
}

struct ExperimentListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the shipped experiments with their one-line purpose.")

    @Option(help: "Folder holding Experiments/ (the project root).")
    var root: String = "."

    func run() throws {
        let files = Experiment.shipped(in: root + "/Experiments").filter(Experiment.isExperiment)
        guard !files.isEmpty else { throw fail("no experiments in \(root)/Experiments") }
        let experiments: [Experiment]
        do { experiments = try files.map { try Experiment.load(path: $0) } } catch { throw fail(error) }
        let width = experiments.map(\.name.count).max() ?? 0
        for e in experiments { say(e.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + e.summary) }
    }
}
