import Benchmarks
import Foundation

/// The printed form of `tessera bench emulate`.
enum BenchEmulateTable {
    struct Row {
        var ranks: Int
        var emulated: EmulateStatsLine?
        /// The whole mpirun job, start-up and finalize included.
        var jobSeconds: Double?
        var pingPong: BenchEmulatePingPong.Rates?
    }

    static let rssGoalBytes = 40 * 1_000_000

    static func percent(_ part: Double?, _ whole: Double?) -> String {
        guard let part, let whole, whole > 0 else { return "-" }
        return String(format: "%.0f%%", 100 * part / whole)
    }

    static func lines(rows: [Row], oversubscribedRanks: Int, cooperative: EmulateStatsLine?, blocking: EmulateStatsLine?,
                      timeoutSeconds: Double) -> [String] {
        let format = BenchMPITable.format
        let header = ["ranks", "wall s", "job s", "messages", "emulated msg/s", "raw MPI msg/s", "emulated/raw", "fabric msg/s",
                      "fabric/raw", "RSS/rank MB (max)", "mean"]
        let table = rows.map { row -> [String] in
            let emulated = row.emulated
            let rate = emulated.map { Double($0.messages) / max($0.wallSeconds, 1e-9) }
            return [String(row.ranks), emulated.map { format($0.wallSeconds) } ?? "timeout",
                    row.jobSeconds.map(format) ?? "-",
                    emulated.map { String($0.messages) } ?? "-", rate.map(format) ?? "-",
                    row.pingPong.map { format($0.rawPerSecond) } ?? "-",
                    percent(rate, row.pingPong?.rawPerSecond),
                    row.pingPong.map { format($0.fabricPerSecond) } ?? "-",
                    percent(row.pingPong?.fabricPerSecond, row.pingPong?.rawPerSecond),
                    emulated.map { format(Double($0.maxRSSBytes) / 1e6) } ?? "-",
                    emulated.map { format(Double($0.meanRSSBytes) / 1e6) } ?? "-"]
        }
        var lines = ["Emulation of Llama-3-8B (32 layers) as TP 8 × PP ranks/8, prefill + 1 decode step; wall time is the slowest rank's run",
                     "(job: the whole mpirun, MPI start-up and finalize included); raw MPI and fabric msg/s: all-pairs ping-pong of 48-byte headers with cooperative waits (goal ≥ 50% of raw);",
                     "RSS goal ≤ \(rssGoalBytes / 1_000_000) MB a rank."]
        lines += alignedTable(header: header, rows: table, rightAligned: Set(0..<header.count))
        let coop = cooperative.map { "\(format($0.wallSeconds)) s" } ?? "> \(format(timeoutSeconds)) s"
        let block = blocking.map { "\(format($0.wallSeconds)) s" } ?? "> \(format(timeoutSeconds)) s (timed out)"
        var speedup = "-"
        if let cooperative {
            let blockingSeconds = blocking?.wallSeconds ?? timeoutSeconds
            speedup = (blocking == nil ? "> " : "") + format(blockingSeconds / max(cooperative.wallSeconds, 1e-9)) + "×"
        }
        lines += ["", "\(oversubscribedRanks) ranks on this host: cooperative waits with placement \(coop); "
                  + "blocking MPI waits, unbound \(block); speed-up \(speedup) (goal ≥ 20×)"]
        return lines
    }
}
