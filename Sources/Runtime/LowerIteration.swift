import Planner

extension Lowering {
    /// What one chiplet runs per iteration of a request stream, for an iteration with prompt
    /// chunks (`.prefill`: eager launches) and a decode-only one (`.decode`: graph launches): one
    /// microbatch through its stage, the last stage returning the tokens to the first at the end
    /// (which is when the replica's scheduler learns the iteration is over).
    static func iterationTemplates(plan: Plan, chiplet: Int) throws -> [Phase: [Instruction]] {
        try validate(plan)
        let lowerer = PlanLowerer(plan: plan)
        let c = plan.chiplets[chiplet]
        var out: [Phase: [Instruction]] = [:]
        for phase in [Phase.prefill, .decode] {
            var segment = lowerer.segment(c, phase, microbatches: 1).filter {
                if case .recv(let t) = $0, t.purpose == .tokenReturn { false } else { true }
            }
            if c.stage == 0, let last = lowerer.tokenPeer(c) {
                CollectiveLowering(link: lowerer.link, purpose: .tokenReturn, layer: -2, phase: phase)
                    .recv(from: last, bytes: lowerer.tokenBytes, microbatch: 0, into: &segment)
            }
            out[phase] = segment
        }
        return out
    }
}
