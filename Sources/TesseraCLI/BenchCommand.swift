import ArgumentParser

/// `tessera bench`: measurements that are not tests (timing claims live here).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the machinery Tessera runs on.",
        subcommands: [BenchMPICommand.self, BenchPlanCommand.self, BenchEmulateCommand.self, CapacityBenchCommand.self,
                      BenchFailuresCommand.self, BenchPlaceCommand.self, BenchFuzzCommand.self])
}
