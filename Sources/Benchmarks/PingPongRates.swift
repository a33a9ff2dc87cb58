import MessagePassing
import Runtime
import RuntimeMPI

/// The message-rate baseline of `tessera bench emulate`: every rank ping-pongs with its neighbour
/// (0↔1, 2↔3, …) over raw MPI and over `MPIFabric`. Raw MPI gets its best case: each receive is
/// posted before the partner's send can arrive (`irecv` first, the next one posted before replying),
/// measured once with spinning waits and once with cooperative ones; the faster is the baseline.
/// Rates count every message of every rank; time is the slowest rank's.
public struct BenchEmulatePingPong {
    let world: Communicator
    let roundTrips: Int
    let policy: WaitPolicy

    public init(world: Communicator, roundTrips: Int, policy: WaitPolicy) {
        self.world = world
        self.roundTrips = roundTrips
        self.policy = policy
    }

    public struct Rates: Equatable, Sendable {
        public var ranks: Int
        /// Raw MPI with pre-posted receives, spinning and cooperative waits.
        public var rawSpinPerSecond: Double
        public var rawCooperativePerSecond: Double
        public var fabricPerSecond: Double

        /// The baseline: raw MPI's faster way of waiting at this rank count.
        public var rawPerSecond: Double { max(rawSpinPerSecond, rawCooperativePerSecond) }
        public var rawWait: WaitPolicy { rawSpinPerSecond >= rawCooperativePerSecond ? .spin : .cooperative }

        public var line: String {
            "PINGPONG ranks=\(ranks) rawspin=\(rawSpinPerSecond) rawcoop=\(rawCooperativePerSecond) fabric=\(fabricPerSecond)"
        }

        public init(ranks: Int, rawSpinPerSecond: Double, rawCooperativePerSecond: Double, fabricPerSecond: Double) {
            self.ranks = ranks
            self.rawSpinPerSecond = rawSpinPerSecond
            self.rawCooperativePerSecond = rawCooperativePerSecond
            self.fabricPerSecond = fabricPerSecond
        }

        public init?(line: Substring) {
            guard let fields = KeyValueLine.fields(line, word: "PINGPONG"),
                let ranks = fields["ranks"].flatMap({ Int($0) }),
                let spin = fields["rawspin"].flatMap({ Double($0) }),
                let cooperative = fields["rawcoop"].flatMap({ Double($0) }),
                let fabric = fields["fabric"].flatMap({ Double($0) })
            else { return nil }
            self.init(
                ranks: ranks, rawSpinPerSecond: spin, rawCooperativePerSecond: cooperative, fabricPerSecond: fabric)
        }
    }

    public func run() throws -> Rates {
        let spin = try rawRoundTrips(.spin)
        let cooperative = try rawRoundTrips(.cooperative)
        let peer = world.rank ^ 1
        let fabric = MPIFabric(world: world, policy: policy, watchdogSeconds: 60)
        let message = Message(source: world.rank, tag: 1, sendTimeS: 0, arrivalTimeS: 0, bytes: 4096)
        let viaFabric = try timed {
            guard peer < world.size else { return }
            for _ in 0..<roundTrips {
                if world.rank & 1 == 0 { try fabric.send(message, to: peer) }
                _ = try fabric.receive(from: peer, tag: 1, waiting: "ping-pong")
                if world.rank & 1 == 1 { try fabric.send(message, to: peer) }
            }
            try fabric.close()
        }
        let messages = Double(2 * roundTrips * (world.size / 2))
        return Rates(
            ranks: world.size, rawSpinPerSecond: messages / spin, rawCooperativePerSecond: messages / cooperative,
            fabricPerSecond: messages / viaFabric)
    }

    /// Seconds of the raw round trips, each receive posted before its message can be sent.
    private func rawRoundTrips(_ wait: WaitPolicy) throws -> Double {
        let peer = world.rank ^ 1
        let active = peer < world.size
        let header = WireHeader.timing
        var pending = active ? try world.irecv(Double.self, maxCount: header.count, from: peer) : nil
        return try timed {
            guard var receive = pending else { return }
            for trip in 0..<roundTrips {
                if world.rank & 1 == 0 { try world.isend(header, to: peer).wait(wait) }
                _ = try receive.wait(wait)
                if trip + 1 < roundTrips { receive = try world.irecv(Double.self, maxCount: header.count, from: peer) }
                if world.rank & 1 == 1 { try world.isend(header, to: peer).wait(wait) }
            }
            pending = nil
        }
    }

    private func timed(_ body: () throws -> Void) throws -> Double {
        try world.ibarrier().wait(.cooperative)
        let start = MPIRuntime.wallTimeSeconds()
        try body()
        let elapsed = MPIRuntime.wallTimeSeconds() - start
        return try world.iallReduce([elapsed], .max).wait(.cooperative)[0]
    }
}

/// The 48-byte header a timing-mode message puts on the wire (six Doubles).
enum WireHeader {
    static let timing = [Double](repeating: 0, count: 6)
}

extension BenchEmulatePingPong {
    /// Ping-pongs over the world of this mpirun job: rank 0 gets the rates, the other ranks nil.
    public static func measureThisWorld(roundTrips: Int, policy: WaitPolicy) throws -> Rates? {
        let world = try MPIRuntime.world()
        let rates = try BenchEmulatePingPong(world: world, roundTrips: roundTrips, policy: policy).run()
        return world.rank == 0 ? rates : nil
    }
}
