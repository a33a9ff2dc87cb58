import MessagePassing
import Runtime
import RuntimeMPI

/// The message-rate baseline of `tessera bench emulate`: every rank ping-pongs with its neighbour
/// (0↔1, 2↔3, …), once over raw MPI (`isend`/`irecv` of the same 48-byte header, waiting as
/// `policy` says) and once over `MPIFabric`. Rates count every message of every rank; time is the slowest rank's.
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
        public var rawPerSecond: Double
        public var fabricPerSecond: Double

        public var line: String { "PINGPONG ranks=\(ranks) raw=\(rawPerSecond) fabric=\(fabricPerSecond)" }

        public init(ranks: Int, rawPerSecond: Double, fabricPerSecond: Double) {
            self.ranks = ranks
            self.rawPerSecond = rawPerSecond
            self.fabricPerSecond = fabricPerSecond
        }

        public init?(line: Substring) {
            let fields = line.split(separator: " ")
            guard fields.count == 4, fields[0] == "PINGPONG",
                let ranks = fields[1].split(separator: "=").last.flatMap({ Int($0) }),
                let raw = fields[2].split(separator: "=").last.flatMap({ Double($0) }),
                let fabric = fields[3].split(separator: "=").last.flatMap({ Double($0) })
            else { return nil }
            self.init(ranks: ranks, rawPerSecond: raw, fabricPerSecond: fabric)
        }
    }

    public func run() throws -> Rates {
        let peer = world.rank ^ 1
        let active = peer < world.size
        let header = WireHeader.timing
        let raw = try timed {
            guard active else { return }
            for _ in 0..<roundTrips {
                if world.rank & 1 == 0 { try world.isend(header, to: peer).wait(policy) }
                _ = try world.irecv(Double.self, maxCount: header.count, from: peer).wait(policy)
                if world.rank & 1 == 1 { try world.isend(header, to: peer).wait(policy) }
            }
        }
        let fabric = MPIFabric(world: world, policy: policy, watchdogSeconds: 60)
        let message = Message(source: world.rank, tag: 1, sendTimeS: 0, arrivalTimeS: 0, bytes: 4096)
        let viaFabric = try timed {
            guard active else { return }
            for _ in 0..<roundTrips {
                if world.rank & 1 == 0 { try fabric.send(message, to: peer) }
                _ = try fabric.receive(from: peer, tag: 1, waiting: "ping-pong")
                if world.rank & 1 == 1 { try fabric.send(message, to: peer) }
            }
            try fabric.close()
        }
        let messages = Double(2 * roundTrips * (world.size / 2))
        return Rates(ranks: world.size, rawPerSecond: messages / raw, fabricPerSecond: messages / viaFabric)
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
