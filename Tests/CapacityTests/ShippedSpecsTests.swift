import Capacity
import Foundation
import Testing

/// Every shipped spec loads, names files that exist, and sweeps both traffic kinds.
struct ShippedSpecsTests {
    static let folder = Fixture.packageRoot.appendingPathComponent("Experiments").path
    static let specs = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
        .filter { $0.hasSuffix(".yaml") && !Experiment.isExperiment(path: folder + "/" + $0) }.sorted()

    @Test func eightSpecsShip() {
        #expect(Self.specs.count == 8)
    }

    @Test(arguments: specs) func loadsAndSweepsChatAndLongContext(_ name: String) throws {
        let sweep = try CapacitySweep(try CapacitySpec.load(path: Self.folder + "/" + name))
        #expect(sweep.spec.workloads.map(\.name) == ["chat", "long-context"])
        #expect(sweep.points.count == sweep.layouts.count * 2)
        #expect(sweep.spec.name + ".yaml" == name)
    }
}
