import MessagePassing
import Runtime

/// The fabric of `tessera emulate` under mpirun: one rank per chiplet, messages as MPI point-to-point.
///
/// Sends are non-blocking and completed lazily (at most `maxOutstandingSends` in flight). One
/// receive for any source stays posted; a receive takes whatever has arrived from anyone, stashes
/// what it was not waiting for in a FIFO per (source, tag), and so never deadlocks on tags arriving
/// out of order. (Polling a posted receive with `MPI_Test` rather than `MPI_Iprobe`: with MPICH's
/// ch4:ucx and cooperative waits, iprobe saw arrivals ~15× later — 7.7k against 125k messages/s
/// in a 2-rank ping-pong.) With `openDoorbells`, every send rings the receiver's doorbell and a
/// cooperative wait sleeps on its own until rung (see `Doorbells`). Every wait polls as `policy`
/// says and gives up after `watchdogSeconds` with `EmulatorError.watchdog`. With `.blocking` the
/// waits are MPI's own (`MPI_Probe`, `MPI_Wait`), which no watchdog can interrupt: that policy is
/// here to be measured against, not to be used when oversubscribed.
public final class MPIFabric: Fabric {
    public let rank: Int
    public let size: Int
    public let policy: WaitPolicy
    public let watchdogSeconds: Double
    public let maxOutstandingSends: Int
    /// The longest pause of a cooperative wait.
    public let maxSleepUs: Double
    /// Messages sent and received by this rank, control traffic included.
    public private(set) var messagesSent = 0
    public private(set) var messagesReceived = 0

    private let world: Communicator
    private var stash = ArrivalStash()
    private var sends: [Request<Void>] = []
    private var firstPendingSend = 0
    private var posted: Request<Received<Double>>?
    private var doorbells: Doorbells?
    /// Every rank of the world shares this host and its doorbells, so every message rings.
    private var doorbellsCoverWorld = false
    /// This host's `RankBoard`: each wait publishes whom it waits on, for the line that names a lost rank.
    public var board: RankBoard?

    /// Logical tags of the fabric's own messages; the runtime's tags are ≥ 0.
    static let gatherTag = -1, scatterTag = -2

    public init(world: Communicator, policy: WaitPolicy, watchdogSeconds: Double, maxOutstandingSends: Int = 256,
                maxSleepUs: Double = 100) {
        self.world = world
        rank = world.rank
        size = world.size
        self.policy = policy
        self.watchdogSeconds = watchdogSeconds
        self.maxOutstandingSends = max(1, maxOutstandingSends)
        self.maxSleepUs = maxSleepUs
    }

    /// The pause cap for `ranksPerPU` ranks sharing each PU: 100 µs × ranks per PU, between 100 µs
    /// and 5 ms. Why: while a pipeline runs, most ranks wait long and each wake-up takes a PU from
    /// the few that work. Llama-3-8B TP 8 × PP 32 (256 ranks on 2 PUs) took 8.8–13.7 s with a
    /// 100 µs cap and 3.8–5.7 s with 2–10 ms; with 100 ms, 45 s. At 8 and 16 ranks the cap made no
    /// measurable difference (`tessera emulate --stats`, release build).
    public static func maxSleepUs(ranksPerPU: Double) -> Double {
        min(5_000, max(100, 100 * ranksPerPU))
    }

    /// The pause cap of a receive when every message rings (`doorbellsCoverWorld`) and no send
    /// waits for progress: a sleep then ends by a ring, and the timeout only paces the watchdog.
    static let rungSleepCapUs = 20_000.0

    /// Sets up `Doorbells` for the ranks that share a host (every rank must call it, at the same
    /// point). Returns whether this rank has them; without, waits sleep with backoff as before.
    @discardableResult
    public func openDoorbells(hostName: String) throws -> Bool {
        let keys = try allGather(Doorbells.key(hostName: hostName))
        let local = keys.map { $0 >> 32 == keys[rank] >> 32 }
        let creator = local.firstIndex(of: true) ?? rank
        let name = SharedNames.doorbells(creatorPid: Int(keys[creator] & 0xffff_ffff))
        var bells = creator == rank ? Doorbells.create(name: name, rank: rank, local: local) : nil
        try barrier()
        if creator != rank { bells = Doorbells.attach(name: name, rank: rank, local: local) }
        let attached = try allGather(bells == nil ? 0 : 1)
        if creator == rank { Doorbells.unlink(name: name) }
        // All ranks of the host or none: a rank without would never ring the others.
        guard local.indices.allSatisfy({ !local[$0] || attached[$0] == 1 }) else { return false }
        doorbells = bells
        doorbellsCoverWorld = local.allSatisfy { $0 }
        return true
    }

    public func send(_ message: Message, to destination: Int) throws {
        do throws(MPIError) {
            sends.append(try world.isend(WireMessage.header(message), to: destination, tag: WireMessage.headerTag))
            if !message.payload.isEmpty {
                sends.append(try world.isend(message.payload, to: destination, tag: WireMessage.payloadTag))
            }
        } catch { throw EmulatorError.transport(error) }
        doorbells?.ring(destination)
        messagesSent += 1
        try retireSends()
        if sends.count - firstPendingSend > maxOutstandingSends {
            try waitForOldestSend(peer: destination)
        }
    }

    public func receive(from source: Int, tag: Int, waiting: String) throws -> Message {
        if let message = stash.take(source: source, tag: tag) { return message }
        var watchdog = Watchdog(policy: policy, limitSeconds: watchdogSeconds, maxSleepUs: maxSleepUs, doorbells: doorbells)
        board?.waiting(on: source)
        defer { board?.waiting(on: nil) }
        while true {
            if policy == .blocking {
                let message = try pullWaiting()
                if message.source == source && message.tag == tag { return message }
                stash.put(message)
                continue
            }
            while let message = try pullIfArrived() {
                if message.source == source && message.tag == tag { return message }
                stash.put(message)
            }
            try retireSends()
            let rung = doorbellsCoverWorld && firstPendingSend == sends.count
            try watchdog.pause(rank: rank, peer: source, rung: rung, rungSleepUs: Self.rungSleepCapUs, waiting: waiting)
        }
    }

    public func note(_ activity: RankActivity, step: Int) { board?.note(activity, step: step) }

    /// Up and down the binomial tree as fabric messages, so the waits are this fabric's
    /// (cooperative, watched) rather than MPI's blocking collectives, and no rank talks to all.
    public func allGather(_ value: UInt64) throws -> [UInt64] {
        let what = "a gather across all ranks"
        let parts = try gatherToRoot(Self.pack([value]), tag: Self.gatherTag, what: "values for \(what)")
        let vector = try broadcastFromRoot(parts?.flatMap { $0 } ?? [], tag: Self.scatterTag, what: "the result of \(what)")
        let values = try Self.unpack(vector, source: BinomialTree.parent(of: rank) ?? rank)
        guard values.count == size else { throw EmulatorError.malformedMessage(source: 0, count: vector.count) }
        return values
    }

    public func barrier() throws {
        _ = try allGather(0)
        try flush()
    }

    /// Waits until every send of this rank has completed.
    public func flush() throws {
        while firstPendingSend < sends.count { try waitForOldestSend(peer: -1) }
    }

    /// Completes every send and cancels the posted receive, leaving MPI with nothing pending: call
    /// before finalizing MPI or making another fabric on the same communicator. Arrivals stay stashed.
    public func close() throws {
        try flush()
        try retirePostedReceive()
    }

    /// Cancels the posted receive; a header it took meanwhile is stashed with its payload.
    private func retirePostedReceive() throws {
        guard let request = posted else { return }
        let header: Received<Double>?
        do throws(MPIError) { header = try request.cancel() } catch { throw EmulatorError.transport(error) }
        posted = nil
        if let header { stash.put(try complete(header)) }
    }

    deinit {
        // Not `close()`: after a failure, waiting for sends to a stuck peer would delay the abort.
        if let posted { _ = try? posted.cancel() }
    }

    // MARK: - Internals

    /// UInt64s as Floats holding 16 bits each (integers below 2^16 are exact in a Float; raw bit
    /// patterns are not, since a NaN pattern may change on its way through a Double).
    static func pack(_ values: [UInt64]) -> [Float] {
        values.flatMap { value in (0..<4).map { Float((value >> (16 * UInt64($0))) & 0xffff) } }
    }

    static func unpack(_ payload: [Float], source: Int) throws -> [UInt64] {
        guard payload.count % 4 == 0 else { throw EmulatorError.malformedMessage(source: source, count: payload.count) }
        return stride(from: 0, to: payload.count, by: 4).map { start in
            (0..<4).reduce(UInt64(0)) { $0 | UInt64(payload[start + $1]) << (16 * UInt64($1)) }
        }
    }

    /// The posted receive for the next header from anyone, posting it if needed.
    private func postedReceive() throws(MPIError) -> Request<Received<Double>> {
        if let posted { return posted }
        let request = try world.irecv(Double.self, maxCount: WireMessage.headerCount, tag: WireMessage.headerTag)
        posted = request
        return request
    }

    private func pullIfArrived() throws -> Message? {
        let header: Received<Double>?
        do throws(MPIError) { header = try postedReceive().test() } catch { throw EmulatorError.transport(error) }
        guard let header else { return nil }
        return try complete(header)
    }

    /// Blocking policy: MPI's own wait for the next header.
    private func pullWaiting() throws -> Message {
        let header: Received<Double>
        do throws(MPIError) { header = try postedReceive().wait(.blocking) } catch { throw EmulatorError.transport(error) }
        return try complete(header)
    }

    /// Turns an arrived header (and its payload, which follows it) into a message; re-posts the receive.
    private func complete(_ header: Received<Double>) throws -> Message {
        posted = nil
        guard let decoded = WireMessage.decode(header: header.values) else {
            throw EmulatorError.malformedMessage(source: header.source, count: header.values.count)
        }
        var message = decoded.message
        let payloadCount = decoded.payloadCount
        message.source = header.source
        if payloadCount > 0 {
            do throws(MPIError) {
                message.payload = try world.irecv(Float.self, maxCount: payloadCount, from: header.source,
                                                  tag: WireMessage.payloadTag).wait(policy).values
            } catch { throw EmulatorError.transport(error) }
        }
        messagesReceived += 1
        return message
    }

    /// Drops completed sends from the front of the queue (they complete in order in practice).
    private func retireSends() throws {
        do throws(MPIError) {
            while firstPendingSend < sends.count, try sends[firstPendingSend].test() != nil { firstPendingSend += 1 }
        } catch { throw EmulatorError.transport(error) }
        if firstPendingSend > 1024 && firstPendingSend * 2 > sends.count {
            sends.removeFirst(firstPendingSend)
            firstPendingSend = 0
        }
    }

    /// Completes the oldest send, taking in arrivals meanwhile so two ranks that both wait on sends
    /// to each other (large payloads use MPI's rendezvous) still make progress.
    private func waitForOldestSend(peer: Int) throws {
        let request = sends[firstPendingSend]
        if policy == .blocking {
            do throws(MPIError) { try request.wait(.blocking) } catch { throw EmulatorError.transport(error) }
            firstPendingSend += 1
            return
        }
        var watchdog = Watchdog(policy: policy, limitSeconds: watchdogSeconds, maxSleepUs: maxSleepUs, doorbells: doorbells)
        while true {
            do throws(MPIError) { if try request.test() != nil { break } } catch { throw EmulatorError.transport(error) }
            while let message = try pullIfArrived() { stash.put(message) }
            try watchdog.pause(rank: rank, peer: peer, waiting: "completion of a send (\(sends.count - firstPendingSend) in flight)")
        }
        firstPendingSend += 1
        try retireSends()
    }
}
