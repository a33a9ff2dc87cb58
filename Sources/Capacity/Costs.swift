/// The money and rack arithmetic of the notes.
public enum Costs {
    static let secondsPerYear = 365.25 * 86_400

    /// (capex amortised per second + power × price) / tokens per second × 1e6, all per rack.
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
}
