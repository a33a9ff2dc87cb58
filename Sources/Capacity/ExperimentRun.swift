import ClusterSpec
import Foundation
import ModelGraph
import Planner

/// One tidy table of an experiment: a CSV and, when it has one, a plot of two of its columns.
public struct ExperimentTable: Sendable {
    public var name: String
    public var title: String
    public var columns: [String]
    public var rows: [[String]]
    public var plot: TablePlot?
    /// Every input file the step read, for the copy in inputs/.
    public var inputs: [String]

    public var csv: String {
        ([columns.joined(separator: ",")] + rows.map { $0.map(csvQuoted).joined(separator: ",") }).joined(separator: "\n") + "\n"
    }
}

/// A scatter of column `y` against column `x`, one series per value of column `series`, points
/// with a non-empty `label` column labelled; axis labels carry units.
public struct TablePlot: Sendable {
    public var x: String, y: String, series: String
    public var label: String?
    public var xLabel: String, yLabel: String
    public var logX = false, logY = false
    /// Draw y = x (predicted against measured).
    public var diagonal = false
}

extension Experiment {
    /// Runs every step in order; `progress` hears each step's name and its wall time (kept out of
    /// the tables, so two runs give byte-identical CSVs), and each emulation's. Emulate steps write
    /// their plans to `plansFolder` and run them through `emulator`.
    public func run(root: String, plansFolder: String = "plans", emulator: EmulatorRunner? = nil,
                    progress: (String, Double) -> Void = { _, _ in }) throws -> [ExperimentTable] {
        var tables: [ExperimentTable] = []
        for step in steps {
            let start = DispatchTime.now().uptimeNanoseconds
            let table: ExperimentTable
            switch step {
            case let .validate(name, files): table = try Self.validate(name, files)
            case let .search(s): table = try Self.search(s)
            case let .capacity(name, spec): table = try Self.capacity(name, spec, root: root)
            case let .emulate(s): table = try Self.emulate(s, plansFolder: plansFolder, runner: emulator, progress: progress)
            }
            tables.append(table)
            progress(table.name, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return tables
    }

    static func validate(_ name: String, _ files: [String]) throws -> ExperimentTable {
        var rows: [[String]] = []
        for file in files {
            let lines: [ValidationReport.Line]
            do {
                let measured = try Measurement.load(path: file)
                lines = try ValidationReport(measured, calibrator: Calibrator(root: Calibrator.root(near: file))).lines
            } catch { throw CapacityError(file: file, keyPath: "", message: "\(error)") }
            for l in lines {
                rows.append([URL(fileURLWithPath: file).lastPathComponent, l.row.id, l.row.split.rawValue, l.row.model,
                             l.row.cluster, l.row.metric.rawValue, "\(l.row.measured)", "\(l.predicted)", "\(l.error * 100)"])
            }
        }
        return ExperimentTable(
            name: name, title: "Predicted against measured, every calibration row (fit and held-out apart)",
            columns: ["file", "id", "split", "model", "cluster", "metric", "measured", "predicted", "errorPercent"], rows: rows,
            plot: TablePlot(x: "measured", y: "predicted", series: "split", label: nil,
                            xLabel: "measured (the metric's unit: tokens/s or ms)", yLabel: "predicted (same unit)",
                            logX: true, logY: true, diagonal: true),
            inputs: files)
    }

    static func search(_ s: SearchStep) throws -> ExperimentTable {
        let model: ModelGraph, scenario: Scenario
        do { model = try ModelGraph.load(path: s.model); scenario = try Scenario.load(path: s.scenario) } catch {
            throw CapacityError(file: s.model, keyPath: "", message: "\(error)")
        }
        var rows: [[String]] = []
        for (path, precision) in s.clusters {
            let base: ClusterSpec
            do { base = try ClusterSpec.load(path: path) } catch { throw CapacityError(file: path, keyPath: "", message: "\(error)") }
            var shapes: [[(String, Int)]] = [[]]
            for (level, counts) in s.levels where base.levelIndex(named: level) != nil {
                shapes = shapes.flatMap { p in counts.map { p + [(level, $0)] } }
            }
            for shape in shapes {
                let cluster: ClusterSpec
                do { cluster = try base.scaled(levelCounts: Dictionary(shape, uniquingKeysWith: { $1 })) } catch {
                    throw CapacityError(file: path, keyPath: "levels", message: "\(error)")
                }
                var sc = scenario
                if let precision { sc.precision = precision }
                let shapeText = shape.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
                let prefix = [base.name, shapeText.isEmpty ? "as-file" : shapeText, "\(cluster.totalChips)", "\(cluster.racks)"]
                let evaluator: Evaluator
                do { evaluator = try Evaluator(PlanInputs(modelName: model.name, model: model, cluster: cluster, scenario: sc)) } catch {
                    rows.append(prefix + Array(repeating: "", count: 13) + ["\(error)"]); continue
                }
                var options = SearchOptions()
                options.top = s.every ? 1_000_000 : 1
                options.disaggregation = false
                let result = evaluator.search(options)
                guard let pick = result.ranked.first else {
                    let why = result.failures.prefix(2).map { "\($0.reason) (\($0.count))" }.joined(separator: "; ")
                    rows.append(prefix + Array(repeating: "", count: 13) + ["no strategy fits and meets the SLOs; most common: \(why)"])
                    continue
                }
                // Every split's best batch (ranked is best first), the planner's pick marked.
                var seen = Set<String>()
                for e in result.ranked {
                    let st = e.candidate.strategy
                    guard seen.insert("\(st.tp) \(st.pp) \(st.ep)").inserted, let m = e.metrics else { continue }
                    let picked = e.candidate == pick.candidate
                    rows.append(prefix + [st.description, "\(st.tp)", "\(st.pp)", "\(st.dp)", "\(st.ep)", "\(e.candidate.batch)",
                                          "\(e.chipsUsed)", "\(m.ttftMs)", "\(m.tpotMs)", "\(m.outputTokensPerSecond)",
                                          "\(m.outputTokensPerSecondPerChip)", "\(m.tokensPerSecondPerUser)",
                                          picked ? "pick" : "", picked ? "planner's pick: \(st.description)" : ""])
                }
            }
        }
        return ExperimentTable(
            name: s.table, title: "Throughput against latency, per TP × PP (× EP) split (best batch each), planner's pick marked",
            columns: ["cluster", "shape", "chips", "racks", "strategy", "tp", "pp", "dp", "ep", "batch", "chipsUsed", "ttftMs",
                      "tpotMs", "outputTokensPerSecond", "outputTokensPerSecondPerChip", "tokensPerSecondPerUser", "pick", "note"],
            rows: rows,
            plot: TablePlot(x: "tokensPerSecondPerUser", y: "outputTokensPerSecondPerChip", series: "cluster", label: "note",
                            xLabel: "tokens/s per user (1000 / TPOT ms)", yLabel: "output tokens/s per chip", logY: true),
            inputs: [s.model, s.scenario] + s.clusters.map(\.path))
    }

    static func capacity(_ name: String, _ spec: String, root: String) throws -> ExperimentTable {
        let loaded = spec == "default" ? try CapacitySpec.builtIn(root: root) : try CapacitySpec.load(path: spec)
        let sweep = try CapacitySweep(loaded)
        let rows = sweep.points.flatMap { sweep.evaluate($0).rows }
        let summaries = LayoutSummary.make(rows, costs: loaded.costs)
        func d(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
        let table = summaries.map { s in
            [s.workload, s.layout, s.strategy, s.batch, s.racksNeeded.map(String.init) ?? "", d(s.tokensPerSecondPerRack),
             "\(s.spareChips)", d(s.ttftP50Ms), d(s.ttftP99Ms), d(s.tpotMs), d(s.loadFraction), d(s.kWAtLoad), d(s.joulesPerToken),
             d(s.usdPerMillionTokensAtLoad), d(s.capexUSD), d(s.goodputRequestsPerSecond), d(s.racksNeeded.map { _ in s.targetRequestsPerSecond }),
             s.racksNeeded.map { "\($0) racks" } ?? s.note]
        }
        return ExperimentTable(
            name: name, title: "Capacity at the target load: racks, strategy, latency, power, cost and goodput per layout",
            columns: ["workload", "layout", "strategy", "batch", "racksNeeded", "tokensPerSecondPerRack", "spareChips", "ttftP50Ms",
                      "ttftP99Ms", "tpotMs", "loadFraction", "kWAtLoad", "joulesPerToken", "usdPerMillionTokensAtLoad", "capexUSD",
                      "goodputRequestsPerSecond", "targetRequestsPerSecond", "note"],
            rows: table,
            plot: TablePlot(x: "usdPerMillionTokensAtLoad", y: "ttftP99Ms", series: "workload", label: "layout",
                            xLabel: "$ per million output tokens at the target load", yLabel: "p99 TTFT at the target load (ms)",
                            logX: true),
            inputs: sweep.inputFiles)
    }
}
