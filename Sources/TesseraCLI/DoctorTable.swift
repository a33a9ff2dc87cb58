import Foundation
import RuntimeMPI

/// How `tessera doctor` shows the ranks' reports.
enum DoctorRanks {
    /// An aligned table, one row per rank.
    static func table(_ reports: [RankReport]) -> [String] {
        let header = ["rank", "host", "pid", "PUs", "all-reduce 512 KiB"]
        let rows = reports.map { report in
            [String(report.rank), report.host, String(report.pid), formatPUList(report.binding),
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
