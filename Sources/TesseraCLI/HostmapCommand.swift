import ArgumentParser
import Foundation
import HostTopology
import Runtime
import RuntimeMPI

/// `tessera hostmap`: where each rank of a plan runs, and the files hydra needs for it.
struct HostmapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hostmap",
        abstract: "Place a plan's ranks on hosts and PUs: TP groups together, pipeline neighbours next.",
        discussion: """
            Ranks of one tensor-parallel group share a core, an L3 or a NUMA node; pipeline neighbours come \
            next; across hosts, each host takes whole pipeline stages. With -o it writes `machinefile` \
            (hydra's `host:count` lines in rank order) and `binding.txt` (`rank pu,pu,…`), which \
            `tessera emulate --binding` applies at start-up:
              tessera hostmap plan.json --topology "pack:2 core:8 pu:2" -o map
              mpirun -launcher fork -f map/machinefile -n 16 tessera emulate plan.json --binding map/binding.txt

            Across hosts, name them in a host file (one a line); hydra starts the ranks over ssh:
              tessera hostmap plan.json --hosts hosts.txt -o map
              mpirun -f map/machinefile -n 16 tessera emulate plan.json --binding map/binding.txt
            On one machine, scripts/fake-hosts.sh stands in for ssh and gives each host its own hostname \
            (a UTS namespace; needs root):
              mpirun -launcher ssh -launcher-exec scripts/fake-hosts.sh -f map/machinefile -genv UCX_TLS self,posix \\
                -n 16 tessera emulate plan.json --binding map/binding.txt
            """)

    @Argument(help: "A plan written by `tessera plan -o`.")
    var plan: String

    @Option(help: "An `lstopo --of xml` file or an hwloc synthetic description such as \"pack:2 core:8 pu:2\"; default: this host.")
    var topology: String?

    @Option(name: .customLong("max-pus"),
            help: "Refuse a synthetic --topology of more PUs than this (counted before hwloc builds it; default \(Topology.defaultMaxPUs), at most 1048576).")
    var maxPUs = Topology.defaultMaxPUs

    @Option(help: "A host file: one host name a line (`host` or `host:slots`; `#` comments); default: this host only.")
    var hosts: String?

    @Flag(help: "Place one data-parallel replica only.")
    var oneReplica = false

    @Option(name: .shortAndLong, help: "Directory to write `machinefile` and `binding.txt` into.")
    var output: String?

    func validate() throws {
        guard (1...1 << 20).contains(maxPUs) else { throw ValidationError("--max-pus: expected 1 to 1048576, got \(maxPUs)") }
    }

    func run() throws {
        do {
            let plan = try EmulatorLauncher.loadPlan(plan)
            let topology = try loadTopology()
            let hostNames = try loadHosts()
            let ranks = Emulation.ranksNeeded(plan, oneReplica: oneReplica)
            let map = HostMap(roles: HostMap.roles(of: plan, oneReplica: oneReplica), hosts: hostNames,
                              puIndicesByCore: topology.puIndicesByCore, domains: topology.puIndicesByCacheDomain)
            printMap(map, topology: topology, hostCount: max(hostNames.count, 1))
            if let output { try write(map, to: output, ranks: ranks) }
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail(error)
        }
    }

    private func loadTopology() throws -> Topology {
        guard let topology else { return try Topology.loadHost() }
        if FileManager.default.fileExists(atPath: topology) { return try Topology(xmlFile: topology) }
        // Synthetic descriptions never hold a slash or end in .xml: such a name is a missing file.
        if topology.contains("/") || topology.hasSuffix(".xml") {
            throw ValidationError("--topology \(topology): no such file (give an `lstopo --of xml` file or a synthetic description such as \"pack:2 core:8 pu:2\")")
        }
        return try Topology(synthetic: topology, maxPUs: maxPUs)
    }

    private func loadHosts() throws -> [String] {
        guard let hosts else { return [] }
        guard let text = try? String(contentsOfFile: hosts, encoding: .utf8) else {
            throw ValidationError("\(hosts): cannot read the host file")
        }
        return text.split(separator: "\n").compactMap { line in
            let name = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?
                .split(separator: ":").first?.trimmingCharacters(in: .whitespaces) ?? ""
            return name.isEmpty ? nil : name
        }
    }

    private func printMap(_ map: HostMap, topology: Topology, hostCount: Int) {
        var ranksPerHost: [String: Int] = [:]
        map.entries.forEach { ranksPerHost[$0.host, default: 0] += 1 }
        let busiest = ranksPerHost.values.max() ?? 0
        let policy = HostMap.waitPolicy(ranksOnHost: busiest, pus: topology.pus)
        print("\(map.entries.count) ranks on \(hostCount) host\(hostCount == 1 ? "" : "s") of \(topology.cores) cores, "
              + "\(topology.pus) PUs each (topology: \(topology.source)); up to \(busiest) ranks a host, "
              + "so ranks wait by \(policy == .spin ? "spinning" : "cooperative waits (oversubscribed)")")
        let rows = map.entries.map { entry in
            [String(entry.role.rank), entry.host, entry.pus.map(String.init).joined(separator: ","),
             String(entry.role.stage), String(entry.role.tpRank), String(entry.role.dpRank)]
        }
        alignedTable(header: ["rank", "host", "pus", "stage", "tp rank", "dp rank"], rows: rows,
                     rightAligned: [0, 3, 4, 5]).forEach { print($0) }
    }

    private func write(_ map: HostMap, to directory: String, ranks: Int) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let machinefile = (directory as NSString).appendingPathComponent("machinefile")
        let binding = (directory as NSString).appendingPathComponent("binding.txt")
        try writeAtomically(Data((map.machinefile.joined(separator: "\n") + "\n").utf8), to: machinefile)
        try writeAtomically(Data(BindingFile.text(map).utf8), to: binding)
        print("\nwrote \(machinefile) and \(binding); run with:")
        print("  mpirun -f \(machinefile) -n \(ranks) tessera emulate \(plan) --binding \(binding)"
              + (oneReplica ? " --one-replica" : ""))
    }
}
