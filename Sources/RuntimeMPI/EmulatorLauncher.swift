#if canImport(Glibc)
internal import CLinux
#endif
import Foundation
import HostTopology
import MessagePassing
import Planner
import Runtime

/// How `tessera emulate` starts a rank: read the plan, bind, choose the wait policy, check the
/// world against the plan, then run this rank's program.
public struct EmulatorLaunch: Sendable {
    public enum Wait: String, Sendable, CaseIterable {
        case auto, spin, cooperative, blocking
    }

    public var planPath: String
    public var options = EmulationOptions()
    public var wait = Wait.auto
    public var watchdogSeconds = 30.0
    /// A `tessera hostmap` binding file; nil binds by the host map of this host.
    public var bindingPath: String?
    public var bind = true
    /// Test hook: per-rank plan files (`rank=path`), to exercise the plan-hash check.
    public var planForRank: [Int: String] = [:]
    /// Test hook: rank 0 waits for a message nobody sends, to exercise the watchdog.
    public var injectUnmatchedReceive = false
    /// The cap of a cooperative wait's pause; nil: `MPIFabric.maxSleepUs(ranksPerPU:)` of this host.
    public var maxSleepUs: Double?
    /// Gather every rank's wall time, messages and peak RSS after the run (for benchmarks).
    public var gatherStats = false
    /// Cooperative waits of ranks that share a host end when a peer rings (`Doorbells`); false:
    /// they sleep with backoff only, as between hosts.
    public var doorbells = true
    /// How this executable runs a host's `RankMonitor` (board name, local ranks → arguments).
    public var monitorArguments: @Sendable (String, Int) -> [String] = { ["emulate-monitor", $0, String($1)] }
    /// Told on rank 0 once every rank is up and the checks have passed (with the world size).
    public var onReady: (@Sendable (_ ranks: Int) -> Void)?

    public init(planPath: String) { self.planPath = planPath }
}

/// What a rank did, for the command to print (rank 0) and for benchmarks.
public struct EmulatorOutcome: Sendable {
    public var result: EmulationResult?
    public var rank: Int
    public var ranks: Int
    public var policy: WaitPolicy
    /// Whether this rank's cooperative waits ended by its peers' doorbells.
    public var doorbells: Bool
    public var pus: [Int]?
    /// Wall time of the message loop on this rank: `Emulation.run` after its set-up (see
    /// `EmulationOptions.started`), the gather of results included.
    public var wallSeconds: Double
    /// Wall time of `Emulation.run`'s set-up on this rank: lowering, pricing tables, the barrier after.
    public var setUpSeconds: Double
    public var messagesSent: Int
    /// Every rank's figures, when asked for with `gatherStats`.
    public var stats: RankStats?
    /// Notes for stderr (a binding that failed, for instance).
    public var warnings: [String]
}

/// When this rank's message loop started (`EmulationOptions.started`, told on the thread that runs it).
private final class LoopStart: @unchecked Sendable {
    private(set) var seconds: Double?
    func mark() { seconds = MPIRuntime.wallTimeSeconds() }
}

public enum EmulatorLauncher {
    /// What runs this rank's program once the checks pass: `Emulation.run`.
    public typealias Execute = (Plan, Fabric, EmulationOptions) throws -> EmulationResult?

    /// Runs one rank. Errors that every rank reaches alike are `EmulatorError.isCollective`; any
    /// other error means this rank failed alone, and the caller should abort the job.
    public static func run(_ launch: EmulatorLaunch, execute: Execute) throws -> EmulatorOutcome {
        #if canImport(Glibc)
        // Blocks from 128 KiB (the kernel tables' file buffers) are mapped apart and returned when
        // freed, rather than glibc raising this threshold and keeping them on the heap: at 256
        // ranks the fullest rank's peak RSS was 38.6 MB, and 38.2 MB with the fixed threshold.
        mallopt(M_MMAP_THRESHOLD, 128 << 10)
        #endif
        // Before MPI starts, so a rank lost while it starts is named too (see `RankBoard`).
        let board = RankBoard.join(monitorArguments: launch.monitorArguments)
        defer { board?.markDone() }
        let world: Communicator
        do { world = try MPIRuntime.world() } catch { throw EmulatorError.transport(error) }
        let path = launch.planForRank[world.rank] ?? launch.planPath
        let loaded = Result { () throws(EmulatorError) in try loadPlan(path) }
        let plan = try? loaded.get()
        if let plan, let board {
            let roles = roles(of: plan, oneReplica: launch.options.oneReplica)
            if roles.indices.contains(world.rank) { board.describe(role: roles[world.rank]) }
        }
        let needed = plan.map { Emulation.ranksNeeded($0, oneReplica: launch.options.oneReplica) } ?? 1
        if world.size == 1 && needed > 1 && !MPILauncher.isUnderLauncher() {
            throw EmulatorError.notUnderMpirun(ranks: needed, command: "mpirun -launcher fork -n \(needed) tessera emulate \(launch.planPath)"
                                               + (launch.options.oneReplica ? " --one-replica" : ""))
        }
        var warnings: [String] = []
        let host: Topology?  // Loaded once: hwloc's discovery is the costliest step of start-up.
        do { host = try Topology.loadHost() } catch {
            host = nil
            warnings.append("rank \(world.rank): \(error); running unbound")
        }
        let pus = launch.bind ? try plan.flatMap { (plan) throws(EmulatorError) in
            try bind(launch, plan: plan, host: host, rank: world.rank, warnings: &warnings)
        } : nil
        let ranksOnHost = ProcessInfo.processInfo.environment["MPI_LOCALNRANKS"].flatMap { Int($0) } ?? world.size
        let pusOnHost = max(host?.pus ?? 1, 1)
        let policy = waitPolicy(launch.wait, ranksOnHost: ranksOnHost, pus: pusOnHost)
        let fabric = MPIFabric(world: world, policy: policy, watchdogSeconds: launch.watchdogSeconds,
                               maxSleepUs: launch.maxSleepUs
                                   ?? MPIFabric.maxSleepUs(ranksPerPU: Double(ranksOnHost) / Double(pusOnHost)))
        fabric.board = board
        let hostName: String
        do { hostName = try MPIRuntime.processorName() } catch { throw EmulatorError.transport(error) }
        var doorbells = false
        if policy == .cooperative && launch.doorbells { doorbells = try fabric.openDoorbells(hostName: hostName) }

        // Every rank learns whether every other could read its plan and which plan it holds (hash 0:
        // unreadable) before any can fail alone; and hashes come before rank counts, since ranks
        // holding different plans may also disagree on the count.
        let hashes = try fabric.allGather(plan.map { Emulation.planHash($0) } ?? 0)
        let unreadable = hashes.indices.filter { hashes[$0] == 0 }
        guard let plan, unreadable.isEmpty else {
            if case .failure(let error) = loaded, world.rank == 0 { throw error }
            throw EmulatorError.planUnreadable(ranks: unreadable)
        }
        if let odd = hashes.indices.first(where: { hashes[$0] != hashes[0] }) {
            throw EmulatorError.planHash(rank: odd, hash: hashes[odd], rank0Hash: hashes[0])
        }
        guard world.size == needed else {
            throw EmulatorError.rankCount(chiplets: Emulation.ranksNeeded(plan, oneReplica: false), ranks: world.size,
                                          oneReplica: launch.options.oneReplica,
                                          replicaRanks: Emulation.ranksNeeded(plan, oneReplica: true))
        }
        if launch.injectUnmatchedReceive && world.rank == 0 {
            _ = try fabric.receive(from: world.size - 1, tag: Int(Int32.max),
                                   waiting: "a message nobody sends (--inject-unmatched-recv)")
        }
        if world.rank == 0 { launch.onReady?(world.size) }
        let start = MPIRuntime.wallTimeSeconds()
        let loopStart = LoopStart()
        var options = launch.options
        options.started = { [told = options.started] in loopStart.mark(); told?() }
        let result = try execute(plan, fabric, options)
        let end = MPIRuntime.wallTimeSeconds()
        let setUpSeconds = (loopStart.seconds ?? start) - start
        let wallSeconds = end - (loopStart.seconds ?? start)
        let messagesSent = fabric.messagesSent
        let stats = launch.gatherStats
            ? try RankStats.gather(wallSeconds: wallSeconds, setUpSeconds: setUpSeconds, messagesSent: messagesSent,
                                   hostName: hostName, over: fabric) : nil
        try fabric.close()
        return EmulatorOutcome(result: result, rank: world.rank, ranks: world.size, policy: policy, doorbells: doorbells, pus: pus,
                               wallSeconds: wallSeconds, setUpSeconds: setUpSeconds, messagesSent: messagesSent, stats: stats,
                               warnings: warnings)
    }

    /// Each rank's chiplet and role, as a lost rank is named: `chiplet 3: stage 1, TP rank 1`.
    static func roles(of plan: Plan, oneReplica: Bool) -> [String] {
        plan.chiplets.sorted { $0.index < $1.index }.filter { !oneReplica || $0.dpRank == 0 }.map { chiplet in
            var text = "chiplet \(chiplet.index): stage \(chiplet.stage), TP rank \(chiplet.tpRank)"
            if plan.strategy.ep > 1 { text += ", EP rank \(chiplet.epRank)" }
            if plan.strategy.dp > 1 && !oneReplica { text += ", DP rank \(chiplet.dpRank)" }
            return text
        }
    }

    public static func loadPlan(_ path: String) throws(EmulatorError) -> Plan {
        do { return try Plan.load(path: path) } catch { throw .planFile(path: path, reason: error.reason) }
    }

    /// Auto: spin while the ranks on this host fit its PUs, else wait cooperatively. Hydra tells
    /// each rank how many share its host (`MPI_LOCALNRANKS`); without it, the whole world does.
    static func waitPolicy(_ wait: EmulatorLaunch.Wait, ranksOnHost: Int, pus: Int) -> WaitPolicy {
        switch wait {
        case .spin: return .spin
        case .cooperative: return .cooperative
        case .blocking: return .blocking
        case .auto:
            return HostMap.waitPolicy(ranksOnHost: ranksOnHost, pus: pus)
        }
    }

    /// Binds this rank as the binding file says, or as the host map of this host places it.
    /// A binding the OS refuses is a warning: the emulation is still correct, only slower.
    private static func bind(_ launch: EmulatorLaunch, plan: Plan, host: Topology?, rank: Int,
                             warnings: inout [String]) throws(EmulatorError) -> [Int]? {
        var listed: [Int]?
        if let path = launch.bindingPath {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw .bindingFile(path: path, line: 0, reason: "cannot read it")
            }
            guard let pus = try BindingFile.pus(forRank: rank, in: text, path: path) else {
                throw .bindingFile(path: path, line: 0, reason: "no line for rank \(rank)")
            }
            listed = pus
        }
        guard let host else { return nil }
        do {
            let map = HostMap(roles: HostMap.roles(of: plan, oneReplica: launch.options.oneReplica), hosts: [],
                              puIndicesByCore: host.puIndicesByCore, domains: host.puIndicesByCacheDomain)
            guard let pus = listed ?? map.entries.first(where: { $0.role.rank == rank })?.pus else { return nil }
            try host.bind(pus: pus)
            return pus
        } catch {
            warnings.append("rank \(rank): not bound (\(error)); running unbound")
            return nil
        }
    }
}

extension EmulatorLauncher {
    /// This process's rank in the job (0 when MPI cannot start): who reports a collective error.
    public static var rank: Int { (try? MPIRuntime.world().rank) ?? 0 }

    /// Ends every rank of the job after this one failed alone (the others may wait on it); does
    /// nothing outside a job of several ranks.
    public static func abortJob(exitCode: Int32) { MPIRuntime.abortJob(exitCode: exitCode) }
}
