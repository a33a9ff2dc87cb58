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

    /// One change from the base configuration (bound by the host map, doorbells on, wait auto),
    /// so that each row of the comparison differs from the base in exactly one factor.
    enum Factor: CaseIterable {
        case base, noBinding, noDoorbells, spin, blocking

        /// `tessera emulate` flags of the run.
        var flags: [String] {
            switch self {
            case .base: []
            case .noBinding: ["--no-bind"]
            case .noDoorbells: ["--no-doorbells"]
            case .spin: ["--wait", "spin"]
            case .blocking: ["--wait", "blocking"]
            }
        }

        /// The changed factor, and its setting: what the row's label says.
        var change: (factor: String, setting: String) {
            switch self {
            case .base: ("(base)", "bound, doorbells, wait auto")
            case .noBinding: ("binding", "unbound")
            case .noDoorbells: ("doorbells", "off: sleeps with backoff only")
            case .spin: ("wait policy", "spin (MPI_Test loop)")
            case .blocking: ("wait policy", "blocking (MPI's own waits)")
            }
        }
    }

    static let rssGoalBytes = 40 * 1_000_000

    static func percent(_ part: Double?, _ whole: Double?) -> String {
        guard let part, let whole, whole > 0 else { return "-" }
        return String(format: "%.0f%%", 100 * part / whole)
    }

    static func lines(rows: [Row], workload: String, oversubscribedRanks: Int, factors: [(Factor, EmulateStatsLine?)],
                      timeoutSeconds: Double) -> [String] {
        let format = BenchMPITable.format
        let header = ["ranks", "set-up s", "loop s", "job s", "messages", "emulated msg/s", "raw MPI msg/s", "raw wait", "emulated/raw",
                      "fabric msg/s", "fabric/raw", "RSS/rank MB (max)", "mean"]
        let table = rows.map { row -> [String] in
            let emulated = row.emulated
            let rate = emulated.map(messageRate)
            return [String(row.ranks), emulated.map { $0.setUpSeconds.map(format) ?? "-" } ?? "-",
                    emulated.map { format($0.wallSeconds) } ?? "timeout",
                    row.jobSeconds.map(format) ?? "-",
                    emulated.map { String($0.messages) } ?? "-", rate.map(format) ?? "-",
                    row.pingPong.map { format($0.rawPerSecond) } ?? "-",
                    row.pingPong.map { $0.rawWait.rawValue } ?? "-",
                    percent(rate, row.pingPong?.rawPerSecond),
                    row.pingPong.map { format($0.fabricPerSecond) } ?? "-",
                    percent(row.pingPong?.fabricPerSecond, row.pingPong?.rawPerSecond),
                    emulated.map { format(Double($0.maxRSSBytes) / 1e6) } ?? "-",
                    emulated.map { format(Double($0.meanRSSBytes) / 1e6) } ?? "-"]
        }
        var lines = ["Emulation of Llama-3-8B (32 layers) as TP 8 × PP ranks/8, \(workload), in the base configuration",
                     "(bound by the host map, doorbells on, wait auto: spin while ranks ≤ PUs, else cooperative); set-up: the slowest rank's",
                     "lowering and pricing tables; loop: the slowest rank's message loop after a barrier (messages/s are over it);",
                     "job: the whole mpirun, MPI start-up and finalize included. Raw MPI msg/s: all-pairs ping-pong of 48-byte headers, each",
                     "receive posted before its message is sent, waits spinning or cooperative (raw wait: the faster, which is the baseline;",
                     "goal: emulated ≥ 50% of it). Fabric: the same ping-pong over the emulator's fabric. RSS goal ≤ \(rssGoalBytes / 1_000_000) MB a rank."]
        lines += alignedTable(header: header, rows: table, rightAligned: Set(0..<header.count).subtracting([7]))
        guard !factors.isEmpty else { return lines }
        lines += ["", "\(oversubscribedRanks) ranks on this host, one factor changed at a time from the base:"]
        let base = factors.first { $0.0 == .base }?.1
        let factorRows = factors.map { factor, stats -> [String] in
            let change = factor.change
            let slower = stats.flatMap { run in base.map { run.wallSeconds / max($0.wallSeconds, 1e-9) } }
            return [change.factor, change.setting, stats.map { format($0.wallSeconds) } ?? "> \(format(timeoutSeconds))",
                    stats.map { format(messageRate($0)) } ?? "-", stats.map { $0.policy } ?? "-",
                    stats.map { $0.doorbells ? "yes" : "no" } ?? "-",
                    factor == .base ? "1×" : slower.map { format($0) + "×" } ?? (base == nil ? "-" : "timed out")]
        }
        lines += alignedTable(header: ["changed", "setting", "wall s", "msg/s", "wait used", "doorbells used", "wall vs base"],
                              rows: factorRows, rightAligned: [2, 3, 6])
        return lines
    }

    static func messageRate(_ stats: EmulateStatsLine) -> Double { Double(stats.messages) / max(stats.wallSeconds, 1e-9) }
}
