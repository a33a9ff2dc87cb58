import Foundation
import HostTopology
import MessagePassing

/// One rank's report under mpirun: where it runs, what it is bound to, and whether its share of a
/// 512 KiB all-reduce came back right.
struct RankReport: Equatable {
    var rank: Int
    var host: String
    var pid: Int32
    var binding: String
    var allReduceSum: Double
    var allReduceCorrect: Bool

    /// Tab-separated, for sending to rank 0 as bytes.
    var encoded: String {
        [String(rank), host, String(pid), binding, String(allReduceSum), String(allReduceCorrect)]
            .joined(separator: "\t")
    }

}

extension RankReport {
    init?(encoded: String) {
        let fields = encoded.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 6, let rank = Int(fields[0]), let pid = Int32(fields[2]),
              let sum = Double(fields[4]), let correct = Bool(fields[5]) else { return nil }
        self.init(rank: rank, host: fields[1], pid: pid, binding: fields[3], allReduceSum: sum,
                  allReduceCorrect: correct)
    }
}

enum DoctorRanks {
    static let reportTag = 1

    /// Optionally binds this rank, checks a 512 KiB all-reduce (each rank contributes rank + 1, so
    /// every element must be size·(size+1)/2) with a cooperative wait, and describes the rank.
    static func report(world: Communicator, bind: Bool) throws -> RankReport {
        let host = try Topology.loadHost()
        if bind { try host.bind(pus: host.placement(ranks: world.size)[world.rank]) }
        let elements = 512 * 1024 / MemoryLayout<Double>.stride
        let result = try world.iallReduce([Double](repeating: Double(world.rank + 1), count: elements), .sum)
            .wait(.cooperative)
        let expected = Double(world.size * (world.size + 1) / 2)
        return RankReport(rank: world.rank, host: try MPIRuntime.processorName(), pid: getpid(),
                          binding: formatPUList(try host.currentBinding()),
                          allReduceSum: result.first ?? .nan,
                          allReduceCorrect: result.count == elements && result.allSatisfy { $0 == expected })
    }

    /// Rank 0 gets every rank's report in rank order; the others get nil.
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
                throw DoctorError.garbledReport(rank: source)
            }
            reports.append(decoded)
        }
        return reports
    }

    /// An aligned table, one row per rank.
    static func table(_ reports: [RankReport]) -> [String] {
        let header = ["rank", "host", "pid", "PUs", "all-reduce 512 KiB"]
        let rows = reports.map { report in
            [String(report.rank), report.host, String(report.pid), report.binding,
             (report.allReduceCorrect ? "ok" : "WRONG") + " (sum \(formatSum(report.allReduceSum)))"]
        }
        return alignedTable(header: header, rows: rows)
    }

    /// Hosts that run more ranks than this host has PUs (assuming like hosts), where waits must be cooperative.
    static func oversubscribedHosts(_ reports: [RankReport], pusPerHost: Int) -> [String] {
        let ranksByHost = Dictionary(grouping: reports, by: \.host).mapValues(\.count)
        return ranksByHost.keys.sorted().compactMap { host in
            guard let count = ranksByHost[host], pusPerHost > 0, count > pusPerHost else { return nil }
            return "\(count) ranks share \(pusPerHost) PUs on \(host): oversubscribed, so waits should be cooperative"
        }
    }

    static func formatSum(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// Left-aligned columns separated by two spaces; used by doctor and bench.
func alignedTable(header: [String], rows: [[String]], rightAligned: Set<Int> = []) -> [String] {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
    return all.map { row in
        row.enumerated().map { column, cell in
            let padding = String(repeating: " ", count: widths[column] - cell.count)
            return rightAligned.contains(column) ? padding + cell : cell + padding
        }.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
    }
}

enum DoctorError: Error, CustomStringConvertible {
    case garbledReport(rank: Int)

    var description: String {
        switch self {
        case .garbledReport(let rank): "rank \(rank) sent a report rank 0 could not read"
        }
    }
}
