import Foundation

/// Waiting for a free slot of a replica, as an M/G/c queue: Poisson arrivals, c slots (the
/// strategy's batch: a replica runs that many requests at once), each held for the planner's
/// service time T per request, and service-time variability cs² (0 for one request shape: M/D/c).
///
/// Probability of waiting, Erlang C: C(c, a) with offered load a = cρ, from Erlang B by the
/// stable recursion B₀ = 1, Bₖ = a·Bₖ₋₁ / (k + a·Bₖ₋₁), then C = B / (1 − ρ(1 − B)).
/// Mean wait, Allen–Cunneen (Allen 1990, "Probability, Statistics and Queueing Theory", §6):
/// W̄ = C · T / (c(1 − ρ)) · (1 + cs²)/2, exact for M/M/c and the Pollaczek–Khinchine mean at c = 1.
/// Tail, the matching exponential (Kingman's heavy-traffic form at c = 1): P(W > t) ≈ C·exp(−t / W₀)
/// with W₀ = T(1 + cs²) / (2c(1 − ρ)). So the q-quantile of the wait is W₀·ln(C / (1 − q)) when
/// C > 1 − q, and 0 otherwise.
public enum Queueing {
    /// Erlang C: the probability an arrival waits, with c servers at utilisation ρ.
    public static func probabilityOfWaiting(servers c: Int, utilisation rho: Double) -> Double {
        guard rho > 0 else { return 0 }
        guard rho < 1 else { return 1 }
        let a = Double(c) * rho
        var b = 1.0
        for k in 1...max(1, c) { b = a * b / (Double(k) + a * b) }
        return b / (1 - rho * (1 - b))
    }

    /// The q-quantile of the wait in seconds (q = 0.99 for p99); infinite at ρ ≥ 1.
    public static func waitQuantileS(serviceS: Double, servers c: Int = 1, cs2: Double = 0,
                                     utilisation rho: Double, quantile q: Double) -> Double {
        guard rho > 0 else { return 0 }
        guard rho < 1 else { return .infinity }
        let wait = probabilityOfWaiting(servers: c, utilisation: rho)
        guard wait > 1 - q else { return 0 }
        return serviceS * (1 + cs2) / (2 * Double(max(1, c)) * (1 - rho)) * log(wait / (1 - q))
    }

    /// The Allen–Cunneen mean wait in seconds.
    public static func meanWaitS(serviceS: Double, servers c: Int = 1, cs2: Double = 0, utilisation rho: Double) -> Double {
        guard rho < 1 else { return .infinity }
        return probabilityOfWaiting(servers: c, utilisation: rho) * serviceS * (1 + cs2) / (2 * Double(max(1, c)) * (1 - rho))
    }

    /// The highest utilisation at which the q-quantile wait stays within `budgetS` (bisection; the
    /// wait grows with ρ). 0 when there is no budget at all, just under 1 when the budget is loose.
    public static func maxUtilisation(serviceS: Double, servers c: Int = 1, cs2: Double = 0,
                                      budgetS: Double, quantile q: Double) -> Double {
        guard budgetS >= 0 else { return 0 }
        var lo = 0.0, hi = 1.0
        for _ in 0..<50 {
            let mid = (lo + hi) / 2
            if waitQuantileS(serviceS: serviceS, servers: c, cs2: cs2, utilisation: mid, quantile: q) <= budgetS { lo = mid } else { hi = mid }
        }
        return lo
    }
}
