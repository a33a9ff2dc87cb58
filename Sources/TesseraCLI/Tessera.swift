import ArgumentParser
import Foundation
import SafeOutput

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
            PlaceCommand.self,
            LowerCommand.self,
            EmulateCommand.self, EmulateMonitorCommand.self,
            HostmapCommand.self,
            CapacityCommand.self,
            ExperimentCommand.self,
            ValidateCommand.self,
            CalibrateCommand.self,
            DoctorCommand.self,
            BenchCommand.self,
        ]
    )

    /// Runs the command, then checks that what went to standard output arrived: a failed write
    /// (`> /dev/full`, a closed pipe) is an error and a non-zero exit, never a silent success.
    static func main() {
        atexit {
            if let why = OutputFile.flushStandardOutput() {
                FileHandle.standardError.write(Data("error: cannot write standard output: \(why)\n".utf8))
                _exit(1)
            }
        }
        main(joiningNegativeNumbers(Array(CommandLine.arguments.dropFirst())))
    }
}
