import Foundation
import MessagePassing
import Testing

/// Under real `mpirun` the trace pairs each send with its receive (one flow id at each end).
@Suite(.serialized) struct EmulateTraceFlowTests {
    @Test func everySendHasItsArrowToTheReceive() throws {
        let run = EmulateRunTests()
        let path = try run.plan("flow-tp2pp2", ["--tp", "2", "--pp", "2"])
        let trace = EmulateRunTests.directory + "/flow-trace.json"
        let outcome = try run.emulate(4, [path, "--steps", "2", "--trace", trace])
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trace))) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        let starts = events.filter { $0["ph"] as? String == "s" }.compactMap { $0["id"] as? Int }
        let ends = events.filter { $0["ph"] as? String == "f" }.compactMap { $0["id"] as? Int }
        let sends = events.filter { $0["cat"] as? String == "send" }.count
        #expect(!starts.isEmpty && starts.count == sends && Set(starts).count == starts.count)
        #expect(Set(starts) == Set(ends) && ends.count == starts.count)
    }
}
