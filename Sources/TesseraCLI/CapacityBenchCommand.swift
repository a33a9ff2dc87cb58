import ArgumentParser
import Capacity
import Foundation

/// `tessera bench capacity`: how fast a sweep goes on one core, counted two ways: layout ×
/// workload points per second, and planner candidates (strategy × batch evaluations) per second.
struct CapacityBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Time capacity sweeps on one core: points/s and planner candidates/s.",
        discussion: "Evaluates every point of each spec once, with no store and no reports, on one thread.")

    @Argument(help: "Capacity specs (default: the capacity specs among Experiments/*.yaml under --root).")
    var specs: [String] = []

    @Option(help: "Folder holding Experiments/ (the project root).")
    var root: String = "."

    func run() throws {
        var paths = specs
        if paths.isEmpty {
            let folder = root + "/Experiments"
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            paths = names.filter { $0.hasSuffix(".yaml") }.sorted().map { folder + "/" + $0 }
                .filter { !Experiment.isExperiment(path: $0) }
            guard !paths.isEmpty else { throw fail("no specs given and none in \(folder)") }
        }
        say("spec                                      points  candidates   seconds   points/s  candidates/s")
        var points = 0, candidates = 0, seconds = 0.0
        for path in paths {
            let sweep: CapacitySweep
            do { sweep = try CapacitySweep(try CapacitySpec.load(path: path)) } catch { throw fail(error) }
            let start = DispatchTime.now().uptimeNanoseconds
            var n = 0
            for point in sweep.points { n += sweep.evaluate(point).candidates }
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            say(Self.line(sweep.spec.name, sweep.points.count, n, s))
            points += sweep.points.count; candidates += n; seconds += s
        }
        say(Self.line("total", points, candidates, seconds))
    }

    static func line(_ name: String, _ points: Int, _ candidates: Int, _ seconds: Double) -> String {
        let pad = { (s: String, n: Int) in String(repeating: " ", count: max(0, n - s.count)) + s }
        return name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + pad("\(points)", 8) + pad("\(candidates)", 12) + pad(String(format: "%.3f", seconds), 10)
            + pad(String(format: "%.1f", Double(points) / max(seconds, 1e-9)), 11)
            + pad(String(format: "%.0f", Double(candidates) / max(seconds, 1e-9)), 14)
    }
}
