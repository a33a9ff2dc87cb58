import MessagePassing

/// One measured case of `tessera bench mpi`, as rank 0 reports it.
public struct BenchResult: Equatable, Sendable {
    public enum Operation: String, Sendable { case allReduce = "allreduce", pingPong = "pingpong" }

    public var ranks: Int
    public var policy: WaitPolicy
    public var operation: Operation
    public var bytes: Int
    public var iterations: Int
    public var seconds: Double

    public var secondsPerOperation: Double { seconds / Double(max(iterations, 1)) }

    /// The line a worker run prints and the launching run parses.
    public var line: String {
        "BENCH ranks=\(ranks) policy=\(policy.rawValue) op=\(operation.rawValue) bytes=\(bytes) "
            + "iterations=\(iterations) seconds=\(seconds)"
    }

}

extension BenchResult {
    public init?(line: Substring) {
        guard let fields = KeyValueLine.fields(line, word: "BENCH") else { return nil }
        guard let ranks = fields["ranks"].flatMap({ Int($0) }),
            let policy = fields["policy"].flatMap({ WaitPolicy(rawValue: String($0)) }),
            let operation = fields["op"].flatMap({ Operation(rawValue: String($0)) }),
            let bytes = fields["bytes"].flatMap({ Int($0) }),
            let iterations = fields["iterations"].flatMap({ Int($0) }),
            let seconds = fields["seconds"].flatMap({ Double($0) })
        else { return nil }
        self.init(
            ranks: ranks, policy: policy, operation: operation, bytes: bytes, iterations: iterations,
            seconds: seconds)
    }
}

/// The measuring side of `tessera bench mpi`, run on every rank under mpirun.
///
/// Each case first times a short warm-up, then runs as many operations as fit the time budget (at
/// least 3, at most the requested count), so the slow blocking cases at 32 ranks stay affordable.
/// Times are the slowest rank's. Control traffic (start and end of each case) always uses
/// non-blocking calls with cooperative waits, so it does not distort the spinning cases.
public struct MPIBenchWorker {
    let world: Communicator
    let allReduceBytes: Int
    let pingPongBytes: Int
    let maxAllReduces: Int
    let maxRoundTrips: Int
    let budgetSeconds: Double

    public init(
        world: Communicator, allReduceBytes: Int, pingPongBytes: Int, maxAllReduces: Int, maxRoundTrips: Int,
        budgetSeconds: Double
    ) {
        self.world = world
        self.allReduceBytes = allReduceBytes
        self.pingPongBytes = pingPongBytes
        self.maxAllReduces = maxAllReduces
        self.maxRoundTrips = maxRoundTrips
        self.budgetSeconds = budgetSeconds
    }

    static let pingPongTag = 5

    public func run(policies: [WaitPolicy]) throws -> [BenchResult] {
        var results: [BenchResult] = []
        let cases: [(operation: BenchResult.Operation, bytes: Int, warmups: Int, limit: Int)] = [
            (.allReduce, allReduceBytes, 1, maxAllReduces), (.pingPong, pingPongBytes, 10, maxRoundTrips),
        ]
        for policy in policies {
            for c in cases {
                let (count, seconds) = try measure(warmups: c.warmups, limit: c.limit) { n in
                    c.operation == .allReduce ? try allReduces(n, policy) : try roundTrips(n, policy)
                }
                results.append(
                    BenchResult(
                        ranks: world.size, policy: policy, operation: c.operation, bytes: c.bytes, iterations: count,
                        seconds: seconds))
            }
        }
        return results
    }

    /// Times `warmups` operations, picks how many fit the budget, and times that many.
    private func measure(warmups: Int, limit: Int, _ timed: (Int) throws -> Double) throws -> (Int, Double) {
        let perOperation = try timed(warmups) / Double(warmups)
        let affordable = perOperation > 0 ? Int(budgetSeconds / perOperation) : limit
        let count = min(limit, max(3, affordable))
        return (count, try timed(count))
    }

    private func allReduces(_ count: Int, _ policy: WaitPolicy) throws -> Double {
        let values = [Double](repeating: 1, count: allReduceBytes / MemoryLayout<Double>.stride)
        try world.ibarrier().wait(.cooperative)
        let start = MPIRuntime.wallTimeSeconds()
        for _ in 0..<count {
            if policy == .blocking {
                _ = try world.allReduce(values, .sum)
            } else {
                _ = try world.iallReduce(values, .sum).wait(policy)
            }
        }
        return try slowest(MPIRuntime.wallTimeSeconds() - start)
    }

    /// Ranks 0 and 1 bounce a message; the others wait in a barrier with the same policy, which is
    /// what makes blocking waits expensive when ranks outnumber cores.
    private func roundTrips(_ count: Int, _ policy: WaitPolicy) throws -> Double {
        let payload = [UInt8](repeating: 0x5a, count: pingPongBytes)
        let peer = world.rank == 0 ? 1 : 0
        try world.ibarrier().wait(.cooperative)
        let start = MPIRuntime.wallTimeSeconds()
        if world.rank < 2 {
            for _ in 0..<count {
                if world.rank == 0 { try send(payload, to: peer, policy) }
                _ = try receive(from: peer, policy)
                if world.rank == 1 { try send(payload, to: peer, policy) }
            }
        }
        let elapsed = world.rank < 2 ? MPIRuntime.wallTimeSeconds() - start : 0
        if policy == .blocking { try world.barrier() } else { try world.ibarrier().wait(policy) }
        return try slowest(elapsed)
    }

    private func send(_ payload: [UInt8], to peer: Int, _ policy: WaitPolicy) throws {
        if policy == .blocking { return try world.send(payload, to: peer, tag: Self.pingPongTag) }
        try world.isend(payload, to: peer, tag: Self.pingPongTag).wait(policy)
    }

    private func receive(from peer: Int, _ policy: WaitPolicy) throws -> [UInt8] {
        if policy == .blocking {
            return try world.recv(UInt8.self, maxCount: pingPongBytes, from: peer, tag: Self.pingPongTag).values
        }
        return try world.irecv(UInt8.self, maxCount: pingPongBytes, from: peer, tag: Self.pingPongTag)
            .wait(policy).values
    }

    private func slowest(_ seconds: Double) throws -> Double {
        try world.iallReduce([seconds], .max).wait(.cooperative)[0]
    }
}

extension MPIBenchWorker {
    /// Measures the world of this mpirun job: rank 0 gets the results, the other ranks nil.
    public static func measureThisWorld(
        allReduceBytes: Int, pingPongBytes: Int, maxAllReduces: Int, maxRoundTrips: Int,
        budgetSeconds: Double, policies: [WaitPolicy]
    ) throws -> [BenchResult]? {
        let world = try MPIRuntime.world()
        guard world.size >= 2 else {
            throw BenchError.tooFewRanks(command: "bench mpi", needed: 2, worldSize: world.size)
        }
        let worker = MPIBenchWorker(
            world: world, allReduceBytes: allReduceBytes, pingPongBytes: pingPongBytes,
            maxAllReduces: maxAllReduces, maxRoundTrips: maxRoundTrips, budgetSeconds: budgetSeconds)
        let results = try worker.run(policies: policies)
        return world.rank == 0 ? results : nil
    }
}
