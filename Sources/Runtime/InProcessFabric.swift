import Foundation

/// N chiplet runtimes as N threads of one process: per-(source, tag) FIFO mailboxes under a
/// condition variable per rank. Virtual times do not depend on how the threads are scheduled,
/// since every clock moves only by program order and message stamps. The in-memory twin of
/// `MPIFabric`, for unit tests.
public final class InProcessFabric: Fabric, Sendable {
    public let rank: Int
    public var size: Int { hub.size }
    let hub: Hub

    init(rank: Int, hub: Hub) { self.rank = rank; self.hub = hub }

    /// Runs `body` on `ranks` threads, one fabric each, and returns each rank's outcome by rank.
    /// A receive waits at most `timeoutS` of wall time, and fails at once when its source has
    /// already finished or failed, so a deadlock never hangs a test.
    public static func run<T: Sendable>(ranks: Int, timeoutS: Double = 10,
                                        body: @escaping @Sendable (InProcessFabric) throws -> T) -> [Result<T, Error>] {
        let hub = Hub(size: ranks, timeoutS: timeoutS)
        let results = ResultBox<T>(count: ranks)
        let done = DispatchSemaphore(value: 0)
        for r in 0..<ranks {
            let thread = Thread {
                let fabric = InProcessFabric(rank: r, hub: hub)
                let outcome = Result { try body(fabric) }
                if case .failure(let error) = outcome { hub.finish(r, failure: "\(error)") } else { hub.finish(r, failure: nil) }
                results.set(r, outcome)
                done.signal()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        for _ in 0..<ranks { done.wait() }
        return results.values()
    }

    public func send(_ message: Message, to destination: Int) throws {
        guard destination >= 0, destination < hub.size else {
            throw FabricError.noSuchRank(rank: rank, peer: destination, size: hub.size, sending: true)
        }
        hub.deliver(message, to: destination)
    }

    public func receive(from source: Int, tag: Int, waiting: String) throws -> Message {
        guard source >= 0, source < hub.size else {
            throw FabricError.noSuchRank(rank: rank, peer: source, size: hub.size, sending: false)
        }
        return try hub.take(rank: rank, source: source, tag: tag, waiting: waiting)
    }

    public func allGather(_ value: UInt64) throws -> [UInt64] { try hub.gather(rank: rank, value: value) }

    public func barrier() throws { _ = try hub.gather(rank: rank, value: 0) }
}

/// Each rank's outcome, written once by its thread.
final class ResultBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ r: Result<T, Error>) { lock.lock(); slots[i] = r; lock.unlock() }
    func values() -> [Result<T, Error>] {
        lock.lock(); defer { lock.unlock() }
        return slots.enumerated().map { $0.element ?? .failure(FabricError.noOutcome(rank: $0.offset)) }
    }
}

/// The shared state of one in-process job.
final class Hub: @unchecked Sendable {
    let size: Int
    let timeoutS: Double
    private let conditions: [NSCondition]
    private var mailboxes: [[Int: [Message]]]
    /// Per rank: nil while running, "" when finished normally, else why it failed.
    private var ended: [String?]
    private let state = NSCondition()
    private var gathered: [UInt64?]
    private var generation = 0
    private var lastGather: [UInt64] = []

    init(size: Int, timeoutS: Double) {
        self.size = size
        self.timeoutS = timeoutS
        conditions = (0..<size).map { _ in NSCondition() }
        mailboxes = Array(repeating: [:], count: size)
        ended = Array(repeating: nil, count: size)
        gathered = Array(repeating: nil, count: size)
    }

    private func key(_ source: Int, _ tag: Int) -> Int { source << 32 | (tag & 0xffff_ffff) }

    func deliver(_ m: Message, to d: Int) {
        let c = conditions[d]
        c.lock()
        mailboxes[d][key(m.source, m.tag), default: []].append(m)
        c.signal()
        c.unlock()
    }

    func finish(_ rank: Int, failure: String?) {
        state.lock()
        ended[rank] = failure ?? ""
        state.broadcast()
        state.unlock()
        for c in conditions { c.lock(); c.broadcast(); c.unlock() }
    }

    private func status(_ rank: Int) -> String? {
        state.lock(); defer { state.unlock() }
        return ended[rank]
    }

    func take(rank: Int, source: Int, tag: Int, waiting: String) throws -> Message {
        let c = conditions[rank], k = key(source, tag)
        let deadline = Date().addingTimeInterval(timeoutS)
        c.lock(); defer { c.unlock() }
        while true {
            if var queue = mailboxes[rank][k], !queue.isEmpty {
                let m = queue.removeFirst()
                mailboxes[rank][k] = queue
                return m
            }
            if let end = status(source) {
                throw end.isEmpty ? FabricError.peerFinished(rank: rank, peer: source, waiting: waiting)
                    : FabricError.peerFailed(rank: rank, peer: source, failure: end, waiting: waiting)
            }
            if Date() >= deadline {
                throw FabricError.receiveTimedOut(rank: rank, peer: source, seconds: timeoutS, waiting: waiting)
            }
            _ = c.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
    }

    /// Every rank's value once all have called; a failed rank fails the others.
    func gather(rank: Int, value: UInt64) throws -> [UInt64] {
        state.lock(); defer { state.unlock() }
        let deadline = Date().addingTimeInterval(timeoutS)
        let mine = generation
        gathered[rank] = value
        if gathered.allSatisfy({ $0 != nil }) {
            lastGather = gathered.map { $0 ?? 0 }
            gathered = Array(repeating: nil, count: size)
            generation += 1
            state.broadcast()
            return lastGather
        }
        while generation == mine {
            if let r = ended.firstIndex(where: { $0 != nil }) {
                throw FabricError.collectivePeerEnded(rank: rank, peer: r)
            }
            if Date() >= deadline {
                let missing = gathered.indices.filter { gathered[$0] == nil }
                throw FabricError.collectiveTimedOut(rank: rank, seconds: timeoutS, missing: missing)
            }
            _ = state.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
        return lastGather
    }
}
