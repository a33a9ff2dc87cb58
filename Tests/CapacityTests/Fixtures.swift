import Capacity
import Foundation

/// Paths of the test fixtures and the package, and a fresh folder per test.
enum Fixture {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let packageRoot = folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let tinySpec = folder.appendingPathComponent("tiny.yaml").path
    static let tessera = packageRoot.appendingPathComponent(".build/debug/tessera").path

    static func sweep() throws -> CapacitySweep { try CapacitySweep(try CapacitySpec.load(path: tinySpec)) }

    static func temporaryFolder(_ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("capacity-tests-\(name)-\(getpid())")
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url.path
    }

    /// Runs the whole sweep into a new store in `folder`; returns the store.
    static func runAll(_ sweep: CapacitySweep, into folder: String) throws -> ResultStore {
        let store = try ResultStore(path: folder + "/results.sqlite", fingerprint: sweep.fingerprint())
        try sweep.run(store: store)
        return store
    }

    /// The first executable called `name` on PATH.
    static func tool(_ name: String) -> String? {
        (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":")
            .map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a program to completion; returns its exit status and standard output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
