import Planner

/// One tidy row: a layout × workload × length bucket × strategy. `role` says which strategy:
/// `best` (most output tokens/s per rack within the SLOs), `pareto` (on the front of tokens/s per
/// user against per rack), `none` (nothing meets the SLOs; `note` says why) or `over-budget`.
public struct ResultRow: Codable, Sendable, Equatable {
    public var point: Int
    public var layout: String
    public var chipKind: String
    public var shape: String
    public var interconnect: String
    public var rackPowerBudgetKW: Double?
    public var workload: String
    public var model: String
    public var bucket: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var share: Double
    public var role: String
    public var strategy: String
    public var tp: Int
    public var pp: Int
    public var dp: Int
    public var ep: Int
    public var batch: Int
    public var chipsUsed: Int
    public var racks: Int
    public var chipsPerRack: Int
    public var rackPowerKW: Double
    /// The planner's figures for the strategy (TTFT, TPOT, tokens/s overall, per chip, rack, kW
    /// and user, utilisation); nil when no strategy fits.
    public var metrics: Metrics?
    public var usdPerMillionTokens: Double?
    public var targetTokensPerSecond: Double
    /// Racks of this layout for the whole target load at this row's rate.
    public var racksNeeded: Int?
    /// Set when prefill runs on a pool of its own: that pool's strategy (`strategy` is then
    /// "prefill … | decode …" and tp/pp/dp/ep describe the decode pool).
    public var prefillStrategy: String? = nil
    /// "static" or "continuous": the scenario's batching.
    public var mode: String = ""
    /// The SLOs the strategy had to meet (the scenario's, or the workload's overrides).
    public var maxTTFTMs: Double? = nil
    public var maxTPOTMs: Double? = nil
    public var capexPerRackUSD: Double = 0
    /// Whole racks the strategy occupies (its chips packed), and the chips of those racks it leaves idle.
    public var racksUsed: Int = 0
    public var spareChips: Int = 0
    /// Output tokens/s over the racks the strategy occupies, counting only the chips it uses (the
    /// planner's own per-rack figure scales a partly used rack up to a full one).
    public var outputTokensPerSecondPerRackUsed: Double? = nil
    public var note: String

    public static let columns = [
        "point", "layout", "chipKind", "shape", "interconnect", "rackPowerBudgetKW", "workload", "model", "bucket",
        "inputTokens", "outputTokens", "share", "mode", "maxTTFTMs", "maxTPOTMs", "role", "strategy", "tp", "pp", "dp",
        "ep", "batch", "chipsUsed", "racks", "chipsPerRack", "racksUsed", "spareChips", "rackPowerKW", "capexPerRackUSD",
        "ttftMs", "tpotMs", "outputTokensPerSecond",
        "outputTokensPerSecondPerChip", "outputTokensPerSecondPerRack", "outputTokensPerSecondPerKW",
        "tokensPerSecondPerUser", "computeUtilisation", "bandwidthUtilisation", "usdPerMillionTokens",
        "targetTokensPerSecond", "racksNeeded", "prefillStrategy", "note",
    ]

    /// The row's fields in `columns` order, as CSV text (RFC 4180 quoting; empty for absent values).
    public var csvLine: String {
        let fields: [String] = [
            "\(point)", layout, chipKind, shape, interconnect, opt(rackPowerBudgetKW), workload, model, "\(bucket)",
            "\(inputTokens)", "\(outputTokens)", "\(share)", mode, opt(maxTTFTMs), opt(maxTPOTMs), role, strategy,
            "\(tp)", "\(pp)", "\(dp)", "\(ep)", "\(batch)", "\(chipsUsed)", "\(racks)", "\(chipsPerRack)", "\(racksUsed)",
            "\(spareChips)", "\(rackPowerKW)", "\(capexPerRackUSD)", opt(metrics?.ttftMs),
            opt(metrics?.tpotMs), opt(metrics?.outputTokensPerSecond), opt(metrics?.outputTokensPerSecondPerChip),
            opt(outputTokensPerSecondPerRackUsed), opt(metrics?.outputTokensPerSecondPerKW),
            opt(metrics?.tokensPerSecondPerUser), opt(metrics?.computeUtilisation), opt(metrics?.bandwidthUtilisation),
            opt(usdPerMillionTokens), "\(targetTokensPerSecond)",
            racksNeeded.map(String.init) ?? "", prefillStrategy ?? "", note,
        ]
        return fields.map(csvQuoted).joined(separator: ",")
    }

    private func opt(_ v: Double?) -> String { v.map { "\($0)" } ?? "" }
}
