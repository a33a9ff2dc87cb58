import Foundation

/// The report's three plots, drawn by gnuplot into SVG and PNG. Data and scripts are kept beside
/// the images (plots/*.dat, plots/*.gp) so a plot can be redrawn or restyled by hand.
public enum Plots {
    public static let names = ["throughput-per-rack", "pareto", "racks-vs-load"]

    public static let titles = [
        "throughput-per-rack": "Output tokens/s per rack, by layout",
        "pareto": "Tokens/s per user against tokens/s per rack (Pareto front per workload)",
        "racks-vs-load": "Racks needed against load",
    ]

    /// The gnuplot binary on PATH, if any.
    public static func gnuplot() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Writes data and scripts into `folder/plots` and renders each plot to SVG and PNG.
    public static func draw(rows: [ResultRow], summaries: [LayoutSummary], folder: String) throws {
        guard let gnuplot = gnuplot() else {
            throw CapacityError(file: folder, keyPath: "", message: "gnuplot is not installed (Debian: gnuplot-nox; `make deps` installs it)")
        }
        let dir = URL(fileURLWithPath: folder).appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let feasible = summaries.filter(\.feasible)
        let workloads = ordered(summaries.map(\.workload))
        var scripts: [String: String] = [:]

        // 1. Bars: one per feasible layout × workload.
        var bars = "# label tokens_per_s_per_rack\n"
        for s in feasible { bars += "\(quoted("\(s.layout) / \(s.workload)")) \(s.tokensPerSecondPerRack ?? 0)\n" }
        try write(bars, dir, "throughput-per-rack.dat")
        scripts["throughput-per-rack"] = """
            set style fill solid 0.7 border -1
            set boxwidth 0.7
            set xtics rotate by -40 left font ",8"
            set ylabel "output tokens/s per rack"
            set yrange [0:*]
            set grid ytics
            set bmargin 12
            plot 'throughput-per-rack.dat' using 0:2:xtic(1) with boxes lc rgb "#3b6ea5" notitle
            """

        // 2. Every best/Pareto strategy per workload, and the front across layouts.
        var paretoPlots: [String] = []
        for (i, w) in workloads.enumerated() {
            let points = rows.filter { $0.workload == w && ($0.role == "best" || $0.role == "pareto") }
                .compactMap { r in r.metrics.map { ($0.outputTokensPerSecondPerRack, $0.tokensPerSecondPerUser) } }
            guard !points.isEmpty else { continue }
            try write(points.map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n", dir, "pareto-\(i).dat")
            try write(front(points).map { "\($0.0) \($0.1)" }.joined(separator: "\n") + "\n", dir, "pareto-front-\(i).dat")
            paretoPlots.append("'pareto-\(i).dat' using 1:2 with points pt 7 ps 0.5 lc \(i + 1) title \(quoted("\(w) strategies"))")
            paretoPlots.append("'pareto-front-\(i).dat' using 1:2 with linespoints pt 5 lw 2 lc \(i + 1) title \(quoted("\(w) front"))")
        }
        scripts["pareto"] = """
            set xlabel "output tokens/s per rack"
            set ylabel "tokens/s per user"
            set logscale x
            set grid
            set key outside bottom center horizontal
            \(paretoPlots.isEmpty ? "set label 'no strategy meets the SLOs' at graph 0.3,0.5\nplot NaN notitle" : "plot " + paretoPlots.joined(separator: ", \\\n     "))
            """

        // 3. Racks needed at 0…2× the target load, for the four cheapest layouts of each workload.
        var loadPlots: [String] = []
        var series = 0
        for w in workloads {
            for s in LayoutSummary.ranked(feasible.filter { $0.workload == w }).prefix(4) {
                guard let perRack = s.tokensPerSecondPerRack else { continue }
                let lines = (0...40).map { k -> String in
                    let fraction = Double(k) / 20
                    let racks = Costs.racksNeeded(load: fraction * s.targetTokensPerSecond, tokensPerSecondPerRack: perRack) ?? 0
                    return "\(fraction) \(racks)"
                }
                try write(lines.joined(separator: "\n") + "\n", dir, "racks-\(series).dat")
                loadPlots.append("'racks-\(series).dat' using 1:2 with steps lw 2 title \(quoted("\(s.layout) / \(w)"))")
                series += 1
            }
        }
        scripts["racks-vs-load"] = """
            set xlabel "load ÷ the workload's target"
            set ylabel "racks needed"
            set grid
            set key outside bottom center vertical font ",8"
            set bmargin 10
            \(loadPlots.isEmpty ? "set label 'no layout meets the SLOs' at graph 0.3,0.5\nplot NaN notitle" : "plot " + loadPlots.joined(separator: ", \\\n     "))
            """

        for name in names {
            let body = scripts[name] ?? ""
            let script = """
                # Drawn by `tessera capacity`: \(titles[name] ?? name).
                set title \(quoted(titles[name] ?? name))
                set terminal svg size 900,560 dynamic font "sans,11"
                set output '.\(name).svg.tmp'
                \(body)
                set terminal pngcairo size 900,560 font "sans,10"
                set output '.\(name).png.tmp'
                replot
                unset output
                """
            try write(script + "\n", dir, "\(name).gp")
            try run(gnuplot, script: "\(name).gp", in: dir)
            for ext in ["svg", "png"] {
                let from = dir.appendingPathComponent(".\(name).\(ext).tmp").path
                guard rename(from, dir.appendingPathComponent("\(name).\(ext)").path) == 0 else {
                    throw CapacityError(file: from, keyPath: "", message: "gnuplot wrote no \(ext) (rename failed: errno \(errno))")
                }
            }
        }
    }

    /// Points no other point beats on both axes, by increasing x.
    static func front(_ points: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = [], best = -Double.infinity
        for p in points.sorted(by: { $0.0 != $1.0 ? $0.0 > $1.0 : $0.1 > $1.1 }) where p.1 > best {
            out.append(p); best = p.1
        }
        return out.reversed()
    }

    static func ordered(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }

    static func quoted(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func write(_ text: String, _ dir: URL, _ name: String) throws {
        try Data(text.utf8).write(to: dir.appendingPathComponent(name), options: .atomic)
    }

    private static func run(_ gnuplot: String, script: String, in dir: URL) throws {
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
