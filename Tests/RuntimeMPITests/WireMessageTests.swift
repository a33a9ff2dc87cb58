import Runtime
import Testing
@testable import RuntimeMPI

@Suite struct WireMessageTests {
    @Test func aHeaderIsSixDoublesWhateverTheModelledSize() throws {
        let message = Message(source: 3, tag: 41, sendTimeS: 1.5e-3, arrivalTimeS: 2.25e-3, bytes: 1.0e9,
                              payload: [1, 2])
        let values = WireMessage.header(message)
        #expect(values == [3, 41, 1.5e-3, 2.25e-3, 1.0e9, 2])
        let (decoded, payloadCount) = try #require(WireMessage.decode(header: values))
        #expect(decoded.source == 3 && decoded.tag == 41 && decoded.sendTimeS == 1.5e-3)
        #expect(decoded.arrivalTimeS == 2.25e-3 && decoded.bytes == 1.0e9 && payloadCount == 2)
    }

    @Test func anythingButSixWholeFieldsIsNotAHeader() {
        #expect(WireMessage.decode(header: [0, 1, 0, 0, 8, 2, 1.0]) == nil)
        #expect(WireMessage.decode(header: [0, 1, 0, 0]) == nil)
        #expect(WireMessage.decode(header: [0.5, 1, 0, 0, 8, 0]) == nil)
        #expect(WireMessage.decode(header: [0, 1, 0, 0, 8, -1]) == nil)
    }

    @Test func gatheredValuesPackIntoExactFloats() throws {
        let values: [UInt64] = [0, 0xcbf2_9ce4_8422_2325, .max, 0x7ff8_0000_0000_0001]
        let packed = MPIFabric.pack(values)
        #expect(packed.count == 16 && packed[4...7] == [0x2325, 0x8422, 0x9ce4, 0xcbf2])
        #expect(try MPIFabric.unpack(packed, source: 2) == values)
        #expect(throws: EmulatorError.self) { try MPIFabric.unpack([1, 2, 3], source: 2) }
    }

    @Test func stashedArrivalsComeBackFirstInFirstOutPerSourceAndTag() {
        var stash = ArrivalStash()
        for (source, tag, time) in [(1, 5, 0.1), (2, 5, 0.2), (1, 6, 0.3), (1, 5, 0.4)] {
            stash.put(Message(source: source, tag: tag, sendTimeS: time, arrivalTimeS: time, bytes: 0))
        }
        #expect(stash.count == 4)
        #expect(stash.take(source: 1, tag: 5)?.sendTimeS == 0.1)
        #expect(stash.take(source: 1, tag: 6)?.sendTimeS == 0.3)
        #expect(stash.take(source: 1, tag: 5)?.sendTimeS == 0.4)
        #expect(stash.take(source: 1, tag: 5) == nil)
        #expect(stash.take(source: 2, tag: 6) == nil)
        #expect(stash.take(source: 2, tag: 5)?.sendTimeS == 0.2)
        #expect(stash.count == 0)
    }
}
