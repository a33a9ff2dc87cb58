import Foundation
import ModelGraph
import Planner
import Yams

extension EmulateStep {
    /// Reads `emulate: { table, scenario, inputTokens, outputTokens, decodeSteps, requests, rate,
    /// seed, timeoutSeconds, plans: [...], variants: [...] }`; `resolve` makes paths absolute.
    static func load(_ v: SpecNode, resolve: (String) -> String) throws(CapacityError) -> EmulateStep {
        func int(_ n: SpecNode, _ key: String) throws(CapacityError) -> Int? {
            guard let x = try n.number(key, unit: "a whole count") else { return nil }
            guard x == x.rounded() else { throw n.error(key, "expected a whole number, got \(x)") }
            return Int(x)
        }
        func flag(_ n: SpecNode, _ key: String) throws(CapacityError) -> Bool? {
            guard let t = try n.string(key) else { return nil }
            guard t == "true" || t == "false" else { throw n.error(key, "expected true or false, got \(t)") }
            return t == "true"
        }
        let scenario = try v.string("scenario").map(resolve)
        let input = try int(v, "inputTokens"), output = try int(v, "outputTokens")
        var plans: [EmulatePlan] = []
        for item in try v.list("plans") {
            let n = try SpecNode(item.node, file: v.file, path: item.path,
                                 allowed: ["name", "model", "cluster", "scenario", "precision", "tp", "pp", "dp", "ep", "batch",
                                           "levels", "inputTokens", "outputTokens", "prefill"])
            var precision: Precision? = nil
            if let t = try n.string("precision") {
                do { precision = try Precision(spec: t) } catch { throw n.error("precision", "\(error)") }
            }
            guard let sc = try n.string("scenario").map(resolve) ?? scenario else {
                throw n.error("scenario", "missing; give it here or on the step")
            }
            var levels: [String: Int] = [:]
            if let l = try n.child("levels", allowed: ["chiplet", "package", "node", "board", "rack", "cluster"]) {
                for key in l.mapping.keys.sorted() { levels[key] = try int(l, key) }
            }
            let strategy = Strategy(tp: try int(n, "tp") ?? 1, pp: try int(n, "pp") ?? 1, dp: try int(n, "dp") ?? 1,
                                    ep: try int(n, "ep") ?? 1)
            // A disaggregated plan: the prefill pool's { tp, pp } (one replica, batch 1).
            let prefill = try n.child("prefill", allowed: ["tp", "pp"]).map { pn throws(CapacityError) in
                Strategy(tp: try int(pn, "tp") ?? 1, pp: try int(pn, "pp") ?? 1, dp: 1, ep: 1)
            }
            plans.append(EmulatePlan(name: try n.requiredString("name"), model: resolve(try n.requiredString("model")),
                                     cluster: resolve(try n.requiredString("cluster")), scenario: sc, precision: precision,
                                     strategy: strategy, batch: try int(n, "batch") ?? 1, levels: levels,
                                     inputTokens: try int(n, "inputTokens") ?? input, outputTokens: try int(n, "outputTokens") ?? output,
                                     prefill: prefill))
        }
        if plans.isEmpty { throw v.error("plans", "missing; expected a list of { name, model, cluster, tp, pp, ep, batch }") }
        if Set(plans.map(\.name)).count != plans.count { throw v.error("plans", "plan names must differ (each names a plan file)") }
        var variants: [EmulateVariant] = []
        for item in try v.list("variants") {
            let n = try SpecNode(item.node, file: v.file, path: item.path, allowed: ["name", "wait", "bind", "doorbells", "maxRanks"])
            let wait = try n.string("wait") ?? "auto"
            guard ["auto", "spin", "cooperative", "blocking"].contains(wait) else {
                throw n.error("wait", "expected auto, spin, cooperative or blocking, got \(wait)")
            }
            variants.append(EmulateVariant(name: try n.requiredString("name"), wait: wait, bind: try flag(n, "bind") ?? true,
                                           doorbells: try flag(n, "doorbells") ?? true, maxRanks: try int(n, "maxRanks")))
        }
        let requests = try int(v, "requests"), rate = try v.number("rate", unit: "requests per second")
        if (requests == nil) != (rate == nil) { throw v.error("requests", "requests and rate go together") }
        return EmulateStep(table: try v.requiredString("table"), plans: plans,
                           variants: variants.isEmpty ? [EmulateVariant(name: "default")] : variants,
                           decodeSteps: try int(v, "decodeSteps"), requests: requests, ratePerS: rate,
                           seed: try int(v, "seed") ?? 1, timeoutSeconds: try v.number("timeoutSeconds", unit: "seconds") ?? 120)
    }

    static let keys = ["table", "scenario", "inputTokens", "outputTokens", "decodeSteps", "requests", "rate", "seed",
                       "timeoutSeconds", "plans", "variants"]
}
