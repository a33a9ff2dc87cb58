import Foundation
import func Planner.csvQuoted
import SafeOutput

/// The report's plots, one set per workload, drawn by gnuplot into SVG and PNG. Each plot's data is
/// a CSV beside it (plots/<name>.csv, the columns gnuplot reads) with its script (plots/<name>.gp),
/// so a plot can be redrawn, restyled or re-analysed by hand.
public enum Plots {
    /// The three kinds of figure drawn for every workload.
    public static let kinds = ["throughput", "pareto", "racks"]

    /// One figure: its file stem under plots/ and its title.
    public struct Figure: Sendable, Equatable {
        public var name: String
        public var title: String
    }

    /// Every figure of a report, workload by workload in spec order.
    public static func figures(workloads: [String]) -> [Figure] {
        workloads.enumerated().flatMap { i, w in
            [Figure(name: "throughput-\(i)", title: "\(w): output tokens/s per rack (used chips), by layout, against the target"),
             Figure(name: "pareto-\(i)", title: "\(w): tokens/s per user against tokens/s per rack, by layout"),
             Figure(name: "racks-\(i)", title: "\(w): racks needed against load, by layout")]
        }
    }

    /// The gnuplot binary on PATH, if any.
    public static func gnuplot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes data and scripts into `folder/plots` and renders each figure to SVG and PNG.
    public static func draw(rows: [ResultRow], summaries: [LayoutSummary], workloads: [String], folder: String) throws {
        guard let gnuplot = gnuplot() else {
            throw CapacityError(file: folder, keyPath: "", message: "gnuplot is not installed (Debian: gnuplot-nox; `make deps` installs it)")
        }
        let dir = URL(fileURLWithPath: folder).appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (i, w) in workloads.enumerated() {
            let mine = summaries.filter { $0.workload == w }
            let layouts = mine.map(\.layout)
            let target = mine.first?.targetTokensPerSecond ?? 0
            let figures = figures(workloads: workloads).filter { $0.name.hasSuffix("-\(i)") }
            for f in figures {
                let kind = String(f.name.prefix { $0 != "-" })
                let (csv, body, height) = switch kind {
                case "throughput": throughput(mine, target: target, name: f.name)
                case "pareto": pareto(rows.filter { $0.workload == w }, layouts: layouts, name: f.name)
                default: racks(mine, target: target, name: f.name)
                }
                try write(csv, dir, "\(f.name).csv")
                try render(gnuplot, dir: dir, name: f.name, title: f.title, height: height, body: body)
            }
        }
    }

    /// Horizontal bars (layout names on the y axis, never clipped), the target as a vertical line:
    /// a bar past it carries the whole load in one rack.
    static func throughput(_ s: [LayoutSummary], target: Double, name: String) -> (String, String, Int) {
        var csv = "layout,tokensPerSecondPerRack,spareChips,note\n"
        for x in s.reversed() {
            csv += [csvQuoted(x.layout), x.tokensPerSecondPerRack.map { "\($0)" } ?? "0", "\(x.spareChips)",
                    csvQuoted(x.feasible ? "" : "infeasible: " + x.note)].joined(separator: ",") + "\n"
        }
        let body = """
            set datafile separator ","
            set style fill solid 0.7 border -1
            set xlabel "output tokens/s per rack (chips the strategy uses)"
            set xrange [0:*]
            set yrange [-0.7:\(s.count) - 0.3]
            set grid xtics
            set key outside below
            set arrow 1 from \(target), graph 0 to \(target), graph 1 nohead lw 2 dt 2 lc rgb "#c0392b"
            plot '\(name).csv' skip 1 using ($2/2):0:($2/2):(0.35):ytic(1) with boxxyerror lc rgb "#3b6ea5" title "tokens/s per rack", \\
                 '' skip 1 using 2:0:(($2 > 0) ? "" : "no strategy within the SLOs") with labels left offset 0.5,0 notitle, \\
                 NaN with lines lw 2 dt 2 lc rgb "#c0392b" title "target load: \(fmt(target)) output tokens/s (a bar past it serves it in one rack)"
            """
        return (csv, body, 200 + 30 * max(1, s.count))
    }

    /// Every best and Pareto strategy, one colour and marker per layout, each best point labelled.
    static func pareto(_ rows: [ResultRow], layouts: [String], name: String) -> (String, String, Int) {
        // Best points that coincide (layouts differing only where it does not matter) share one label.
        var points: [(row: ResultRow, perRack: Double, perUser: Double)] = []
        for r in rows where r.role == "best" || r.role == "pareto" {
            guard let m = r.metrics, let perRack = r.outputTokensPerSecondPerRackUsed else { continue }
            points.append((r, perRack, m.tokensPerSecondPerUser))
        }
        var labels: [Int: String] = [:], labelled: [String: Int] = [:]
        for (i, p) in points.enumerated() where p.row.role == "best" {
            let key = "\(p.perRack) \(p.perUser)"
            if let j = labelled[key] {
                if !(labels[j] ?? "").contains(p.row.layout) { labels[j, default: ""] += " = " + p.row.layout }
            } else {
                labelled[key] = i; labels[i] = p.row.layout
            }
        }
        var csv = "layout,role,strategy,tokensPerSecondPerRack,tokensPerSecondPerUser,label\n"
        for (i, p) in points.enumerated() {
            csv += [csvQuoted(p.row.layout), p.row.role, csvQuoted(p.row.strategy), "\(p.perRack)", "\(p.perUser)",
                    csvQuoted(labels[i] ?? "")].joined(separator: ",") + "\n"
        }
        let slo = rows.first?.maxTPOTMs
        var plots: [String] = []
        for (k, layout) in layouts.enumerated() {
            let match = "(strcol(1) eq \(quoted(layout)))"
            let has = points.contains { $0.row.layout == layout }
            plots.append("'\(name).csv' skip 1 using 4:(\(match) ? $5 : NaN) with points pt \(k % 13 + 1) ps 1.2 lc \(k + 1) "
                + "title \(quoted(layout + (has ? "" : " (no strategy within the SLOs)")))")
        }
        // Labels of the best points, alternately above and below so neighbours do not collide.
        plots.append("'' skip 1 using 4:5:6 every 2 with labels left offset 0.8,0.8 font \",8\" notitle")
        plots.append("'' skip 1 using 4:5:6 every 2::1 with labels left offset 0.8,-0.8 font \",8\" notitle")
        var body = """
            set datafile separator ","
            set xlabel "output tokens/s per rack (chips the strategy uses)"
            set ylabel "tokens/s per user (1000 / TPOT ms)"
            set logscale x
            set grid
            set key outside below font ",9" width 2
            set offsets graph 0.05, graph 0.2, graph 0.1, graph 0.05

            """
        if let slo {
            body += """
                set arrow 1 from graph 0, first \(1000 / slo) to graph 1, first \(1000 / slo) nohead lw 2 dt 2 lc rgb "#c0392b"
                set label 1 "TPOT SLO \(fmt(slo)) ms" at graph 0.01, first \(1000 / slo) offset 0,0.7 tc rgb "#c0392b"

                """
        }
        body += csv.split(separator: "\n").count <= 1
            ? "set label 2 'no strategy meets the SLOs' at graph 0.3,0.5\nunset logscale x\nplot NaN notitle"
            : "plot " + plots.joined(separator: ", \\\n     ")
        return (csv, body, 560 + 18 * (layouts.count + 1) / 2)
    }

    /// Racks needed from zero to twice the target, every feasible layout a step line with its own
    /// dash, each raised by a hair (0.06 rack per series) so lines that coincide stay visible;
    /// the target a vertical line.
    static func racks(_ s: [LayoutSummary], target: Double, name: String) -> (String, String, Int) {
        let feasible = s.filter { $0.racksNeeded(load: target) != nil }
        var csv = "layout,loadTokensPerSecond,racksNeeded\n"
        for x in feasible {
            for k in 0...80 {
                let load = Double(k) / 40 * target
                csv += "\(csvQuoted(x.layout)),\(load),\(x.racksNeeded(load: load) ?? 0)\n"
            }
        }
        var plots: [String] = []
        for (k, x) in feasible.enumerated() {
            plots.append("'\(name).csv' skip 1 using 2:((strcol(1) eq \(quoted(x.layout))) ? $3 + \(Double(k) * 0.06) : NaN) "
                + "with steps dt \(k % 5 + 1) lw 2 lc \(k + 1) title \(quoted(x.layout))")
        }
        let body = """
            set datafile separator ","
            set xlabel "load (output tokens/s)"
            set ylabel "racks needed"
            set grid
            set key outside below font ",9" width 2
            set yrange [0:*]
            set arrow 1 from \(target), graph 0 to \(target), graph 1 nohead lw 2 dt 2 lc rgb "#c0392b"
            set label 1 "target" at \(target), graph 1 offset 0.5,-1 left tc rgb "#c0392b"
            \(plots.isEmpty ? "set label 2 'no layout meets the SLOs' at graph 0.3,0.5\nplot NaN notitle" : "plot " + plots.joined(separator: ", \\\n     "))
            """
        return (csv, body, 560 + 18 * (feasible.count + 1) / 2)
    }

    static func render(_ gnuplot: String, dir: URL, name: String, title: String, height: Int, body: String) throws {
        let script = """
            # Drawn by `tessera capacity`: \(title). Data: \(name).csv.
            set title \(quoted(title)) noenhanced
            set termoption noenhanced
            set terminal svg size 1000,\(height) dynamic font "sans,11" noenhanced
            set output '.\(name).svg.tmp'
            \(body)
            set terminal pngcairo size 1000,\(height) font "sans,10" noenhanced
            set output '.\(name).png.tmp'
            replot
            unset output
            """
        try write(script + "\n", dir, "\(name).gp")
        try run(gnuplot, script: "\(name).gp", in: dir)
        for ext in ["svg", "png"] {
            let from = dir.appendingPathComponent(".\(name).\(ext).tmp").path
            try OutputFile.checkWritable(dir.appendingPathComponent("\(name).\(ext)").path)
            guard rename(from, dir.appendingPathComponent("\(name).\(ext)").path) == 0 else {
                throw CapacityError(file: from, keyPath: "", message: "gnuplot wrote no \(ext) (rename failed: errno \(errno))")
            }
        }
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func write(_ text: String, _ dir: URL, _ name: String) throws {
        try OutputFile.prepareFolder(dir.path)
        try OutputFile.write(Data(text.utf8), to: dir.appendingPathComponent(name).path)
    }

    static func run(_ gnuplot: String, script: String, in dir: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: gnuplot)
        process.arguments = [script]
        process.currentDirectoryURL = dir
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CapacityError(file: dir.appendingPathComponent(script).path, keyPath: "",
                                message: "gnuplot failed: \(String(decoding: message, as: UTF8.self).prefix(400))")
        }
    }
}
