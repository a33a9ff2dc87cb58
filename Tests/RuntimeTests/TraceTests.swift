import Foundation
import Testing
@testable import Runtime

@Suite struct TraceTests {
    @Test func traceIsChromeJSONWithOneTrackPerChiplet() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-trace-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = EmulationOptions()
        options.tracePath = path
        options.decodeSteps = 2
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        _ = try Fixtures.emulate(plan, options)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let events = try #require(root["traceEvents"] as? [[String: Any]])
        let threads = events.filter { $0["name"] as? String == "thread_name" }
        #expect(threads.count == 4)
        #expect(Set(events.compactMap { $0["tid"] as? Int }) == [0, 1, 2, 3])
        let categories = Set(events.compactMap { $0["cat"] as? String })
        #expect(categories == ["compute", "send", "recv", "idle"])
        let names = events.filter { $0["name"] as? String == "process_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(names.first?.contains("package 0") == true)
    }
}
