import Capacity
import Foundation
import Testing

/// The report folder: CSV shape, plots that are real pictures, and HTML that a browser renders.
@Suite(.serialized) struct ReportTests {
    func written() throws -> String {
        let sweep = try Fixture.sweep()
        let folder = try Fixture.temporaryFolder("report")
        let store = try Fixture.runAll(sweep, into: folder)
        let outcome = try CapacityReport(sweep: sweep, rows: try store.rows(), candidates: try store.candidates())
            .write(to: folder)
        #expect(outcome.problem == nil, "install gnuplot-nox (make deps)")
        return folder
    }

    @Test func theCSVHasOneRowPerStrategyAndTheInputsAreCopied() throws {
        let folder = try written()
        let lines = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines[0].hasPrefix("point,layout,chipKind,shape,interconnect,rackPowerBudgetKW,workload,"))
        #expect(lines.filter { $0.contains(",over-budget,") }.count == 2)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: folder + "/inputs").sorted()
        #expect(inputs == ["tiny-llama.json", "tiny-rack-fast.yaml", "tiny-rack.yaml", "tiny-test.json", "tiny.yaml"])
        #expect(try String(contentsOfFile: folder + "/inputs/tiny.yaml", encoding: .utf8)
                == String(contentsOfFile: Fixture.tinySpec, encoding: .utf8))
        let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
        #expect(md.contains("**Best: fast ≤5kW, 1 rack for 100,000 output tokens/s"))
        // The target-load columns a capacity planner acts on.
        for column in ["racks", "batch", "TTFT p50 / p99 ms", "TPOT ms", "kW at load", "$ per M tokens", "goodput req/s", "spare chips"] {
            #expect(md.contains("| \(column) |"), "no \(column) column")
        }
    }

    @Test func theHTMLOpensInHeadlessChromiumWithItsPlots() throws {
        let folder = try written()
        let figures = Plots.figures(workloads: ["short", "mixed"])
        #expect(figures.count == 6)
        for f in figures {
            let svg = try String(contentsOfFile: "\(folder)/plots/\(f.name).svg", encoding: .utf8)
            #expect(svg.contains("<path"), "\(f.name).svg has no path")
            let png = try FileManager.default.attributesOfItem(atPath: "\(folder)/plots/\(f.name).png")[.size] as? Int ?? 0
            #expect(png > 5_000, "\(f.name).png is only \(png) bytes")
            // The plot's data sits beside it, with a header and a row per point.
            let csv = try String(contentsOfFile: "\(folder)/plots/\(f.name).csv", encoding: .utf8).split(separator: "\n")
            #expect(csv.count > 2, "\(f.name).csv is empty")
        }
        // Every layout is named in each throughput and racks figure (infeasible ones in the bars).
        let bars = try String(contentsOfFile: "\(folder)/plots/throughput-0.svg", encoding: .utf8)
        for layout in ["fast ≤5kW", "fast ≤1kW", "slow node=2 cluster=1 link=fat"] { #expect(bars.contains(layout)) }
        #expect(bars.contains("target load: 100,000 output tokens/s"))
        let racks = try String(contentsOfFile: "\(folder)/plots/racks-1.csv", encoding: .utf8)
        #expect(Set(racks.split(separator: "\n").dropFirst().map { $0.split(separator: ",")[0] }).count == 9)
        let chromium = try #require(Fixture.tool("chromium"), "chromium is missing: install it (make deps)")
        let dom = try Fixture.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                             "file://\(folder)/report.html"])
        #expect(dom.status == 0)
        #expect(dom.output.contains("<h1>Capacity: tiny</h1>"))
        #expect(dom.output.components(separatedBy: "<img src=\"plots/").count - 1 == 6)
        // Screenshots at a desktop and a phone width prove the page and its images render.
        for width in [1400, 420] {
            let shot = folder + "/shot-\(width).png"
            try Fixture.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=\(width),2400",
                                       "--screenshot=\(shot)", "file://\(folder)/report.html"])
            let size = try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int ?? 0
            #expect(size > 50_000)
        }
    }
}
