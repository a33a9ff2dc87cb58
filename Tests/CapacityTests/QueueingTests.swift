import Capacity
import Foundation
import Testing

/// The queueing model against figures worked by hand.
struct QueueingTests {
    @Test func erlangCMatchesTheTextbook() {
        // M/M/2 at a = 1 (ρ = 0.5): B₁ = 1/2, B₂ = 1·(1/2)/(2 + 1/2) = 1/5, C = (1/5)/(1 − 0.5·4/5) = 1/3.
        #expect(abs(Queueing.probabilityOfWaiting(servers: 2, utilisation: 0.5) - 1.0 / 3) < 1e-12)
        // One server: the probability of waiting is ρ.
        #expect(abs(Queueing.probabilityOfWaiting(servers: 1, utilisation: 0.7) - 0.7) < 1e-12)
        #expect(Queueing.probabilityOfWaiting(servers: 64, utilisation: 0) == 0)
    }

    @Test func oneServerIsPollaczekKhinchineAndKingman() {
        // M/M/1 (cs² = 1) at ρ = 0.5, S = 1 s: W̄ = ρS/(1 − ρ) = 1 s.
        #expect(abs(Queueing.meanWaitS(serviceS: 1, cs2: 1, utilisation: 0.5) - 1) < 1e-12)
        // M/D/1 at ρ = 0.5, S = 1 s: W̄ = ρS/(2(1 − ρ)) = 0.5 s; p99 = S/(2(1 − ρ))·ln(ρ/0.01) = ln 50.
        #expect(abs(Queueing.meanWaitS(serviceS: 1, utilisation: 0.5) - 0.5) < 1e-12)
        #expect(abs(Queueing.waitQuantileS(serviceS: 1, utilisation: 0.5, quantile: 0.99) - log(50)) < 1e-12)
        // Half the requests find it idle at ρ = 0.5, so the median wait is 0.
        #expect(Queueing.waitQuantileS(serviceS: 1, utilisation: 0.5, quantile: 0.5) == 0)
        #expect(Queueing.waitQuantileS(serviceS: 1, utilisation: 1, quantile: 0.99) == .infinity)
    }

    @Test func manySlotsWaitLessAtTheSameLoad() {
        // 2 slots of 2 s at ρ = 0.5: C = 1/3, W₀ = 2/(2·2·0.5) = 1 s, p99 = ln(100/3).
        #expect(abs(Queueing.waitQuantileS(serviceS: 2, servers: 2, utilisation: 0.5, quantile: 0.99) - log(100.0 / 3)) < 1e-12)
        #expect(Queueing.waitQuantileS(serviceS: 64, servers: 64, utilisation: 0.6, quantile: 0.99) == 0)
    }

    @Test func maxUtilisationInvertsTheQuantile() {
        let rho = Queueing.maxUtilisation(serviceS: 1, budgetS: log(50), quantile: 0.99)
        #expect(abs(rho - 0.5) < 1e-9)
        #expect(Queueing.maxUtilisation(serviceS: 1, budgetS: -0.1, quantile: 0.99) == 0)
        #expect(Queueing.maxUtilisation(serviceS: 1, budgetS: 0, quantile: 0.99) <= 0.01 + 1e-9)
    }
}
