import CostModel

/// One request's life as the scheduler saw it (virtual seconds).
public struct RequestRecord: Sendable, Equatable {
    public var id: Int
    public var replica: Int
    public var arrivalS: Double
    public var inputTokens: Int
    public var outputTokens: Int
    /// When it was admitted (its K/V reserved); first and last token; nil when never served.
    public var admittedS: Double?
    public var firstTokenS: Double?
    public var lastTokenS: Double?
    /// Disaggregated plans: when its prompt's last chunk ended on the prefill pool (its K/V
    /// then moved to the decode pool, which `firstTokenS` waits for); nil when one pool serves it.
    public var prefillEndS: Double? = nil
    /// A hosted service's front end (`Plan.Software.frontEndMs`): in the user's TTFT, outside
    /// the machine's timeline.
    public var frontEndS: Double = 0

    public var ttftS: Double? { firstTokenS.map { $0 - arrivalS + frontEndS } }
    /// Mean time per output token after the first (nil for one-token outputs).
    public var tpotS: Double? {
        guard outputTokens > 1, let f = firstTokenS, let l = lastTokenS else { return nil }
        return (l - f) / Double(outputTokens - 1)
    }
}

/// One iteration the scheduler runs: its start, the requests it decodes and the prompt chunks it
/// prefills, and their work for the cost model.
struct Iteration: Equatable {
    var startS: Double
    /// Indices into `StreamScheduler.running` that decode one token.
    var decoding: [Int]
    /// Prompt chunks: index into `running` and tokens.
    var chunks: [(index: Int, tokens: Int)]
    var work: Work
    var prefill: Bool { !chunks.isEmpty }

    static func == (a: Iteration, b: Iteration) -> Bool {
        a.startS == b.startS && a.decoding == b.decoding && a.chunks.map(\.index) == b.chunks.map(\.index)
            && a.chunks.map(\.tokens) == b.chunks.map(\.tokens) && a.work == b.work
    }
}

/// Continuous batching as a serving engine's scheduler does it (Orca, Yu et al. 2022; chunked
/// prefill as Sarathi-Serve, Agrawal et al. 2024): every iteration decodes one token of each
/// running request, then fills the rest of the token budget with prompt chunks, oldest first.
/// A request is admitted when a running slot is free and its whole context (input + output)
/// fits in the K/V cache still unreserved (TensorRT-LLM's GUARANTEED_NO_EVICT); otherwise it
/// queues. A request that could never fit is recorded unserved rather than blocking the queue.
struct StreamScheduler {
    struct Limits: Equatable {
        var tokenBudget: Int
        var maxRunning: Int
        var kvCapacityTokens: Int
    }

    struct Live {
        var request: ServingRequest
        var record: RequestRecord
        var prefilled = 0
        var generated = 0
    }

    let limits: Limits
    let replica: Int
    private var pending: [ServingRequest]
    private var next = 0
    private(set) var waiting: [Live] = []
    /// Requests prefilled elsewhere whose K/V is in at `readyS` (a decode pool's), in that order.
    private var handedIn: [(readyS: Double, live: Live)] = []
    private(set) var running: [Live] = []
    private(set) var records: [RequestRecord] = []
    private(set) var kvReservedTokens = 0
    /// (time, requests queued, requests running, K/V tokens reserved) at each iteration's start.
    private(set) var queueTrace: [(timeS: Double, waiting: Int, running: Int, kvTokens: Int)] = []

    init(requests: [ServingRequest], limits: Limits, replica: Int) {
        pending = requests
        self.limits = limits
        self.replica = replica
    }

    /// The next iteration at or after `clockS`, or nil when every request is finished.
    mutating func next(at clockS: Double) -> Iteration? {
        var t = clockS
        while true {
            while next < pending.count, pending[next].arrivalS <= t {
                waiting.append(Live(request: pending[next], record: record(pending[next], admittedS: nil))); next += 1
            }
            while let h = handedIn.first, h.readyS <= t { waiting.append(h.live); handedIn.removeFirst() }
            admit(at: t)
            if let it = compose(at: t) {
                queueTrace.append((t, waiting.count, running.count, kvReservedTokens))
                return it
            }
            let upcoming = [next < pending.count ? pending[next].arrivalS : nil, handedIn.first?.readyS].compactMap { $0 }
            guard let soonest = upcoming.min() else { return nil }
            t = max(t, soonest)  // idle until the next arrival
        }
    }

    private mutating func admit(at t: Double) {
        while var live = waiting.first {
            let r = live.request, context = r.inputTokens + r.outputTokens
            if context > limits.kvCapacityTokens {  // never fits: unserved, not a blocked queue
                waiting.removeFirst()
                records.append(record(r, admittedS: nil))
                continue
            }
            guard running.count < limits.maxRunning, kvReservedTokens + context <= limits.kvCapacityTokens else { return }
            waiting.removeFirst()
            kvReservedTokens += context
            if live.record.admittedS == nil { live.record.admittedS = t }
            running.append(live)
        }
    }

    private func record(_ r: ServingRequest, admittedS: Double?) -> RequestRecord {
        RequestRecord(id: r.id, replica: replica, arrivalS: r.arrivalS, inputTokens: r.inputTokens,
                      outputTokens: r.outputTokens, admittedS: admittedS)
    }

    private func compose(at t: Double) -> Iteration? {
        var budget = limits.tokenBudget, decoding: [Int] = [], chunks: [(index: Int, tokens: Int)] = []
        var work = Work.zero
        for (i, live) in running.enumerated() where live.prefilled == live.request.inputTokens && budget > 0 {
            decoding.append(i)
            budget -= 1
            // It attends its prompt and every token generated so far (the one fed in included).
            work = work + .decode(sequences: 1, context: Double(live.request.inputTokens + live.generated))
        }
        for (i, live) in running.enumerated() where live.prefilled < live.request.inputTokens && budget > 0 {
            let c = min(budget, live.request.inputTokens - live.prefilled)
            let p = Double(live.prefilled), cd = Double(c)
            chunks.append((i, c))
            budget -= c
            // Token p + j of the chunk attends p + j positions (causal): c·p + c(c+1)/2 in all.
            work = work + Work(tokens: cd, prefillAttended: cd * p + cd * (cd + 1) / 2, kvPositions: cd,
                               sequences: 1, prefillTokens: cd, prefillSequences: 1)
        }
        guard !decoding.isEmpty || !chunks.isEmpty else { return nil }
        return Iteration(startS: t, decoding: decoding, chunks: chunks, work: work)
    }

    /// Nothing running, waiting or handed in (requests may still be due to arrive).
    var isIdle: Bool { running.isEmpty && waiting.isEmpty && handedIn.isEmpty }

    /// A request whose prompt another pool prefilled (`record` says when it arrived, was admitted
    /// there and ended prefill): its K/V is in at `readyS`, and that is its first token; it then
    /// queues for a running slot and the K/V space of its whole context, as any arrival.
    mutating func handIn(_ request: ServingRequest, record: RequestRecord, readyS: Double) {
        var live = Live(request: request, record: record, prefilled: request.inputTokens, generated: 1)
        live.record.replica = replica
        live.record.firstTokenS = readyS
        live.record.lastTokenS = readyS
        guard request.outputTokens > 1 else { records.append(live.record); return }  // nothing to decode
        let at = handedIn.firstIndex { $0.readyS > readyS } ?? handedIn.count
        handedIn.insert((readyS, live), at: at)
    }

    /// The iteration ended at `endS`: decoded requests have a token more; a prompt whose last
    /// chunk ran has its first token; finished requests leave and free their K/V.
    mutating func finish(_ it: Iteration, at endS: Double) {
        for i in it.decoding {
            running[i].generated += 1
            running[i].record.lastTokenS = endS
        }
        for (i, tokens) in it.chunks {
            running[i].prefilled += tokens
            if running[i].prefilled == running[i].request.inputTokens {
                running[i].generated = 1
                running[i].record.firstTokenS = endS
                running[i].record.lastTokenS = endS
            }
        }
        var kept: [Live] = []
        for live in running {
            if live.generated >= live.request.outputTokens {
                records.append(live.record)
                kvReservedTokens -= live.request.inputTokens + live.request.outputTokens
            } else {
                kept.append(live)
            }
        }
        running = kept
    }
}
