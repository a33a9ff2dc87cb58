import MessagePassing
import Runtime
import RuntimeMPI

/// The machine-readable line `emulate --stats` prints on rank 0, which `bench emulate` and the
/// integration tests parse: `EMULATE key=value …`.
public struct EmulateStatsLine: Equatable, Sendable {
    public var ranks: Int
    public var policy: String
    /// Whether cooperative waits ended by the senders' doorbells.
    public var doorbells: Bool
    /// The slowest rank's message loop (after set-up), and its set-up (nil from a line that lacks it).
    public var wallSeconds: Double
    public var setUpSeconds: Double?
    public var messages: Int
    public var maxRSSBytes: Int
    public var meanRSSBytes: Int
    public var ttftMs: Double
    public var tpotMs: Double
    public var predictedTtftMs: Double
    public var predictedTpotMs: Double
    /// Emulated output tokens per second (virtual time); nil from a line that lacks it.
    public var tokensPerSecond: Double?
    /// Numeric mode only; -1 in timing mode.
    public var maxRelativeError: Double
    /// Distinct host names the ranks ran on; nil from a line that lacks it.
    public var hosts: Int?

    public init(outcome: EmulatorOutcome, result: EmulationResult, stats: RankStats) {
        ranks = outcome.ranks
        policy = outcome.policy.rawValue
        doorbells = outcome.doorbells
        wallSeconds = stats.wallSeconds.max() ?? 0
        setUpSeconds = stats.setUpSeconds.max() ?? 0
        messages = stats.messagesSent.reduce(0, +)
        maxRSSBytes = stats.peakRSSBytes.max() ?? 0
        meanRSSBytes = stats.peakRSSBytes.reduce(0, +) / max(stats.peakRSSBytes.count, 1)
        ttftMs = result.ttftMs
        tpotMs = result.tpotMs
        predictedTtftMs = result.predicted.ttftMs
        predictedTpotMs = result.predicted.tpotMs
        tokensPerSecond = result.outputTokensPerSecond
        maxRelativeError = result.maxRelativeError ?? -1
        hosts = stats.hosts
    }

    public init?(line: Substring) {
        guard let fields = KeyValueLine.fields(line, word: "EMULATE") else { return nil }
        func number(_ key: Substring) -> Double? { fields[key].flatMap { Double($0) } }
        guard let ranks = number("ranks"), let policy = fields["policy"], let doorbells = number("doorbells"),
            let wall = number("wall"),
            let messages = number("messages"), let maxRSS = number("maxrss"), let meanRSS = number("meanrss"),
            let ttft = number("ttftms"), let tpot = number("tpotms"), let predictedTtft = number("predictedttftms"),
            let predictedTpot = number("predictedtpotms"), let error = number("maxrelerr")
        else { return nil }
        self.ranks = Int(ranks)
        self.policy = String(policy)
        self.doorbells = doorbells == 1
        wallSeconds = wall
        setUpSeconds = number("setup")
        self.messages = Int(messages)
        maxRSSBytes = Int(maxRSS)
        meanRSSBytes = Int(meanRSS)
        ttftMs = ttft
        tpotMs = tpot
        predictedTtftMs = predictedTtft
        predictedTpotMs = predictedTpot
        tokensPerSecond = number("tokenspersec")
        maxRelativeError = error
        hosts = fields["hosts"].flatMap { Int($0) }
    }

    public var line: String {
        "EMULATE ranks=\(ranks) policy=\(policy) doorbells=\(doorbells ? 1 : 0) wall=\(wallSeconds) messages=\(messages) maxrss=\(maxRSSBytes) "
            + "meanrss=\(meanRSSBytes) ttftms=\(ttftMs) tpotms=\(tpotMs) predictedttftms=\(predictedTtftMs) "
            + "predictedtpotms=\(predictedTpotMs) maxrelerr=\(maxRelativeError)"
            + (tokensPerSecond.map { " tokenspersec=\($0)" } ?? "") + (hosts.map { " hosts=\($0)" } ?? "")
            + (setUpSeconds.map { " setup=\($0)" } ?? "")
    }
}
