import MessagePassing
import Runtime

/// The fabric of `tessera emulate` under mpirun: one rank per chiplet, messages as MPI point-to-point.
///
/// Sends are non-blocking and completed lazily (at most `maxOutstandingSends` in flight). A receive
/// takes whatever has arrived from anyone, stashes what it was not waiting for in a FIFO per
/// (source, tag), and so never deadlocks on tags arriving out of order. Every wait polls as `policy`
/// says and gives up after `watchdogSeconds` with `EmulatorError.watchdog`. With `.blocking` the
/// waits are MPI's own (`MPI_Probe`, `MPI_Wait`), which no watchdog can interrupt: that policy is
/// here to be measured against, not to be used when oversubscribed.
public final class MPIFabric: Fabric {
    public let rank: Int
    public let size: Int
    public let policy: WaitPolicy
    public let watchdogSeconds: Double
    public let maxOutstandingSends: Int
    /// Messages sent and received by this rank, control traffic included.
    public private(set) var messagesSent = 0
    public private(set) var messagesReceived = 0

    private let world: Communicator
    private var stash = ArrivalStash()
    private var sends: [Request<Void>] = []
    private var firstPendingSend = 0

    /// Logical tags of the fabric's own collectives; the runtime's tags are ≥ 0.
    static let gatherTag = -1, scatterTag = -2

    public init(world: Communicator, policy: WaitPolicy, watchdogSeconds: Double, maxOutstandingSends: Int = 256) {
        self.world = world
        rank = world.rank
        size = world.size
        self.policy = policy
        self.watchdogSeconds = watchdogSeconds
        self.maxOutstandingSends = max(1, maxOutstandingSends)
    }

    public func send(_ message: Runtime.Message, to destination: Int) throws {
        do throws(MPIError) {
            sends.append(try world.isend(WireMessage.encode(message), to: destination, tag: WireMessage.mpiTag))
        } catch { throw EmulatorError.transport(error) }
        messagesSent += 1
        try retireSends()
        if sends.count - firstPendingSend > maxOutstandingSends {
            try waitForOldestSend(peer: destination)
        }
    }

    public func receive(from source: Int, tag: Int, waiting: String) throws -> Runtime.Message {
        if let message = stash.take(source: source, tag: tag) { return message }
        var watchdog = Watchdog(policy: policy, limitSeconds: watchdogSeconds)
        while true {
            if policy == .blocking {
                let status: Status
                do throws(MPIError) { status = try world.probe(tag: WireMessage.mpiTag) } catch { throw EmulatorError.transport(error) }
                let message = try pull(status)
                if message.source == source && message.tag == tag { return message }
                stash.put(message)
                continue
            }
            while let message = try pullIfArrived() {
                if message.source == source && message.tag == tag { return message }
                stash.put(message)
            }
            try retireSends()
            try watchdog.pause(rank: rank, peer: source, waiting: waiting)
        }
    }

    /// Rank 0 collects every rank's value and sends the vector back, all as fabric messages, so the
    /// waits are this fabric's (cooperative, watched) rather than MPI's blocking collectives.
    public func allGather(_ value: UInt64) throws -> [UInt64] {
        guard rank != 0 else {
            var values = [value]
            for peer in 1..<max(size, 1) {
                let message = try receive(from: peer, tag: Self.gatherTag, waiting: "its value for a gather across all ranks")
                values.append(try Self.unpack(message.payload, source: peer).first ?? 0)
            }
            let vector = Message(source: 0, tag: Self.scatterTag, sendTimeS: 0, arrivalTimeS: 0, bytes: 0,
                                 payload: Self.pack(values))
            for peer in 1..<max(size, 1) { try send(vector, to: peer) }
            return values
        }
        try send(Message(source: rank, tag: Self.gatherTag, sendTimeS: 0, arrivalTimeS: 0, bytes: 0,
                         payload: Self.pack([value])), to: 0)
        let reply = try receive(from: 0, tag: Self.scatterTag, waiting: "the result of a gather across all ranks")
        return try Self.unpack(reply.payload, source: 0)
    }

    public func barrier() throws {
        _ = try allGather(0)
        try flush()
    }

    /// Waits until every send of this rank has completed (before finalizing MPI).
    public func flush() throws {
        while firstPendingSend < sends.count { try waitForOldestSend(peer: -1) }
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

    private func pullIfArrived() throws -> Message? {
        let status: Status?
        do throws(MPIError) { status = try world.iprobe(tag: WireMessage.mpiTag) } catch { throw EmulatorError.transport(error) }
        guard let status else { return nil }
        return try pull(status)
    }

    private func pull(_ status: Status) throws -> Message {
        let count = status.count(of: Double.self)
        let values: [Double]
        do throws(MPIError) {
            values = try world.recv(Double.self, maxCount: count, from: status.source, tag: WireMessage.mpiTag).values
        } catch { throw EmulatorError.transport(error) }
        guard var message = WireMessage.decode(values) else {
            throw EmulatorError.malformedMessage(source: status.source, count: values.count)
        }
        message.source = status.source
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
        var watchdog = Watchdog(policy: policy, limitSeconds: watchdogSeconds)
        while true {
            do throws(MPIError) { if try request.test() != nil { break } } catch { throw EmulatorError.transport(error) }
            while let message = try pullIfArrived() { stash.put(message) }
            try watchdog.pause(rank: rank, peer: peer, waiting: "completion of a send (\(sends.count - firstPendingSend) in flight)")
        }
        firstPendingSend += 1
        try retireSends()
    }
}
