import Foundation
import MessagePassing
import Testing

/// Emulations across two "hosts" on this machine. Hydra starts each host's proxy through
/// scripts/fake-hosts.sh (its ssh launcher), which gives it its own hostname in a UTS namespace;
/// hydra, MPICH and tessera then see separate hosts: a proxy and `MPI_LOCALNRANKS` per host,
/// MPICH's network module (UCX) between hosts, doorbells and bindings per host.
///
/// Between the hosts UCX uses shared memory (`UCX_TLS=self,posix`), not TCP over the loopback:
/// with MPICH 4.0.2 and UCX 1.13.1 here, `MPI_Finalize` over TCP hung in 5 of 6 such runs (the
/// results were right every time; see README "More than one host"). Set
/// `TESSERA_MULTIHOST_UCX_TLS=tcp,self` to run these tests over TCP on `lo` instead (a run that
/// hangs in `MPI_Finalize` then holds the test: hydra outlives the launcher's timeout).
@Suite(.serialized) struct MultiHostTests {
    static let script = MPIRunTests.packageRoot.appendingPathComponent("scripts/fake-hosts.sh").path
    static let transports = ProcessInfo.processInfo.environment["TESSERA_MULTIHOST_UCX_TLS"] ?? "self,posix"
    /// Hydra's flags for the fake hosts, all traffic on this machine (TCP, if chosen, on `lo`).
    static let launcher = ["-launcher", "ssh", "-launcher-exec", script, "-genv", "UCX_TLS", transports,
                           "-genv", "UCX_NET_DEVICES", "lo"]

    /// Fails (never skips) when this machine cannot make a UTS namespace, saying why.
    func requireNamespaces() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["unshare", "--uts", "true"]
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0,
                     "`unshare --uts` failed: the multi-host tests need root or CAP_SYS_ADMIN for a UTS namespace")
    }

    func run(_ ranks: Int, _ arguments: [String], hosts: [String]?) throws -> MPILauncher.Outcome {
        try #require(FileManager.default.isExecutableFile(atPath: MPIRunTests.tessera), "build first: swift build")
        // Hydra waits on when its launcher fails (it does not exit), so a broken set-up shows as a run that does not finish.
        return try MPILauncher.run(ranks: ranks, executable: MPIRunTests.tessera, arguments: arguments,
                                   timeoutSeconds: 90,
                                   launcherFlags: hosts.map { Self.launcher + $0 } ?? MPILauncher.hostFlags)
    }

    /// Writes `hosts` as a host file, runs `tessera hostmap` over it and returns the machinefile and
    /// binding file it wrote.
    func hostmap(_ plan: String, hosts: [String], name: String) throws -> (machinefile: String, binding: String) {
        let directory = "\(EmulateRunTests.directory)/\(name)-map"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hostFile = "\(directory)/hosts.txt"
        try (hosts.joined(separator: "\n") + "\n").write(toFile: hostFile, atomically: true, encoding: .utf8)
        try #require(try MPIRunTests.plain(["hostmap", plan, "--hosts", hostFile, "-o", directory]).status == 0)
        return ("\(directory)/machinefile", "\(directory)/binding.txt")
    }

    /// The `EMULATE` line's fields, and the report without the lines that carry wall-clock figures.
    func figures(_ outcome: MPILauncher.Outcome) throws -> (fields: [String: String], report: [Substring]) {
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let lines = outcome.output.split(separator: "\n")
        let line = try #require(lines.first { $0.hasPrefix("EMULATE ") }, "no EMULATE line in:\n\(outcome.output)")
        var fields: [String: String] = [:]
        for pair in line.split(separator: " ").dropFirst() {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        return (fields, lines.filter { !$0.hasPrefix("EMULATE ") })
    }

    /// The start-up checks see two hosts: each rank reports its own host name and the all-reduce
    /// across them is right; tessera leaves UCX's transports alone (it limits them to shared memory
    /// only when hydra says every rank is on one host).
    @Test func doctorSeesTwoHostsAndTheAllReduceCrossesThem() throws {
        try requireNamespaces()
        let outcome = try run(4, ["doctor", "--expect", "4"], hosts: ["-hosts", "alpha:2,beta:2"])
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let rows = MPIRunTests().tableRows(outcome.output)
        #expect(rows.map { $0.prefix(2).joined(separator: " ") } == ["0 alpha", "1 alpha", "2 beta", "3 beta"])
        #expect(rows.map { $0.suffix(3).joined(separator: " ") } == Array(repeating: "ok (sum 10)", count: 4))
        let settings = try #require(outcome.output.split(separator: "\n").first { $0.hasPrefix("MPI settings ") })
        #expect(settings.hasPrefix("MPI settings     HWLOC_PLUGINS_BLACKLIST=hwloc_gl,hwloc_opencl,hwloc_pci,hwloc_xml_libxml"))
        #expect(!settings.contains("UCX_TLS"), "\(settings)")
        #expect(outcome.output.hasSuffix("No problems found.\n"))
    }

    /// Tiny-llama at TP 2 × PP 2, numeric, placed by `tessera hostmap` on two hosts (a stage each,
    /// through its machinefile and binding file), waits cooperative with a doorbell object per host:
    /// the same report, to the digit, as on one host.
    @Test func numericTP2PP2AcrossTwoHostsMatchesOneHost() throws {
        try requireNamespaces()
        let plan = try EmulateRunTests().plan("multihost-numeric", ["--tp", "2", "--pp", "2"])
        let map = try hostmap(plan, hosts: ["alpha", "beta"], name: "numeric")
        #expect(try String(contentsOfFile: map.machinefile, encoding: .utf8) == "alpha:2\nbeta:2\n")
        let arguments = ["emulate", plan, "--numeric", "--stats", "--wait", "cooperative", "--watchdog-seconds", "20"]
        let spread = try figures(run(4, arguments + ["--binding", map.binding], hosts: ["-f", map.machinefile]))
        let local = try figures(run(4, arguments, hosts: nil))
        #expect(spread.fields["hosts"] == "2" && local.fields["hosts"] == "1")
        #expect(spread.fields["doorbells"] == "1")
        #expect(spread.report.contains { $0.hasPrefix("max relative error 1.09e-07") })
        #expect(spread.report == local.report)
        for key in ["messages", "ttftms", "tpotms", "maxrelerr"] { #expect(spread.fields[key] == local.fields[key], "\(key)") }
    }

    /// A timing run of TP 4 × PP 2 with four ranks on each host (bound by each host's own map, waits
    /// by policy): the virtual figures are those of one host.
    @Test func timingTP4PP2AcrossTwoHostsMatchesOneHost() throws {
        try requireNamespaces()
        let plan = try EmulateRunTests().plan("multihost-timing", ["--tp", "4", "--pp", "2"])
        let arguments = ["emulate", plan, "--stats", "--watchdog-seconds", "20"]
        let spread = try figures(run(8, arguments, hosts: ["-hosts", "alpha:4,beta:4"]))
        let local = try figures(run(8, arguments, hosts: nil))
        #expect(spread.fields["hosts"] == "2" && spread.fields["ranks"] == "8")
        #expect(spread.report == local.report)
        for key in ["messages", "ttftms", "tpotms", "tokenspersec"] { #expect(spread.fields[key] == local.fields[key], "\(key)") }
    }
}
