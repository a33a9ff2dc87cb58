import CostModel

/// What one chiplet's run measured, in virtual seconds; reduced to rank 0 at the end.
public struct ChipletFigures: Sendable, Equatable {
    public var chiplet = 0
    /// Clock when this chiplet finished its share of prefill, and of the last decode step.
    public var prefillEndS = 0.0
    public var decodeEndS = 0.0
    public var computeS = 0.0
    /// Time waiting in receives, at `ChipletFigures.slot(phase, purpose)`.
    public var idleS = [Double](repeating: 0, count: 2 * Purpose.allCases.count)
    /// Time messages spent queued behind busy egress or ingress ports (contention), by phase.
    public var queuedS = [0.0, 0.0]
    /// Time the device waited for the host to prepare an iteration (an overlapped host step), by phase.
    public var hostWaitS = [0.0, 0.0]
    public var messages = 0
    public var bytes = 0.0
    /// K/V cache bytes this chiplet received from the prefill pool (disaggregated plans).
    public var kvHandOffBytes = 0.0
    /// The loss this chiplet's role lived through (`--fail`), if any.
    public var interruption: Interruption?

    public init() {}

    public static func slot(_ phase: Phase, _ purpose: Purpose) -> Int {
        phase.index * Purpose.allCases.count + purpose.index
    }
}

/// One trace span: instruction `index` of a segment (0 prefill, 1 decode step, 2 epilogue).
struct TraceRecord {
    var segment: Int32
    var step: Int32
    var index: Int32
    var startS: Double
    var endS: Double
}

/// The numeric side of execution (numeric mode): real math for compute tiles, real payloads.
protocol NumericEngine: AnyObject {
    func begin(_ phase: Phase, step: Int)
    func compute(_ c: Compute) throws
    func payload(for t: Transfer) throws -> [Float]
    func received(_ t: Transfer, payload: [Float]) throws
    /// Logits of the last position of each sequence whose final step ran here (global sequence index).
    var finalLogits: [(sequence: Int, logits: [Float])] { get }
}

/// Runs one chiplet's program on a virtual clock. Compute advances the clock by the tile's price;
/// a send stamps the message with the clock and its arrival through this chiplet's link queues
/// (`LinkQueues`); a receive takes it through the ingress queue (in program order, so results do
/// not depend on thread or process scheduling) and completes at max(clock, arrival).
final class Executor {
    let program: Program
    let fabric: Fabric
    let link: LinkModel
    /// Rank of each chiplet index (−1: not emulated).
    let rankOf: [Int]
    var engine: NumericEngine?
    /// Prices kernel tiles (nil: every compute takes its fixed `seconds`, as hand-built programs do).
    var pricer: TilePricer?
    /// Stretches collectives' wire times to the bandwidth the chip's library achieves.
    var collectives = CollectiveCosts()
    /// A request stream's iteration: the work tiles are priced at, and the factor on message
    /// bytes (the iteration's tokens over the template's).
    private var iterationWork: Work?
    private var bytesScale = 1.0
    /// The failure this rank's role suffers (`--fail`), on that rank only.
    var failover: Failover?
    /// Compute done so far in the segment pass in flight: what a failure makes the spare redo.
    private var segmentComputeS = 0.0
    /// `EmulationOptions.progress`, on rank 0 only.
    var progress: (@Sendable (Int, Int) -> Void)?
    /// Called before each decode step (rank 0 keeps its trace so far with it).
    var checkpoint: (() -> Void)?
    private(set) var clock = 0.0
    private(set) var figures = ChipletFigures()
    private(set) var trace: [TraceRecord]?
    private var queues: LinkQueues
    /// The host of an overlap scheduler: when it is free, when the device started the iteration
    /// it prepared last (it works one iteration ahead), and when the next iteration's work is
    /// known (a request stream's arrival after idle; −∞ when it follows on).
    private var hostFreeS = 0.0
    private var lastIterationStartS = 0.0
    private var workKnownS = -Double.infinity
    /// Watchdog descriptions of each receive, built once (no formatting in the message loop).
    private var waiting: [[String]] = []

    /// Counts a control message (a request stream's iteration) sent outside the program.
    func countControlMessage() { figures.messages += 1 }

    init(program: Program, fabric: Fabric, link: LinkModel, rankOf: [Int], tracing: Bool) {
        self.program = program
        self.fabric = fabric
        self.link = link
        self.rankOf = rankOf
        queues = LinkQueues(link: link)
        trace = tracing ? [] : nil
        figures.chiplet = program.chiplet
        waiting = [program.prefill, program.decodeStep, program.epilogue].map { segment in
            segment.map { instruction in
                guard case .recv(let t) = instruction else { return "" }
                return "recv from chiplet \(t.peer) tag \(t.tag) (\(t.what))"
            }
        }
    }

    func run() throws {
        try runSegment(0, program.prefill, phase: .prefill, step: 0)
        figures.prefillEndS = clock
        for s in 0..<program.decodeSteps {
            progress?(s + 1, program.decodeSteps)
            checkpoint?()
            try runSegment(1, program.decodeStep, phase: .decode, step: s)
        }
        figures.decodeEndS = clock
        try runSegment(2, program.epilogue, phase: .decode, step: program.decodeSteps)
    }

    /// One iteration of a request stream: `template` (one microbatch through this chiplet's stage)
    /// priced at `work`, its messages scaled by `bytesScale`, starting no earlier than `startS`
    /// (`afterIdle`: the replica was idle until then, so the host could not prepare it earlier).
    func runIteration(_ template: [Instruction], waiting: [String], phase: Phase, work: Work, bytesScale: Double,
                      startS: Double, afterIdle: Bool) throws {
        workKnownS = afterIdle ? startS : -.infinity
        clock = max(clock, startS)
        iterationWork = work
        self.bytesScale = bytesScale
        defer { iterationWork = nil; self.bytesScale = 1 }
        try runSegment(1, template, phase: phase, step: 0, waiting: waiting)
    }

    private func runSegment(_ segment: Int, _ instructions: [Instruction], phase: Phase, step: Int,
                            waiting descriptions: [String]? = nil) throws {
        engine?.begin(phase, step: step)
        fabric.note(iterationWork != nil ? .iteration : [RankActivity.prefill, .decode, .lastStep][segment], step: step)
        segmentComputeS = 0
        for (index, instruction) in instructions.enumerated() {
            if let f = failover, figures.interruption == nil, clock >= f.atS { interrupt(f, phase: phase, step: step) }
            let start = clock
            switch instruction {
            case .compute(let c) where c.overlapped:
                hostStep(c)
            case .compute(let c):
                try engine?.compute(c)
                let seconds = iterationWork.flatMap { w in pricer?.seconds(c, work: w) } ?? pricer?.seconds(c, step: step) ?? c.seconds
                clock += seconds
                figures.computeS += seconds
                segmentComputeS += seconds
            case .send(let t):
                try send(t)
            case .recv(let t):
                try receive(t, waiting: descriptions?[index] ?? waiting[segment][index])
            case .barrier:
                let clocks = try fabric.allGather(clock.bitPattern)
                clock = clocks.map { Double(bitPattern: $0) }.max() ?? clock
            }
            if trace != nil {
                trace?.append(TraceRecord(segment: Int32(segment), step: Int32(step), index: Int32(index),
                                          startS: start, endS: clock))
            }
        }
    }

    /// An overlapped host step: the host prepares this iteration once it has prepared the last
    /// one and the device has started that (one ahead), and the device starts when it is ready.
    /// At low load this hides the host behind the device; with many microbatches in flight it
    /// paces them (as the planner's `pipeline` bounds a stage's pace by the host step).
    private func hostStep(_ c: Compute) {
        let startS = max(hostFreeS, lastIterationStartS, workKnownS)
        hostFreeS = startS + c.seconds
        if hostFreeS > clock {
            figures.hostWaitS[c.phase.index] += hostFreeS - clock
            clock = hostFreeS
        }
        lastIterationStartS = clock
    }

    /// The role stops here; its spare is ready after detection and the weight reload, and then
    /// redoes the compute this segment pass had done. Messages already sent stand.
    private func interrupt(_ f: Failover, phase: Phase, step: Int) {
        let cut = Interruption(lostAtS: clock, detectS: f.detectS, reloadS: f.reloadS, redoS: segmentComputeS,
                               step: phase == .prefill ? -1 : step)
        figures.interruption = cut
        clock += cut.lostS
    }

    @inline(__always)
    private func peerRank(_ chiplet: Int32) throws -> Int {
        let c = Int(chiplet)
        guard c >= 0, c < rankOf.count, rankOf[c] >= 0 else {
            throw FabricError.notEmulated(chiplet: program.chiplet, peer: c)
        }
        return rankOf[c]
    }

    private func send(_ t: Transfer) throws {
        let bytes = t.bytes * bytesScale
        let arrivalS = queues.depart(bytes: bytes * collectives.wireScale(t.purpose), level: link.level(program.chiplet, Int(t.peer), atS: clock), clockS: clock)
        let payload = try engine?.payload(for: t) ?? []
        let message = Message(source: fabric.rank, tag: Int(t.tag), sendTimeS: clock,
                              arrivalTimeS: arrivalS, bytes: bytes, payload: payload)
        try fabric.send(message, to: try peerRank(t.peer))
        figures.messages += 1
        figures.bytes += bytes
    }

    /// A K/V hand-off shard to another pool's rank (disaggregated plans): it leaves through this
    /// chiplet's egress port on `level` at the clock, beside the device (a DMA: the clock stays).
    func sendHandOff(bytes: Double, toRank rank: Int, level: Int) throws {
        let arrivalS = queues.depart(bytes: bytes, level: level, clockS: clock)
        try fabric.send(Message(source: fabric.rank, tag: Int(Purpose.kvHandOff.tagBase), sendTimeS: clock,
                                arrivalTimeS: arrivalS, bytes: bytes), to: rank)
        figures.messages += 1
        figures.bytes += bytes
    }

    /// Takes a K/V hand-off shard in through this chiplet's ingress port on `level`: when it is
    /// in. The clock stays (running requests decode on while the cache streams in).
    func receiveHandOff(fromRank rank: Int, level: Int, waiting: String) throws -> Double {
        let message = try fabric.receive(from: rank, tag: Int(Purpose.kvHandOff.tagBase), waiting: waiting)
        let (doneS, queuedS) = queues.arrive(bytes: message.bytes, level: level, sentS: message.sendTimeS,
                                             arrivalS: message.arrivalTimeS)
        if queuedS > 1e-12 { figures.queuedS[Phase.prefill.index] += queuedS }
        figures.kvHandOffBytes += message.bytes
        return doneS
    }

    private func receive(_ t: Transfer, waiting: String) throws {
        let message = try fabric.receive(from: try peerRank(t.peer), tag: Int(t.tag), waiting: waiting)
        let (doneS, queuedS) = queues.arrive(bytes: message.bytes * collectives.wireScale(t.purpose),
                                             level: link.level(Int(t.peer), program.chiplet, atS: message.sendTimeS),
                                             sentS: message.sendTimeS, arrivalS: message.arrivalTimeS)
        // Below a picosecond is rounding of the clock sums, not a queue.
        if queuedS > 1e-12 { figures.queuedS[t.phase.index] += queuedS }
        if doneS > clock {
            figures.idleS[ChipletFigures.slot(t.phase, t.purpose)] += doneS - clock
            clock = doneS
        }
        try engine?.received(t, payload: message.payload)
    }
}
