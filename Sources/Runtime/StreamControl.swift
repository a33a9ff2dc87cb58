import CostModel

/// What a replica's scheduler tells the other chiplets of its replica (a control message, free
/// in virtual time): run an iteration, take in a request's K/V (a decode pool's), or stop.
enum StreamControl: Equatable {
    /// Run the iteration template of `phase` priced at `work` from `startS`; then (a prefill
    /// pool's) send the K/V of each prompt of `handOffTokens` that this iteration finished.
    case iteration(startS: Double, phase: Phase, afterIdle: Bool, work: Work, handOffTokens: [Int])
    /// Take in the K/V of a prompt of `tokens` from the prefill pool and say when it is in.
    case handIn(tokens: Int)
    case stop

    var payload: [Float] {
        var w = FloatWriter()
        switch self {
        case let .iteration(startS, phase, afterIdle, work, handOffTokens):
            w.put(0); w.put(startS); w.put(phase.index); w.put(afterIdle ? 1 : 0)
            for v in [work.tokens, work.prefillAttended, work.decodeAttended, work.kvPositions, work.sequences,
                      work.prefillTokens, work.prefillSequences] { w.put(v) }
            for t in handOffTokens { w.put(t) }
        case let .handIn(tokens):
            w.put(1); w.put(tokens)
        case .stop:
            break
        }
        return w.floats
    }

    init(payload: [Float]) throws {
        guard !payload.isEmpty else { self = .stop; return }
        var r = FloatReader(payload)
        if try r.int() == 1 { self = .handIn(tokens: try r.int()); return }
        let startS = try r.double(), phase: Phase = try r.int() == 0 ? .prefill : .decode, afterIdle = try r.int() == 1
        let v = try (0..<7).map { _ in try r.double() }
        var tokens: [Int] = []
        while r.at < payload.count { tokens.append(try r.int()) }
        self = .iteration(startS: startS, phase: phase, afterIdle: afterIdle,
                          work: Work(tokens: v[0], prefillAttended: v[1], decodeAttended: v[2], kvPositions: v[3],
                                     sequences: v[4], prefillTokens: v[5], prefillSequences: v[6]),
                          handOffTokens: tokens)
    }
}
