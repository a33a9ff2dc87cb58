/// The money and rack arithmetic of the report.
public enum Costs {
    static let secondsPerYear = 365.25 * 86_400
    static let hoursPerYear = 365.25 * 24

    /// (capex amortised per second + power × price) / tokens per second × 1e6, all per rack, with
    /// every rack flat out: the floor of the cost per token.
    public static func usdPerMillionTokens(capexPerRackUSD: Double, rackPowerKW: Double,
                                           tokensPerSecondPerRack: Double, costs: CostSpec) -> Double? {
        guard tokensPerSecondPerRack > 0 else { return nil }
        let capexPerS = capexPerRackUSD / (costs.amortisationYears * secondsPerYear)
        let powerPerS = rackPowerKW * costs.powerUSDPerKWh / 3600
        return (capexPerS + powerPerS) / tokensPerSecondPerRack * 1e6
    }

    /// Whole racks to carry `load` output tokens/s: load / per-rack rate, rounded up.
    public static func racksNeeded(load: Double, tokensPerSecondPerRack: Double) -> Int? {
        guard tokensPerSecondPerRack > 0, load.isFinite, load >= 0 else { return nil }
        let racks = (load / tokensPerSecondPerRack).rounded(.up)
        return racks < Double(Int.max / 2) ? Int(racks) : nil
    }

    /// Racks for `load` when the strategy is deployed in whole groups of `racksPerGroup` racks,
    /// each delivering `tokensPerSecondPerGroup`: groups rounded up, times the group's racks.
    public static func racksNeeded(load: Double, tokensPerSecondPerGroup: Double, racksPerGroup: Int) -> Int? {
        racksNeeded(load: load, tokensPerSecondPerRack: tokensPerSecondPerGroup).map { $0 * max(1, racksPerGroup) }
    }

    /// A rack's draw at a fraction of its capacity in use: the idle share always, the rest in
    /// proportion to load (a linear power model; the idle share is one of the price assumptions).
    public static func rackKWAtLoad(rackPowerKW: Double, loadFraction: Double, costs: CostSpec) -> Double {
        rackPowerKW * (costs.idlePowerFraction + (1 - costs.idlePowerFraction) * min(1, max(0, loadFraction)))
    }

    /// $ per million tokens for a deployment of `racks` serving `load` tokens/s while drawing `kW`.
    public static func usdPerMillionTokens(racks: Int, capexPerRackUSD: Double, kW: Double, load: Double,
                                           costs: CostSpec) -> Double? {
        guard load > 0 else { return nil }
        let capexPerS = Double(racks) * capexPerRackUSD / (costs.amortisationYears * secondsPerYear)
        return (capexPerS + kW * costs.powerUSDPerKWh / 3600) / load * 1e6
    }

    /// Electricity per year at a constant draw.
    public static func powerUSDPerYear(kW: Double, costs: CostSpec) -> Double { kW * hoursPerYear * costs.powerUSDPerKWh }
}
