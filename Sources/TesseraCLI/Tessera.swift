import ArgumentParser

/// The `tessera` command. Each subcommand lives in its own file; this list is the only shared line.
@main
struct Tessera: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tessera",
        abstract: "Plan and emulate how transformer inference is split across chiplets, chips and racks.",
        version: "0.1.0",
        subcommands: [
            ModelCommand.self,
            ClusterCommand.self,
            PlanCommand.self,
            LowerCommand.self,
            EmulateCommand.self,
            HostmapCommand.self,
            CapacityCommand.self,
            ExperimentCommand.self,
            ValidateCommand.self,
            CalibrateCommand.self,
            DoctorCommand.self,
            BenchCommand.self,
        ]
    )
}
