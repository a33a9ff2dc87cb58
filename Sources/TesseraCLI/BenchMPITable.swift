import Benchmarks
import Foundation

/// The printed form of `tessera bench mpi`: one row per rank count and wait policy.
enum BenchMPITable {
    static func lines(_ results: [BenchResult], requestedAllReduces: Int, allReduceBytes: Int,
                      pingPongBytes: Int) -> [String] {
        let header = ["ranks", "wait", "all-reduce ms/op", "\(requestedAllReduces) all-reduces s", "timed",
                      "ping-pong RTT µs", "timed"]
        var rows: [[String]] = []
        var seen: Set<String> = []
        for result in results where seen.insert("\(result.ranks)/\(result.policy)").inserted {
            let reduce = results.first { $0.ranks == result.ranks && $0.policy == result.policy && $0.operation == .allReduce }
            let pingPong = results.first { $0.ranks == result.ranks && $0.policy == result.policy && $0.operation == .pingPong }
            rows.append([
                String(result.ranks), result.policy.rawValue,
                reduce.map { format($0.secondsPerOperation * 1e3) } ?? "-",
                reduce.map { format($0.secondsPerOperation * Double(requestedAllReduces)) } ?? "-",
                reduce.map { String($0.iterations) } ?? "-",
                pingPong.map { format($0.secondsPerOperation * 1e6) } ?? "-",
                pingPong.map { String($0.iterations) } ?? "-",
            ])
        }
        let title = "MPI all-reduce of \(allReduceBytes) bytes (Double sum) and ping-pong of \(pingPongBytes) bytes; "
            + "times are the slowest rank's; 'timed' is how many operations were measured."
        return [title] + alignedTable(header: header, rows: rows, rightAligned: [0, 2, 3, 4, 5, 6])
    }

    /// Three significant figures, without exponent notation for the usual range.
    static func format(_ value: Double) -> String {
        switch value {
        case 100...: String(format: "%.0f", value)
        case 10..<100: String(format: "%.1f", value)
        case 1..<10: String(format: "%.2f", value)
        default: String(format: "%.3f", value)
        }
    }
}
