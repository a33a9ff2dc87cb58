import ArgumentParser
import Capacity
import Foundation

/// `tessera bench capacity`: how fast a sweep goes on one core, counted two ways: layout ×
/// workload points per second, and planner candidates (strategy × batch evaluations) per second.
struct CapacityBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capacity",
        abstract: "Time capacity sweeps on one core: points/s and planner candidates/s.",
        discussion: """
            Evaluates every point of each spec once, with no store and no reports, on one thread. \
            `cpu s` is the thread's own CPU time, so `points/cpu-s` holds on a busy machine where \
            wall-clock `points/s` falls.

            Examples:
              tessera bench capacity                                   # the specs in Experiments/
              tessera bench capacity Experiments/llama-3-70b-groq.yaml
            """)

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
        say("spec                                      points  candidates   seconds   points/s  candidates/s     cpu s  points/cpu-s")
        var points = 0, candidates = 0, seconds = 0.0, cpu = 0.0
        for path in paths {
            let sweep: CapacitySweep
            do { sweep = try CapacitySweep(try CapacitySpec.load(path: path)) } catch { throw fail(error) }
            let start = DispatchTime.now().uptimeNanoseconds, startCPU = Self.threadCPUSeconds()
            var n = 0
            for point in sweep.points { n += sweep.evaluate(point).candidates }
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, c = Self.threadCPUSeconds() - startCPU
            say(Self.line(sweep.spec.name, sweep.points.count, n, s, cpu: c))
            points += sweep.points.count; candidates += n; seconds += s; cpu += c
        }
        say(Self.line("total", points, candidates, seconds, cpu: cpu))
    }

    /// CPU time this thread has used. The corresponding C call is `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t) == 0 else { return 0 }
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func line(_ name: String, _ points: Int, _ candidates: Int, _ seconds: Double, cpu: Double) -> String {
        let pad = { (s: String, n: Int) in String(repeating: " ", count: max(0, n - s.count)) + s }
        return name.padding(toLength: 40, withPad: " ", startingAt: 0)
            + pad("\(points)", 8) + pad("\(candidates)", 12) + pad(String(format: "%.3f", seconds), 10)
            + pad(String(format: "%.1f", Double(points) / max(seconds, 1e-9)), 11)
            + pad(String(format: "%.0f", Double(candidates) / max(seconds, 1e-9)), 14)
            + pad(String(format: "%.3f", cpu), 10) + pad(String(format: "%.1f", Double(points) / max(cpu, 1e-9)), 14)
    }
}
