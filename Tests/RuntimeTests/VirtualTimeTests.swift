import Testing
@testable import Runtime

@Suite struct VirtualTimeTests {
    @Test func twoChipletSendIsLatencyPlusBytesOverBandwidth() throws {
        // 1 µs of compute, then 1 MB over α = 2 µs, 1 GB/s: arrives at 1 + 2 + 1000 µs.
        let figures = try Harness.run([
            Harness.program(0, [Harness.compute(1e-6), .send(Harness.transfer(1, bytes: 1e6))]),
            Harness.program(1, [.recv(Harness.transfer(0, bytes: 1e6))]),
        ], link: Harness.link)
        #expect(figures[0].prefillEndS == 1e-6)
        #expect(abs(figures[1].prefillEndS - 1003e-6) < 1e-15)
        #expect(abs(figures[1].idleS[ChipletFigures.slot(.prefill, .stageSend)] - 1003e-6) < 1e-15)
        #expect(figures[0].messages == 1 && figures[0].bytes == 1e6)
        #expect(figures[1].queuedS == [0, 0])
    }

    @Test func crossingTheOuterLevelUsesItsLink() throws {
        // Chiplets 0 and 8 share only the node: α = 5 µs, 0.1 GB/s → 5 + 10 µs for 1 kB.
        let figures = try Harness.run([
            Harness.program(0, [.send(Harness.transfer(8, bytes: 1000))]),
            Harness.program(8, [.recv(Harness.transfer(0, bytes: 1000))]),
        ], link: Harness.link)
        #expect(abs(figures[1].prefillEndS - 15e-6) < 1e-15)
    }

    @Test func ringAllReduceMatchesTheAlphaBetaFormula() throws {
        // TP 4 on one level: 2·(4−1) steps of α + (n/4)/β (Thakur, Rabenseifner & Gropp 2005).
        let group = [0, 1, 2, 3], bytes = 4e6
        let lowering = CollectiveLowering(link: Harness.link, purpose: .allReduceTP, layer: 0, phase: .prefill)
        let programs = group.map { me in
            var out: [Instruction] = []
            lowering.allReduce(group: group, me: me, bytes: bytes, into: &out)
            return Harness.program(me, out)
        }
        #expect(programs.allSatisfy { $0.prefill.count == 2 * 2 * 3 })
        let figures = try Harness.run(programs, link: Harness.link)
        let formula = 2 * 3 * (2e-6 + bytes / 4 / 1e9)
        for f in figures { #expect(abs(f.prefillEndS - formula) < 1e-15) }
        // Nothing queues in a ring (up to rounding of the clock sums).
        #expect(figures.allSatisfy { $0.queuedS[0] < 1e-18 })
    }

    @Test func twoSendsOnOneEgressSerialise() throws {
        // Chiplet 0 sends 1 MB to 1 and to 2 back to back: the second leaves when the first has
        // left its port, so it lands at α + 2·w = 2002 µs and queued 1000 µs.
        let figures = try Harness.run([
            Harness.program(0, [.send(Harness.transfer(1, bytes: 1e6)), .send(Harness.transfer(2, bytes: 1e6))]),
            Harness.program(1, [.recv(Harness.transfer(0, bytes: 1e6))]),
            Harness.program(2, [.recv(Harness.transfer(0, bytes: 1e6))]),
        ], link: Harness.link)
        #expect(abs(figures[1].prefillEndS - 1002e-6) < 1e-15)
        #expect(abs(figures[2].prefillEndS - 2002e-6) < 1e-15)
        #expect(abs(figures[2].queuedS[0] - 1000e-6) < 1e-15)
    }

    @Test func twoSendersIntoOneIngressSerialise() throws {
        // Chiplets 1 and 2 both send 1 MB to 0 at time 0; 0's port takes them in program order.
        let figures = try Harness.run([
            Harness.program(0, [.recv(Harness.transfer(1, bytes: 1e6)), .recv(Harness.transfer(2, bytes: 1e6))]),
            Harness.program(1, [.send(Harness.transfer(0, bytes: 1e6))]),
            Harness.program(2, [.send(Harness.transfer(0, bytes: 1e6))]),
        ], link: Harness.link)
        #expect(abs(figures[0].prefillEndS - 2002e-6) < 1e-15)
        #expect(abs(figures[0].queuedS[0] - 1000e-6) < 1e-15)
    }

    @Test func virtualTimesDoNotDependOnScheduling() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        let a = try Fixtures.emulate(plan), b = try Fixtures.emulate(plan)
        #expect(a.ttftMs == b.ttftMs && a.tpotMs == b.tpotMs && a.messages == b.messages)
    }
}
