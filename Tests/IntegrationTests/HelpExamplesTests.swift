import Foundation
import Testing

/// `--help` teaches by example: every shipped file an example names must exist, so that a user who
/// copies one gets a result, not "no such file".
@Suite struct HelpExamplesTests {
    static let commands: [[String]] = [
        ["model"], ["cluster"], ["plan"], ["place"], ["lower"], ["emulate"], ["hostmap"], ["capacity"],
        ["experiment", "run"], ["experiment", "list"], ["validate"], ["calibrate"], ["doctor"],
        ["bench", "mpi"], ["bench", "plan"], ["bench", "emulate"], ["bench", "capacity"], ["bench", "failures"],
        ["bench", "place"],
    ]

    @Test func everyShippedFileAnExampleNamesExists() throws {
        let run = PlanCommandTests()
        let pattern = try NSRegularExpression(pattern: "(Workloads|Clusters|Experiments)/[A-Za-z0-9._/*-]*[A-Za-z0-9*]")
        var named = Set<String>()
        for command in Self.commands {
            let r = try run.tessera(command + ["--help"])
            #expect(r.status == 0, "\(command.joined(separator: " ")) --help: \(r.err)")
            let text = r.out as NSString
            for m in pattern.matches(in: r.out, range: NSRange(location: 0, length: text.length)) {
                let path = text.substring(with: m.range)
                // Placeholders (NAME) and the user's own files (my-…) are not shipped.
                if path.contains("NAME") || path.contains("/my-") { continue }
                named.insert(path)
            }
        }
        #expect(named.count >= 10)
        let root = MPIRunTests.packageRoot
        for path in named.sorted() {
            if path.contains("*") {
                // A glob: its folder must hold at least one file with the pattern's extension.
                let folder = root.appendingPathComponent((path as NSString).deletingLastPathComponent)
                let ext = (path as NSString).pathExtension
                let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
                #expect(files.contains { ($0 as NSString).pathExtension == ext }, "\(path) matches nothing")
            } else {
                #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path), "\(path) does not exist")
            }
        }
    }
}
