import Foundation

/// Why the winner won and why each runner-up lost, one sentence each, from the figures the
/// evaluation recorded (no re-planning).
public func explain(_ result: SearchResult, objective: Objective) -> [String] {
    guard let best = result.ranked.first, let w = best.metrics else {
        return ["No candidate fits and meets the SLOs. Most common reasons: "
            + result.failures.prefix(3).map { "\($0.reason) (\($0.count))" }.joined(separator: "; ") + "."]
    }
    var lines = ["\(best.name) at batch \(best.candidate.batch) wins on \(objective.rawValue): "
        + "\(fmt(score(w, objective))) with TTFT \(fmt(w.ttftMs)) ms and TPOT \(fmt(w.tpotMs)) ms; "
        + "\(pct(w.communicationFraction)) of its step is communication, \(pct(w.bubbleFraction)) pipeline bubble, "
        + "compute at \(pct(w.computeUtilisation)) and memory bandwidth at \(pct(w.bandwidthUtilisation)) of peak."]
    if let d = best.disaggregation {
        lines.append("It runs prefill and decode on separate pools, so neither stalls the other: \(d.prefill.dp) prefill "
            + "replicas take \(fmt(d.prefillRequestsPerSecond)) requests/s and \(d.decode.dp) decode replicas "
            + "\(fmt(d.decodeRequestsPerSecond)); each request's K/V cache crosses in \(fmt(d.kvTransferMs)) ms.")
    }
    for (i, e) in result.ranked.dropFirst().enumerated() {
        guard let m = e.metrics else { continue }
        let loss = 1 - score(m, objective) / score(w, objective)
        lines.append("#\(i + 2) \(e.name) at batch \(e.candidate.batch) is \(pct(abs(loss))) "
            + (loss >= 0 ? "worse" : "better") + ": " + cause(m, w, e, best) + ".")
    }
    lines.append("Not ranked: \(result.outOfMemory) candidates do not fit in memory, \(result.missedSLO) miss the SLOs, "
        + "\(result.illegal) break a divisibility or size rule (of \(result.candidates) evaluated).")
    return lines
}

private func score(_ m: Metrics, _ objective: Objective) -> Double {
    switch objective {
    case .throughputPerChip: m.outputTokensPerSecondPerChip
    case .throughputPerRack: m.outputTokensPerSecondPerRack
    case .latency: 1000 / (m.tpotMs + m.ttftMs / 100)
    }
}

/// The largest single difference between a runner-up and the winner.
private func cause(_ m: Metrics, _ w: Metrics, _ e: Evaluation, _ best: Evaluation) -> String {
    var causes: [(Double, String)] = [
        (m.communicationFraction - w.communicationFraction,
         "more of its time in communication (\(pct(m.communicationFraction)) vs \(pct(w.communicationFraction)))"),
        (m.bubbleFraction - w.bubbleFraction,
         "more pipeline bubble (\(pct(m.bubbleFraction)) vs \(pct(w.bubbleFraction)))"),
        ((w.computeUtilisation - m.computeUtilisation) / max(w.computeUtilisation, 1e-9) / 2,
         "lower compute utilisation (\(pct(m.computeUtilisation)) vs \(pct(w.computeUtilisation)))"),
    ]
    if e.candidate.batch < best.candidate.batch {
        causes.append((0.01, "a smaller batch (\(e.candidate.batch) vs \(best.candidate.batch)), so weights are read for fewer tokens"))
    }
    if e.chipsUsed > best.chipsUsed {
        causes.append((0.005, "more chips (\(e.chipsUsed) vs \(best.chipsUsed))"))
    }
    return causes.max { $0.0 < $1.0 }.map(\.1) ?? "a lower score"
}

public func fmt(_ x: Double) -> String {
    x >= 100 ? String(format: "%.0f", x) : x >= 10 ? String(format: "%.1f", x) : String(format: "%.2f", x)
}

public func pct(_ x: Double) -> String { String(format: "%.0f%%", x * 100) }
