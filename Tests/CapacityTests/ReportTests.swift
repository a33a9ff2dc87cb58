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
    }

    @Test func theHTMLOpensInHeadlessChromiumWithItsPlots() throws {
        let folder = try written()
        for name in Plots.names {
            let svg = try String(contentsOfFile: "\(folder)/plots/\(name).svg", encoding: .utf8)
            #expect(svg.contains("<path"), "\(name).svg has no path")
            let png = try FileManager.default.attributesOfItem(atPath: "\(folder)/plots/\(name).png")[.size] as? Int ?? 0
            #expect(png > 5_000, "\(name).png is only \(png) bytes")
        }
        let chromium = try #require(Fixture.tool("chromium"), "chromium is missing: install it (make deps)")
        let dom = try Fixture.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                                             "file://\(folder)/report.html"])
        #expect(dom.status == 0)
        #expect(dom.output.contains("<h1>Capacity: tiny</h1>"))
        #expect(dom.output.components(separatedBy: "<img src=\"plots/").count - 1 == 3)
        // The screenshot proves the page and its images render, not only parse.
        let shot = folder + "/shot.png"
        try Fixture.run(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--window-size=1100,2400",
                                   "--screenshot=\(shot)", "file://\(folder)/report.html"])
        let size = try FileManager.default.attributesOfItem(atPath: shot)[.size] as? Int ?? 0
        #expect(size > 50_000)
    }
}
