import Foundation
import SafeOutput

/// The results folder of an experiment: inputs/, provenance.md (tool version, commit, host),
/// tables/<name>.csv (one tidy CSV per table, byte-identical across runs), plots/<name>.{svg,pdf}
/// with their scripts, summary.md, and timings.txt (wall times, which vary, kept apart).
public struct ExperimentOutput {
    public var experiment: Experiment
    public var tables: [ExperimentTable]
    /// Lines such as "tessera 0.1.0", "commit abc123", "host: 2 cores, 1 NUMA node".
    public var provenance: [String]
    public var timings: [(String, Double)]

    public init(experiment: Experiment, tables: [ExperimentTable], provenance: [String], timings: [(String, Double)]) {
        self.experiment = experiment; self.tables = tables; self.provenance = provenance; self.timings = timings
    }

    /// Writes everything; returns the plots gnuplot could not draw (with the reason).
    @discardableResult
    public func write(to folder: String) throws -> [String] {
        let dir = URL(fileURLWithPath: folder)
        for sub in ["inputs", "tables", "plots"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try Plots.write(experiment.yaml, dir.appendingPathComponent("inputs"), URL(fileURLWithPath: experiment.sourceFile).lastPathComponent)
        var copied = Set<String>()
        for file in tables.flatMap(\.inputs) where copied.insert(URL(fileURLWithPath: file).lastPathComponent).inserted {
            if let data = FileManager.default.contents(atPath: file) {
                try OutputFile.write(data, to: dir.appendingPathComponent("inputs").appendingPathComponent(URL(fileURLWithPath: file).lastPathComponent).path)
            }
        }
        try Plots.write(provenance.map { "- \($0)" }.joined(separator: "\n") + "\n", dir, "provenance.md")
        try Plots.write(timings.map { "\($0.0) " + String(format: "%.3f s\n", $0.1) }.joined(), dir, "timings.txt")
        var problems: [String] = []
        for t in tables {
            try Plots.write(t.csv, dir.appendingPathComponent("tables"), "\(t.name).csv")
            guard let p = t.plot else { continue }
            do { try draw(t, p, dir.appendingPathComponent("plots")) } catch { problems.append("\(t.name): \(error)") }
        }
        try Plots.write(summary(problems), dir, "summary.md")
        return problems
    }

    func summary(_ problems: [String]) -> String {
        var out = "# Experiment: \(experiment.name)\n\n\(experiment.summary)\n\n" + provenance.map { "- \($0)" }.joined(separator: "\n") + "\n"
        for t in tables {
            out += "\n## \(t.title)\n\nTable `tables/\(t.name).csv`: \(t.rows.count) rows.\n\n"
            if t.plot != nil { out += "![\(t.title)](plots/\(t.name).svg)\n\n" }
            // The first rows as Markdown, so the summary reads on its own.
            let shown = t.rows.prefix(40)
            out += "| " + t.columns.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: t.columns.count) + "\n"
            for r in shown { out += "| " + r.map { short($0).replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            if t.rows.count > shown.count { out += "\n(\(t.rows.count - shown.count) more rows in the CSV)\n" }
        }
        // Emulations' wall times vary run to run, so they are reported here and in timings.txt, not in the CSVs.
        let walls = timings.filter { $0.0.contains(": emulation wall") || $0.0.contains(": mpirun job") }
        if !walls.isEmpty {
            out += "\n## Wall times of the emulations (this run; they vary, so no CSV holds them)\n\n| run | seconds |\n|---|---|\n"
            out += walls.map { "| \($0.0) | \(String(format: "%.3f", $0.1)) |\n" }.joined()
        }
        if !problems.isEmpty { out += "\n## Plots not drawn\n\n" + problems.map { "- \($0)" }.joined(separator: "\n") + "\n" }
        return out
    }

    /// Numbers to 4 significant figures for the Markdown (the CSV keeps them whole).
    func short(_ s: String) -> String {
        guard let v = Double(s), s.contains(".") || s.contains("e") else { return s }
        return fmt(v)
    }

    func draw(_ t: ExperimentTable, _ p: TablePlot, _ dir: URL) throws {
        guard let gnuplot = Plots.gnuplot() else {
            throw CapacityError(file: dir.path, keyPath: "", message: "gnuplot is not installed")
        }
        guard let x = t.columns.firstIndex(of: p.x), let y = t.columns.firstIndex(of: p.y),
              let s = t.columns.firstIndex(of: p.series) else {
            throw CapacityError(file: experiment.sourceFile, keyPath: t.name, message: "the plot names a column the table lacks")
        }
        try Plots.write(t.csv, dir, "\(t.name).csv")
        var series: [String] = []
        for r in t.rows where !series.contains(r[s]) && Double(r[y]) != nil { series.append(r[s]) }
        var plots = series.enumerated().map { k, name in
            "'\(t.name).csv' skip 1 using \(x + 1):((strcol(\(s + 1)) eq \(Plots.quoted(name))) ? $\(y + 1) : NaN) "
                + "with points pt \(k % 13 + 1) ps 1.1 lc \(k + 1) title \(Plots.quoted(name))"
        }
        if let l = p.label.flatMap({ t.columns.firstIndex(of: $0) }) {
            plots.append("'' skip 1 using \(x + 1):\(y + 1):\(l + 1) with labels left offset 0.7,0.5 font \",8\" notitle")
        }
        if p.diagonal { plots.append("x with lines dt 2 lc rgb \"#888888\" title \"predicted = measured\"") }
        let body = """
            # Drawn by `tessera experiment run`: \(t.title). Data: \(t.name).csv.
            set datafile separator ","
            set title \(Plots.quoted(t.title)) noenhanced
            set xlabel \(Plots.quoted(p.xLabel)) noenhanced
            set ylabel \(Plots.quoted(p.yLabel)) noenhanced
            set grid
            set key outside below font ",9"
            \(p.logX ? "set logscale x" : "")
            \(p.logY ? "set logscale y" : "")
            set terminal svg size 1000,640 dynamic font "sans,11" noenhanced
            set output '.\(t.name).svg.tmp'
            plot \(series.isEmpty ? "NaN notitle" : plots.joined(separator: ", \\\n     "))
            set terminal pdfcairo size 10in,6.4in font "sans,9" noenhanced
            set output '.\(t.name).pdf.tmp'
            replot
            unset output
            """
        try Plots.write(body + "\n", dir, "\(t.name).gp")
        try Plots.run(gnuplot, script: "\(t.name).gp", in: dir)
        for ext in ["svg", "pdf"] {
            let from = dir.appendingPathComponent(".\(t.name).\(ext).tmp").path
            guard rename(from, dir.appendingPathComponent("\(t.name).\(ext)").path) == 0 else {
                throw CapacityError(file: from, keyPath: "", message: "gnuplot wrote no \(ext)")
            }
        }
    }
}
