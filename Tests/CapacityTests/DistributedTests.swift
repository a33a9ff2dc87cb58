import Capacity
import Foundation
import Testing

/// `mpirun -n N tessera capacity` writes what one process writes.
@Suite(.serialized) struct DistributedTests {
    func outputs(ranks: Int) throws -> (csv: String, rows: [ResultRow]) {
        try #require(FileManager.default.isExecutableFile(atPath: Fixture.tessera), "build first: swift build")
        let folder = try Fixture.temporaryFolder("ranks-\(ranks)")
        let arguments = ["capacity", Fixture.tinySpec, "-o", folder, "--plain"]
        if ranks == 1 {
            #expect(try Fixture.run(Fixture.tessera, arguments).status == 0)
        } else {
            let mpirun = try #require(Fixture.tool("mpirun"), "mpirun is missing: install MPICH (make deps)")
            let run = try Fixture.run(mpirun, ["-launcher", "fork", "-n", "\(ranks)", Fixture.tessera] + arguments)
            #expect(run.status == 0)
            #expect(run.output.contains("Report: \(folder)/report.html"))
        }
        let csv = try String(contentsOfFile: folder + "/results.csv", encoding: .utf8)
        let sweep = try Fixture.sweep()
        let rows = try ResultStore(path: folder + "/results.sqlite", fingerprint: sweep.fingerprint()).rows()
        return (csv, rows)
    }

    @Test func twoAndThreeRanksWriteTheSameRowsAsOne() throws {
        let one = try outputs(ranks: 1)
        #expect(one.csv.split(separator: "\n").count == one.rows.count + 1)
        for ranks in [2, 3] {
            let many = try outputs(ranks: ranks)
            #expect(many.rows == one.rows)
            #expect(many.csv == one.csv)
        }
    }
}
