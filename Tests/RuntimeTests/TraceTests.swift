import Foundation
import Testing
@testable import Runtime

@Suite struct TraceTests {
    /// Trace events of tiny-llama TP 2 × PP 2, prefill and two decode steps, and the run's result.
    static func traced(_ name: String) throws -> (events: [[String: Any]], result: EmulationResult) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-\(name)-\(getpid()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = EmulationOptions()
        options.tracePath = path
        options.decodeSteps = 2
        let result = try Fixtures.emulate(try Fixtures.plan(tp: 2, pp: 2), options)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        return (try #require(root["traceEvents"] as? [[String: Any]]), result)
    }

    @Test func traceIsChromeJSONWithOneTrackPerChiplet() throws {
        let events = try Self.traced("trace").events
        let threads = events.filter { $0["name"] as? String == "thread_name" }
        #expect(threads.count == 4)
        #expect(Set(events.compactMap { $0["tid"] as? Int }) == [0, 1, 2, 3])
        let categories = Set(events.compactMap { $0["cat"] as? String })
        #expect(categories == ["compute", "send", "recv", "idle", "flow"])
        let names = events.filter { $0["name"] as? String == "process_name" }
            .compactMap { ($0["args"] as? [String: Any])?["name"] as? String }
        #expect(names.first?.contains("package 0") == true)
    }

    /// Every message is one arrow: as many flow starts as sends and flow ends as receives, each id
    /// once at each end, the end no earlier than the start; timestamps are whole nanoseconds, and
    /// the slices of one chiplet never overlap.
    @Test func flowsPairEverySendWithItsReceiveInWholeNanoseconds() throws {
        let (events, r) = try Self.traced("flow")
        func of(_ ph: String) -> [[String: Any]] { events.filter { $0["ph"] as? String == ph } }
        let starts = of("s"), ends = of("f")
        #expect(starts.count == r.messages && ends.count == r.messages)
        let startAt = Dictionary(uniqueKeysWithValues: starts.map { ($0["id"] as? Int ?? -1, $0["ts"] as? Double ?? 0) })
        let endAt = Dictionary(uniqueKeysWithValues: ends.map { ($0["id"] as? Int ?? -1, $0["ts"] as? Double ?? 0) })
        #expect(Set(startAt.keys) == Set(endAt.keys))
        #expect(startAt.allSatisfy { id, ts in (endAt[id] ?? -1) >= ts })
        for e in events { if let ts = e["ts"] as? Double { #expect(abs(ts * 1000 - (ts * 1000).rounded()) < 1e-6) } }
        var slices: [Int: [(Double, Double)]] = [:]
        for e in of("X") { slices[e["tid"] as? Int ?? -1, default: []].append((e["ts"] as? Double ?? 0, e["dur"] as? Double ?? 0)) }
        for (_, list) in slices {
            let sorted = list.sorted { $0.0 < $1.0 }
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { a, b in a.0 + a.1 <= b.0 + 1e-9 })
        }
    }
}
