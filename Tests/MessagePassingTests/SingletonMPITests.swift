internal import CMPI
import Testing
@testable import MessagePassing

// `swift test` runs without mpirun, so MPI starts as a singleton: a world of one rank that can
// still send to itself. MPI calls on one communicator must not overlap, hence `.serialized`.
@Suite(.serialized) struct SingletonMPITests {
    @Test func worldIsOneRank() throws {
        let world = try MPIRuntime.world()
        #expect(world.rank == 0)
        #expect(world.size == 1)
        #expect(MPIRuntime.isRunning)
        #expect(try MPIRuntime.world() === world)
    }

    @Test func sendToAMissingRankIsATypedError() throws {
        let world = try MPIRuntime.world()
        let error = try #require(throws: MPIError.self) { try world.send([1.0], to: 99) }
        #expect(error.call == "MPI_Send")
        #expect(error.errorClass == MPI_ERR_RANK)
        #expect(error.message.hasPrefix("Invalid rank, error stack:"))
        #expect(error.description
            == "MPI_Send: Invalid rank (Invalid rank has value 99 but must be nonnegative and less than 1)")
    }

    @Test func negativeTagAndCountAreTypedErrors() throws {
        let world = try MPIRuntime.world()
        let tag = try #require(throws: MPIError.self) { try world.send([Int32(1)], to: 0, tag: -5) }
        #expect(tag.call == "MPI_Send")
        #expect(tag.errorClass == MPI_ERR_TAG)
        let count = try #require(throws: MPIError.self) { try world.irecv(Double.self, maxCount: -1) }
        #expect(count == MPIError(call: "MPI_Irecv", code: MPI_ERR_COUNT, errorClass: MPI_ERR_COUNT,
                                  message: "Invalid count -1: must be in 0...2147483647"))
        let root = try #require(throws: MPIError.self) {
            var values = [1.0]
            try world.broadcast(&values, root: 3)
        }
        #expect(root.call == "MPI_Bcast")
        #expect(root.errorClass == MPI_ERR_ROOT)
    }

    @Test func messagesToSelfKeepValuesSourceAndTag() throws {
        let world = try MPIRuntime.world()
        let sent = try world.isend([1.5, -2.25, 1e300], to: 0, tag: 7)
        let received = try world.recv(Double.self, maxCount: 8, from: 0, tag: 7)
        try sent.wait(.spin)
        #expect(received == Received(values: [1.5, -2.25, 1e300], source: 0, tag: 7))
        #expect(sent.isComplete)
    }

    @Test func anySourceReceiveAndProbeReportTheMessage() throws {
        let world = try MPIRuntime.world()
        #expect(try world.iprobe() == nil)
        let sent = try world.isend([Int64.max, Int64.min, 0], to: 0, tag: 3)
        let status = try world.probe()
        #expect(status == Status(source: 0, tag: 3, byteCount: 24))
        #expect(status.count(of: Int64.self) == 3)
        #expect(try world.iprobe(from: 0, tag: 3) == status)
        let pending = try world.irecv(Int64.self, maxCount: status.count(of: Int64.self))
        #expect(try pending.wait(.cooperative) == Received(values: [Int64.max, Int64.min, 0], source: 0, tag: 3))
        try sent.wait(.blocking)
    }

    @Test func rawBytesRoundTrip() throws {
        let world = try MPIRuntime.world()
        let payload: [UInt8] = [0xde, 0xad, 0xbe, 0xef, 0x00]
        let sent = try world.isend(payload, to: 0, tag: 11)
        var buffer = [UInt8](repeating: 0, count: 16)
        let status = try buffer.withUnsafeMutableBytes { try world.recv(into: $0, from: nil, tag: 11) }
        try sent.wait()
        #expect(status == Status(source: 0, tag: 11, byteCount: 5))
        #expect(Array(buffer.prefix(5)) == payload)
    }

    @Test(arguments: WaitPolicy.allCases)
    func nonBlockingAllReduceCompletesUnderEveryPolicy(policy: WaitPolicy) throws {
        let world = try MPIRuntime.world()
        let request = try world.iallReduce([Float(0.5), 2, -3], .sum)
        #expect(try request.wait(policy) == [0.5, 2, -3])
        #expect(try request.test() == [0.5, 2, -3])
    }

    @Test func aCancelledReceiveTakesNothingAndAMatchedOneKeepsItsMessage() throws {
        let world = try MPIRuntime.world()
        let idle = try world.irecv(Int32.self, maxCount: 4, tag: 41)
        #expect(try idle.cancel() == nil)
        // The next message on that tag goes to the next receive, not to the cancelled one.
        let next = try world.irecv(Int32.self, maxCount: 4, tag: 41)
        try world.isend([Int32(7), 8], to: 0, tag: 41).wait(.spin)
        #expect(try next.wait(.spin).values == [7, 8])
        let matched = try world.irecv(Int32.self, maxCount: 4, tag: 42)
        try world.isend([Int32(9)], to: 0, tag: 42).wait(.spin)
        #expect(try matched.cancel()?.values == [9])
    }

    @Test func collectivesOnOneRankReturnTheInput() throws {
        let world = try MPIRuntime.world()
        #expect(try world.allReduce([Int32.max, 7], .max) == [Int32.max, 7])
        #expect(try world.allReduce(UInt8(200), .min) == 200)
        #expect(try world.allReduce(6.0, .product) == 6.0)
        var values: [Int] = [4, 5, 6]
        try world.broadcast(&values, root: 0)
        #expect(values == [4, 5, 6])
        try world.barrier()
        try world.ibarrier().wait()
    }

    @Test func waitAllReturnsValuesInOrder() throws {
        let world = try MPIRuntime.world()
        let receives = try (0..<3).map { (tag) throws(MPIError) in try world.irecv(UInt64.self, maxCount: 1, tag: tag) }
        let sends = try (0..<3).reversed().map { (tag) throws(MPIError) in
            try world.isend([UInt64(tag * 10)], to: 0, tag: tag)
        }
        #expect(try receives.waitAll().map(\.values) == [[0], [10], [20]])
        #expect(try sends.waitAll(.spin).count == 3)
    }

    @Test func splitGivesSubCommunicatorsOrNone() throws {
        let world = try MPIRuntime.world()
        let part = try #require(try world.split(color: 3, key: 0))
        #expect(part.rank == 0)
        #expect(part.size == 1)
        #expect(try part.allReduce(2.5, .sum) == 2.5)
        #expect(try world.split(color: nil, key: 0) == nil)
    }

    @Test func libraryVersionNamesMPICH() {
        #expect(MPIRuntime.libraryVersion().hasPrefix("MPICH Version:"))
        #expect(MPIRuntime.wallTimeSeconds() > 0)
    }
}
