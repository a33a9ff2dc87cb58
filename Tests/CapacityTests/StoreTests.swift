import Capacity
import Foundation
import Testing

/// The store: a stopped sweep resumes without losing or repeating rows; a finished one does no work.
struct StoreTests {
    @Test func aStoppedSweepResumesToTheSameRows() throws {
        let sweep = try Fixture.sweep()
        let whole = try Fixture.runAll(sweep, into: try Fixture.temporaryFolder("whole")).rows()

        let folder = try Fixture.temporaryFolder("resumed")
        let first = try ResultStore(path: folder + "/results.sqlite", fingerprint: sweep.fingerprint())
        try sweep.run(store: first, stopAfter: 7)
        #expect(try first.doneKeys().count == 7)
        // A new process would open the file afresh.
        let second = try ResultStore(path: folder + "/results.sqlite", fingerprint: sweep.fingerprint())
        #expect(try sweep.pending(in: second).map(\.index) == Array(7..<20))
        var reported: [SweepProgress] = []
        try sweep.run(store: second) { reported.append($0) }
        #expect(reported.map(\.done) == Array(8...20))
        #expect(reported.allSatisfy { $0.alreadyDone == 7 && $0.total == 20 })
        #expect(try second.rows() == whole)

        // Finished: nothing pending, and recording a point again adds nothing.
        var again = 0
        try sweep.run(store: second) { _ in again += 1 }
        #expect(again == 0)
        try second.record(sweep.points[0], rows: sweep.evaluate(sweep.points[0]).rows, candidates: 1)
        #expect(try second.rows().count == whole.count)
    }

    @Test func aStoreFromOtherInputsIsRefused() throws {
        let folder = try Fixture.temporaryFolder("fingerprint")
        _ = try ResultStore(path: folder + "/results.sqlite", fingerprint: Fingerprint(parts: ["spec": "aaaa"]))
        #expect(throws: CapacityError(file: folder + "/results.sqlite", keyPath: "",
                                      message: "this store was made from other inputs (changed since it was made: spec); run with --fresh to start over, or use a new output folder")) {
            try ResultStore(path: folder + "/results.sqlite", fingerprint: Fingerprint(parts: ["spec": "bbbb"]))
        }
    }

    /// A real kill: SIGKILL the command after its first progress line, then resume. Runs the
    /// built-in spec, whose points take long enough (tenths of a second) for the kill to land mid-way.
    @Test func aKilledRunResumesWithNoRowLostOrRepeated() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Fixture.tessera), "build first: swift build")
        let root = Fixture.packageRoot.path
        let sweep = try CapacitySweep(try CapacitySpec.builtIn(root: root))
        let whole = try Fixture.runAll(sweep, into: try Fixture.temporaryFolder("kill-whole")).rows()
        let folder = try Fixture.temporaryFolder("killed")
        let arguments = ["capacity", "-o", folder, "--plain", "--root", root]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Fixture.tessera)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        // Plain progress comes every point here (6 points): kill at the first one.
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("progress: ") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let partial = try ResultStore(path: folder + "/results.sqlite", fingerprint: sweep.fingerprint())
        let kept = try partial.doneKeys().count
        #expect(kept >= 1 && kept < 6)
        let resumed = try Fixture.run(Fixture.tessera, arguments)
        #expect(resumed.status == 0)
        #expect(resumed.output.contains("\(kept) points already done\n"))
        #expect(try partial.rows() == whole)
    }
}
