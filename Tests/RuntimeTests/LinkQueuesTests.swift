import CostModel
import Foundation
import Planner
import Testing
@testable import Runtime

/// Ports as queues, by hand: α = 2 µs, 1 GB/s, 1,000-byte messages (1 µs on the wire).
@Suite struct LinkQueuesTests {
    static let link = LinkModel(levels: [.init(name: "node", chipletsPerUnit: 8, alphaS: 2e-6, bytesPerS: 1e9)])

    @Test func messagesWaitBehindEachOtherAtBothEnds() {
        var sender = LinkQueues(link: Self.link)
        // Two sends at t = 0: the second leaves when the first is off the wire.
        let first = sender.depart(bytes: 1000, level: 0, clockS: 0)
        let second = sender.depart(bytes: 1000, level: 0, clockS: 0)
        #expect(abs(first - 3e-6) < 1e-15 && abs(second - 4e-6) < 1e-15)
        // Two messages from two senders reach one receiver at 3 µs: the second waits 1 µs there.
        var receiver = LinkQueues(link: Self.link)
        let a = receiver.arrive(bytes: 1000, level: 0, sentS: 0, arrivalS: 3e-6)
        let b = receiver.arrive(bytes: 1000, level: 0, sentS: 0, arrivalS: 3e-6)
        #expect(abs(a.doneS - 3e-6) < 1e-15 && a.queuedS < 1e-15)
        #expect(abs(b.doneS - 4e-6) < 1e-15 && abs(b.queuedS - 1e-6) < 1e-15)
        // A message that queued 1 µs at its sender's egress (arrives at 4 µs) finds the port free
        // at 4 µs but its wire slot starts at 3 µs, taken: 1 µs more here, 2 µs in all.
        let c = receiver.arrive(bytes: 1000, level: 0, sentS: 0, arrivalS: 4e-6)
        #expect(abs(c.doneS - 5e-6) < 1e-15 && abs(c.queuedS - 2e-6) < 1e-15)
    }

    /// The link model's facts are the cost model's: the level two chiplets share, α and the
    /// per-chiplet share of a member's attachment come from `Hierarchy`, built from the plan.
    @Test func topologyFactsComeFromTheHierarchy() throws {
        let plan = try Fixtures.plan(model: "llama-3-70b.json", cluster: "dgx-h100.yaml", scenario: "batch-offline.json",
                                     precision: .init(.bf16), tp: 4, pp: 2, batch: 8, analytical: true)
        let link = LinkModel(plan), h = plan.hierarchy
        #expect(link.level(0, 7) == 0 && link.level(0, 8) == h.commonLevel(0, 8) && link.level(0, 8) > 0)
        for i in h.levels.indices {
            #expect(link.levels[i].alphaS == h.levels[i].alphaS && link.levels[i].bytesPerS == h.sharedBytesPerS(i))
        }
    }

    @Test func aPlanWithAnUnknownTopologyIsRefused() throws {
        var plan = try Fixtures.plan(tp: 2)
        plan.levels[0].topology = "hypercube"
        #expect(plan.inconsistency?.hasPrefix("levels[0]: expected a known topology") == true)
    }
}
