import Capacity
import Foundation
import Testing

/// The store's fingerprint is the content of the inputs, not where they live.
struct FingerprintTests {
    /// Copies the fixtures and the workloads into a checkout-shaped folder under `parent`.
    static func checkout(_ parent: String) throws -> String {
        let fm = FileManager.default
        let root = parent + "/checkout"
        try fm.createDirectory(atPath: root + "/Tests/CapacityTests", withIntermediateDirectories: true)
        try fm.copyItem(atPath: Fixture.folder.path, toPath: root + "/Tests/CapacityTests/Fixtures")
        try fm.copyItem(atPath: Fixture.packageRoot.path + "/Workloads", toPath: root + "/Workloads")
        return root
    }

    static func sweep(in root: String) throws -> CapacitySweep {
        try CapacitySweep(try CapacitySpec.load(path: root + "/Tests/CapacityTests/Fixtures/tiny.yaml"))
    }

    @Test func aMovedCheckoutResumesAndAChangedFileIsNamed() throws {
        let parent = try Fixture.temporaryFolder("moved")
        let out = try Fixture.temporaryFolder("moved-out")
        let first = try Self.sweep(in: try Self.checkout(parent))
        let before = first.fingerprint()
        try first.run(store: try ResultStore(path: out + "/results.sqlite", fingerprint: before), stopAfter: 3)

        let moved = parent + "/moved-elsewhere"
        try FileManager.default.moveItem(atPath: parent + "/checkout", toPath: moved)
        let second = try Self.sweep(in: moved)
        #expect(second.fingerprint() == before)
        let store = try ResultStore(path: out + "/results.sqlite", fingerprint: second.fingerprint())
        #expect(try second.pending(in: store).count == second.points.count - 3)

        // One byte more in a cluster file: refused, and the message names the file.
        let cluster = moved + "/Tests/CapacityTests/Fixtures/tiny-rack.yaml"
        try (String(contentsOfFile: cluster, encoding: .utf8) + "# edited\n").write(toFile: cluster, atomically: true, encoding: .utf8)
        let third = try Self.sweep(in: moved)
        #expect(third.fingerprint().changes(from: before) == ["file tiny-rack.yaml"])
        #expect(throws: CapacityError(file: out + "/results.sqlite", keyPath: "",
                                      message: "this store was made from other inputs (changed since it was made: file tiny-rack.yaml); run with --fresh to start over, or use a new output folder")) {
            try ResultStore(path: out + "/results.sqlite", fingerprint: third.fingerprint())
        }
        // --fresh starts over.
        let fresh = try ResultStore(path: out + "/results.sqlite", fingerprint: third.fingerprint(), fresh: true)
        #expect(try fresh.doneKeys().isEmpty)
    }

    @Test func theCostModelIsPartOfTheFingerprint() throws {
        let parts = try CapacitySweep(try CapacitySpec.builtIn(root: Fixture.packageRoot.path)).fingerprint().parts
        #expect(parts["cost-model version"] == "\(costModelVersion)")
        #expect(parts["cost model software/trtllm-1.0.yaml"] != nil)
        #expect(parts["cost model gb200/gemm.csv"] != nil)
        #expect(parts["file gb200-nvl72.yaml"] != nil)
        #expect(parts.values.allSatisfy { $0 != "missing" })
    }

    @Test func aSecondWriterIsRefusedByPid() throws {
        let folder = try Fixture.temporaryFolder("locked")
        let held = try FolderLock(folder: folder)
        #expect(throws: CapacityError(file: folder, keyPath: "",
                                      message: "another tessera capacity run (pid \(getpid())) is writing to \(folder)")) {
            try FolderLock(folder: folder)
        }
        withExtendedLifetime(held) {}
    }
}
