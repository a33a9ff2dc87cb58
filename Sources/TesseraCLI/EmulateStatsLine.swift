import MessagePassing
import Runtime
import RuntimeMPI

/// The machine-readable line `emulate --stats` prints on rank 0, which `bench emulate` parses.
struct EmulateStatsLine: Equatable {
    var ranks: Int
    var policy: String
    var wallSeconds: Double
    var messages: Int
    var maxRSSBytes: Int
    var meanRSSBytes: Int
    var maxRelativeError: Double?

    init(outcome: EmulatorOutcome, result: EmulationResult, stats: RankStats) {
        ranks = outcome.ranks
        policy = outcome.policy.rawValue
        wallSeconds = stats.wallSeconds.max() ?? 0
        messages = stats.messagesSent.reduce(0, +)
        maxRSSBytes = stats.peakRSSBytes.max() ?? 0
        meanRSSBytes = stats.peakRSSBytes.reduce(0, +) / max(stats.peakRSSBytes.count, 1)
        maxRelativeError = result.maxRelativeError
    }

    init?(line: Substring) {
        guard line.hasPrefix("EMULATE ") else { return nil }
        var fields: [Substring: Substring] = [:]
        for pair in line.dropFirst(8).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        guard let ranks = fields["ranks"].flatMap({ Int($0) }), let policy = fields["policy"],
              let wall = fields["wall"].flatMap({ Double($0) }), let messages = fields["messages"].flatMap({ Int($0) }),
              let maxRSS = fields["maxrss"].flatMap({ Int($0) }), let meanRSS = fields["meanrss"].flatMap({ Int($0) })
        else { return nil }
        self.ranks = ranks
        self.policy = String(policy)
        wallSeconds = wall
        self.messages = messages
        maxRSSBytes = maxRSS
        meanRSSBytes = meanRSS
        maxRelativeError = nil
    }

    var line: String {
        "EMULATE ranks=\(ranks) policy=\(policy) wall=\(wallSeconds) messages=\(messages) maxrss=\(maxRSSBytes) meanrss=\(meanRSSBytes)"
    }
}
