import ArgumentParser
import ClusterSpec
import Foundation

/// `tessera cluster <file> [--json]`: the hierarchy, totals and links of a cluster file.
struct ClusterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Show a cluster file: the hierarchy with counts, totals (chiplets, chips, memory, peak FLOPS, power) and links per level."
    )

    @Argument(help: "A cluster description, e.g. Clusters/dgx-h100.yaml.")
    var file: String

    @Flag(help: "Print JSON instead of text (keys include `chiplets` and `levels`).")
    var json = false

    func run() throws {
        let spec: ClusterSpec
        do {
            spec = try ClusterSpec.load(path: file)
        } catch let error as ClusterSpecError { throw fail(error) }
        print(json ? try ClusterReport.json(spec) : ClusterReport.text(spec))
    }
}
