/// report.md and report.html: the same tables and plots, in two dresses.
extension CapacityReport {
    func markdown(plotted: Bool) -> String {
        var out = "# Capacity: \(sweep.spec.name)\n\n"
        if !sweep.spec.summary.isEmpty { out += sweep.spec.summary + "\n\n" }
        out += facts.map { "- \($0)" }.joined(separator: "\n") + "\n"
        for (w, ranked) in byWorkload {
            out += "\n## \(w.name)\n\nModel \(ranked.first?.model ?? "?"), target \(fmt(sweep.targetTokensPerSecond(index(w)))) output tokens/s.\n\n"
            out += "**\(verdict(w, ranked))**\n\n"
            out += "| " + header.joined(separator: " | ") + " |\n|" + String(repeating: "---|", count: header.count) + "\n"
            for s in ranked { out += "| " + cells(s).map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
            out += "\n"
            for f in figures(w) where plotted {
                out += "![\(f.title)](plots/\(f.name).svg)\n\n*\(f.title)* (data: [plots/\(f.name).csv](plots/\(f.name).csv))\n\n"
            }
        }
        if !plotted { out += "\nPlots not drawn: gnuplot is missing or failed (install gnuplot-nox and run again).\n" }
        out += "\n"
        out += "## Files\n\n- `results.csv`: one row per layout × workload × length bucket × strategy\n"
        out += "- `inputs/`: " + inputCopies.map { "`\($0.name)`" }.joined(separator: ", ") + "\n"
        return out
    }

    func html(plotted: Bool) -> String {
        var out = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Capacity: \(escape(sweep.spec.name))</title>
            <style>body{font-family:sans-serif;max-width:1400px;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right}
            td:first-child,td:nth-child(2),td:last-child,th{text-align:left}tr:nth-child(2){background:#eef6ee}
            img{max-width:100%;height:auto;border:1px solid #ddd}figure{margin:1em 0}.scroll{overflow-x:auto;max-width:100%}
            td:nth-child(3){white-space:nowrap}td.why{text-align:left;color:#666}</style></head><body>
            <h1>Capacity: \(escape(sweep.spec.name))</h1>

            """
        if !sweep.spec.summary.isEmpty { out += "<p>\(escape(sweep.spec.summary))</p>\n" }
        out += "<ul>" + facts.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        for (w, ranked) in byWorkload {
            out += "<h2>\(escape(w.name))</h2>\n<p>Model \(escape(ranked.first?.model ?? "?")), target "
                + "\(fmt(sweep.targetTokensPerSecond(index(w)))) output tokens/s.</p>\n<p><b>\(escape(verdict(w, ranked)))</b></p>\n"
            out += "<div class=\"scroll\"><table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
            for s in ranked {
                if s.feasible {
                    out += "<tr>" + cells(s).map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n"
                } else {
                    out += "<tr><td>\(escape(s.layout))</td><td class=\"why\" colspan=\"\(header.count - 1)\">\(escape(s.note))</td></tr>\n"
                }
            }
            out += "</table></div>\n"
            for f in figures(w) where plotted {
                out += "<figure><img src=\"plots/\(f.name).svg\" alt=\"\(escape(f.title))\">"
                    + "<figcaption>\(escape(f.title)) (<a href=\"plots/\(f.name).png\">PNG</a>, "
                    + "<a href=\"plots/\(f.name).csv\">data</a>)</figcaption></figure>\n"
            }
        }
        if !plotted { out += "<p>Plots not drawn: gnuplot is missing or failed (install gnuplot-nox and run again).</p>\n" }
        out += "<h2>Files</h2><ul><li><a href=\"results.csv\">results.csv</a></li>"
            + inputCopies.map { "<li><a href=\"inputs/\(escape($0.name))\">inputs/\(escape($0.name))</a></li>" }.joined()
            + "</ul>\n</body></html>\n"
        return out
    }

    /// The figures of one workload.
    func figures(_ w: WorkloadSpec) -> [Plots.Figure] {
        let names = sweep.spec.workloads.map(\.name)
        return Plots.figures(workloads: names).filter { $0.name.hasSuffix("-\(index(w))") }
    }

    private func index(_ w: WorkloadSpec) -> Int { sweep.spec.workloads.firstIndex { $0.name == w.name } ?? 0 }
}

func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
