import Foundation
import ModelGraph

/// The human-readable form of `tessera model`: a summary, then one op table per run of alike layers.
extension ModelReport {
    var text: String {
        var lines = ["\(name)  (\(modelType), \(file))"]
        lines.append("parameters      total \(ModelFormat.grouped(parameters.total)) (\(ModelFormat.si(Double(parameters.total))))"
            + "   active \(ModelFormat.grouped(parameters.active)) (\(ModelFormat.si(Double(parameters.active))))")
        lines.append("weight bytes    " + DType.allCases.map { "\($0.rawValue) \(ModelFormat.si(bytes[$0.rawValue] ?? 0))B" }
            .joined(separator: "  "))
        lines.append("precision       weights \(precision.weights.rawValue), activations \(precision.activations.rawValue), "
            + "KV cache \(precision.kvCache.rawValue): weights \(ModelFormat.si(weightBytes))B"
            + (fileWeights.map { " (the file declares \($0.rawValue) weights)" } ?? ""))
        lines.append("KV cache        \(ModelFormat.grouped(kvBytesPerToken)) B per token (\(precision.kvCache.rawValue)); "
            + "\(ModelFormat.si(kvBytesAtContext))B per sequence at context \(context)")
        lines.append("FLOPs per token \(ModelFormat.si(flopsPerToken))FLOP + \(ModelFormat.grouped(attentionFLOPsPerPosition.decode)) "
            + "per attended position (prefill: \(ModelFormat.grouped(attentionFLOPsPerPosition.prefill)))")
        lines.append("at context \(context)  prefill \(ModelFormat.si(prefillFLOPs))FLOP, one decode step \(ModelFormat.si(decodeFLOPs))FLOP")
        for group in layers {
            let range = group.firstLayer == group.lastLayer ? "layer \(group.firstLayer)" : "layers \(group.firstLayer)–\(group.lastLayer)"
            lines.append("")
            let window = group.attentionWindow.map { " (window \($0))" } ?? ""
            lines.append("\(range)\(group.moe ? " (MoE)" : "")\(window): \(ModelFormat.grouped(group.parametersPerLayer)) parameters, "
                + "\(ModelFormat.si(group.flopsPerTokenPerLayer))FLOP per token each")
            lines += Self.table(group.ops)
        }
        lines.append("")
        lines.append("outside the layers:")
        lines += Self.table(outsideLayers)
        return lines.joined(separator: "\n")
    }

    private static func table(_ rows: [OpRow]) -> [String] {
        let header = ["op", "kind", "in", "out", "params", "inst", "active", "FLOPs/token", "FLOPs/pos", "act B/token", "split"]
        let cells = rows.map { row in
            [row.name, row.kind, ModelFormat.grouped(row.inFeatures), ModelFormat.grouped(row.outFeatures),
             ModelFormat.grouped(row.parameters), "\(row.instances)", "\(row.activePerToken)",
             ModelFormat.grouped(row.flopsPerToken), ModelFormat.grouped(row.flopsPerContextPosition),
             ModelFormat.grouped(row.activationBytesPerToken), row.splittable.joined(separator: ",")]
        }
        return ModelFormat.aligned([header] + cells, leftColumns: [0, 1, 10]).map { "  " + $0 }
    }
}

/// Number and column formatting for `tessera model`.
enum ModelFormat {
    /// 8030261248 → "8,030,261,248".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }

    /// Whole numbers grouped; fractions (MX dtypes) keep two decimals.
    static func grouped(_ value: Double) -> String {
        let whole = value.rounded(.towardZero)
        guard whole != value, abs(value) < 1e15 else { return grouped(Int(whole)) }
        return grouped(Int(whole)) + String(format: "%.2f", abs(value - whole)).dropFirst()
    }

    /// 8.03e9 → "8.03 G" (SI prefixes; the caller appends the unit).
    static func si(_ value: Double) -> String {
        let prefixes = ["", "k", "M", "G", "T", "P", "E"]
        var scaled = value
        var index = 0
        while abs(scaled) >= 1000 && index < prefixes.count - 1 {
            scaled /= 1000
            index += 1
        }
        return String(format: "%.2f ", scaled) + prefixes[index]
    }

    /// Pads columns to equal width: text columns left-aligned, the rest right-aligned.
    static func aligned(_ rows: [[String]], leftColumns: Set<Int>) -> [String] {
        let widths = (0..<(rows.first?.count ?? 0)).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return leftColumns.contains(column) ? cell + pad : pad + cell
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
    }
}
