import Foundation

/// The work one microbatch brings to a layer, additive so that prefill and decode can be mixed
/// in one continuous-batching iteration.
public struct Work: Sendable, Hashable {
    /// New tokens processed (prefill and decode together).
    public var tokens: Double
    /// Sum over new tokens of the context positions each attends (attention FLOPs scale with
    /// it), for prefill and decode tokens apart since MLA attends differently in each.
    public var prefillAttended: Double
    public var decodeAttended: Double
    /// Cached K/V positions moved through memory (read in decode, written in prefill).
    public var kvPositions: Double
    /// Sequences in the microbatch (how many requests share each weight read).
    public var sequences: Double
    /// The prefill part: prompt tokens and the prompts (or prompt chunks) they belong to. The
    /// rest of `tokens` are decode tokens, one per decoding sequence.
    public var prefillTokens: Double
    public var prefillSequences: Double

    public init(tokens: Double, prefillAttended: Double = 0, decodeAttended: Double = 0,
                kvPositions: Double, sequences: Double, prefillTokens: Double = 0, prefillSequences: Double = 0) {
        self.tokens = tokens
        self.prefillAttended = prefillAttended
        self.decodeAttended = decodeAttended
        self.kvPositions = kvPositions
        self.sequences = sequences
        self.prefillTokens = prefillTokens
        self.prefillSequences = prefillSequences
    }

    public static let zero = Work(tokens: 0, kvPositions: 0, sequences: 0)

    /// Prefill of `sequences` prompts of `tokens` each, attention causal: token i attends i + 1
    /// positions, so a prompt attends N(N+1)/2 in all.
    public static func prefill(sequences: Double, tokens: Double) -> Work {
        Work(tokens: sequences * tokens, prefillAttended: sequences * tokens * (tokens + 1) / 2,
             kvPositions: sequences * tokens, sequences: sequences,
             prefillTokens: sequences * tokens, prefillSequences: sequences)
    }

    /// One decode step for `sequences` requests whose context is `context` positions.
    public static func decode(sequences: Double, context: Double) -> Work {
        Work(tokens: sequences, decodeAttended: sequences * context,
             kvPositions: sequences * context, sequences: sequences)
    }

    public static func + (a: Work, b: Work) -> Work {
        Work(tokens: a.tokens + b.tokens, prefillAttended: a.prefillAttended + b.prefillAttended,
             decodeAttended: a.decodeAttended + b.decodeAttended, kvPositions: a.kvPositions + b.kvPositions,
             sequences: a.sequences + b.sequences, prefillTokens: a.prefillTokens + b.prefillTokens,
             prefillSequences: a.prefillSequences + b.prefillSequences)
    }

    /// The same work `n` times over (every decode step of a request's life, say).
    public static func * (a: Work, n: Double) -> Work {
        Work(tokens: a.tokens * n, prefillAttended: a.prefillAttended * n, decodeAttended: a.decodeAttended * n,
             kvPositions: a.kvPositions * n, sequences: a.sequences * n,
             prefillTokens: a.prefillTokens * n, prefillSequences: a.prefillSequences * n)
    }

    /// The same work split evenly `n` ways (the EP ranks of attention data parallelism).
    public func divided(by n: Int) -> Work { self * (1 / Double(n)) }

    /// One rank's share under attention data parallelism over `n` ranks, as the slowest rank sees
    /// it: decode sequences spread evenly, but prompts arrive whole (in chunks of up to
    /// `chunkTokens`), so in an iteration some ranks prefill and others do not, and every rank
    /// waits for the busiest at the next all-to-all. With p the chance that a rank has a chunk,
    /// the busiest carries a chunk with probability 1 − (1 − p)^n, not p. With fewer sequences
    /// than ranks each has a rank of its own and the rest run empty (TensorRT-LLM's and SGLang's
    /// attention DP pad idle ranks with dummy work): the busiest carries one whole sequence.
    public func attentionDPShare(_ n: Int, chunkTokens: Double) -> Work {
        guard n > 1 else { return self }
        guard sequences >= Double(n) else { return self * busiestShare(n) }
        let decode = Work(tokens: decodeTokens, decodeAttended: decodeAttended,
                          kvPositions: kvPositions - prefillTokens, sequences: sequences - prefillSequences)
        let prefill = Work(tokens: prefillTokens, prefillAttended: prefillAttended, kvPositions: prefillTokens,
                           sequences: prefillSequences, prefillTokens: prefillTokens, prefillSequences: prefillSequences)
        guard prefillSequences > 0 else { return divided(by: n) }
        let chunk = min(prefillTokens / prefillSequences, chunkTokens)
        let p = min(1, prefillTokens / Double(n) / chunk)
        let busiest = p > 0 ? (1 - pow(1 - p, Double(n))) / p : 1
        return decode.divided(by: n) + prefill * (busiest / Double(n))
    }

    /// The share of this work on the busiest of `n` attention data-parallel ranks, sequences
    /// whole on one rank: 1/n with at least n sequences, one sequence's with fewer (all of it
    /// below one).
    public func busiestShare(_ n: Int) -> Double {
        guard n > 1, sequences > 0 else { return 1 / Double(max(n, 1)) }
        return max(sequences / Double(n), min(sequences, 1)) / sequences
    }

    /// The share of iterations that carry a prompt chunk: a fraction of a prompt per iteration
    /// (the steady state at low load) means that fraction of iterations prefill, the rest decode
    /// only.
    public var prefillShare: Double { prefillTokens > 0 ? min(1, prefillSequences) : 0 }

    /// Decode tokens (one per decoding sequence).
    public var decodeTokens: Double { tokens - prefillTokens }
    /// Rows of the LM head: engines compute logits for each decode token and only for the last
    /// token of each prompt.
    public var logitRows: Double { decodeTokens + prefillSequences }
}
