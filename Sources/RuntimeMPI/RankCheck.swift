import Foundation
import HostTopology
import MessagePassing

/// One rank's report under mpirun: where it runs, what it is bound to, and whether its share of a
/// 512 KiB all-reduce came back right.
public struct RankReport: Equatable, Sendable {
    public var rank: Int
    public var host: String
    public var pid: Int32
    public var binding: [Int]
    public var allReduceSum: Double
    public var allReduceCorrect: Bool

    public init(rank: Int, host: String, pid: Int32, binding: [Int], allReduceSum: Double, allReduceCorrect: Bool) {
        self.rank = rank
        self.host = host
        self.pid = pid
        self.binding = binding
        self.allReduceSum = allReduceSum
        self.allReduceCorrect = allReduceCorrect
    }

    /// Tab-separated, for sending to rank 0 as bytes.
    var encoded: String {
        [String(rank), host, String(pid), binding.map(String.init).joined(separator: ","), String(allReduceSum),
         String(allReduceCorrect)].joined(separator: "\t")
    }

    init?(encoded: String) {
        let fields = encoded.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, let rank = Int(fields[0]), let pid = Int32(fields[2]),
              let sum = Double(fields[4]), let correct = Bool(fields[5]) else { return nil }
        let binding = fields[3].split(separator: ",").compactMap { Int($0) }
        self.init(rank: rank, host: fields[1], pid: pid, binding: binding, allReduceSum: sum, allReduceCorrect: correct)
    }
}

/// What `tessera doctor` checks on every rank of an mpirun job: placement and a collective.
public enum RankCheck {
    static let reportTag = 1

    /// The world of this process: its size, and whether mpirun (or another launcher) started it.
    public static func world() throws(MPIError) -> (size: Int, rank: Int, underLauncher: Bool) {
        let world = try MPIRuntime.world()
        return (world.size, world.rank, MPILauncher.isUnderLauncher())
    }

    /// Optionally binds this rank, checks a 512 KiB all-reduce (each rank contributes rank + 1, so
    /// every element must be size·(size+1)/2) with a cooperative wait, and gathers every rank's
    /// report on rank 0 in rank order; the other ranks get nil.
    public static func run(bind: Bool) throws -> [RankReport]? {
        let world = try MPIRuntime.world()
        return try gather(try report(world: world, bind: bind), world: world)
    }

    static func report(world: Communicator, bind: Bool) throws -> RankReport {
        let host = try Topology.loadHost()
        if bind { try host.bind(pus: host.placement(ranks: world.size)[world.rank]) }
        let elements = 512 * 1024 / MemoryLayout<Double>.stride
        let result = try world.iallReduce([Double](repeating: Double(world.rank + 1), count: elements), .sum)
            .wait(.cooperative)
        let expected = Double(world.size * (world.size + 1) / 2)
        return RankReport(rank: world.rank, host: try MPIRuntime.processorName(), pid: getpid(),
                          binding: try host.currentBinding(), allReduceSum: result.first ?? .nan,
                          allReduceCorrect: result.count == elements && result.allSatisfy { $0 == expected })
    }

    static func gather(_ report: RankReport, world: Communicator) throws -> [RankReport]? {
        guard world.rank == 0 else {
            try world.send(Array(report.encoded.utf8), to: 0, tag: reportTag)
            return nil
        }
        var reports = [report]
        for source in 1..<max(world.size, 1) {
            let status = try world.probe(from: source, tag: reportTag)
            let bytes = try world.recv(UInt8.self, maxCount: status.byteCount, from: source, tag: reportTag).values
            guard let decoded = RankReport(encoded: String(decoding: bytes, as: UTF8.self)) else {
                throw RankCheckError.garbledReport(rank: source)
            }
            reports.append(decoded)
        }
        return reports
    }
}

public enum RankCheckError: Error, CustomStringConvertible {
    case garbledReport(rank: Int)

    public var description: String {
        switch self {
        case .garbledReport(let rank): "rank \(rank) sent a report rank 0 could not read"
        }
    }
}

extension RankCheck {
    /// The MPI library's version text (MPICH: `MPICH Version: …` lines); needs no MPI start-up.
    public static var mpiLibraryVersion: String { MPIRuntime.libraryVersion() }

    /// The `mpirun` on PATH, if any.
    public static var mpirunPath: String? { MPILauncher.findMpirun() }

    /// The transport settings this process gave MPI before it started, as `NAME=value`, with
    /// " (yours)" after those the user had set.
    public static var mpiSettings: [String] {
        MPIEnvironment.applied.map { "\($0.name)=\($0.value)" + ($0.reason == "yours" ? " (yours)" : "") }
    }
}
