import ClusterSpec
import Foundation
import ModelGraph

/// One published or measured figure to predict: the model, machine, software, strategy, request
/// shape and load, and what was measured. Read from a CSV (see Experiments/calibration/README.md).
public struct Measurement: Sendable, Equatable {
    public enum Metric: String, Sendable, CaseIterable {
        /// Output tokens per second of the whole group of chips.
        case tokensPerSecond
        case ttftMs
        case tpotMs
        /// Decode speed one request sees (1000 / TPOT).
        case tokensPerSecondPerUser
    }

    /// Rows a fit may use, and rows kept out of it to show the error out of sample.
    public enum Split: String, Sendable, CaseIterable { case fit, holdout }

    public var id: String
    public var model: String
    public var cluster: String
    /// A software profile name or file; empty: the cluster's own.
    public var software: String
    public var tp: Int, ep: Int, pp: Int
    public var inputTokens: Int, outputTokens: Int
    /// Sequences per batch (static), or the scheduler's cap (continuous); nil: continuous at
    /// full load, capped only by the software profile and memory.
    public var batch: Int?
    public var mode: BatchingMode
    public var precision: Precision
    public var metric: Metric
    public var measured: Double
    public var split: Split
    public var source: String

    static let columns = ["id", "model", "cluster", "software", "tp", "ep", "pp", "input", "output", "batch", "mode",
                          "weights", "activations", "kv", "metric", "measured", "split", "source"]

    /// Reads a measurement CSV: a header naming `columns` (in any order), `#` comment lines, and
    /// plain comma-separated fields (no quoting; `source` may not contain commas).
    public static func load(path: String) throws -> [Measurement] {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 16 << 20,
              let text = String(data: data, encoding: .utf8) else {
            throw CalibrationError.file(path, "cannot read it as UTF-8 text of at most 16 MiB")
        }
        return try parse(csv: text, file: path)
    }

    /// `s` without white space at either end. Foundation's `trimmingCharacters` goes through
    /// NSString, which was a fifth of the time of a `bench fuzz` case.
    static func trimmed(_ s: Substring) -> Substring {
        guard let first = s.firstIndex(where: { !$0.isWhitespace }), let last = s.lastIndex(where: { !$0.isWhitespace }) else {
            return s[s.endIndex...]
        }
        return s[first...last]
    }

    public static func parse(csv text: String, file: String) throws -> [Measurement] {
        var header: [String: Int]? = nil
        var rows: [Measurement] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = Self.trimmed(raw)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { String(Self.trimmed($0)) }
            guard let columns = header else {
                let missing = Self.columns.filter { !fields.contains($0) }
                guard missing.isEmpty else {
                    throw CalibrationError.line(file, index + 1, "header is missing \(missing.joined(separator: ", "))")
                }
                header = Dictionary(fields.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
                continue
            }
            guard fields.count == columns.count else {
                throw CalibrationError.line(file, index + 1, "expected \(columns.count) fields, got \(fields.count)")
            }
            guard rows.count < 100_000 else { throw CalibrationError.line(file, index + 1, "more than 100,000 rows") }
            let row = Row(fields: fields, columns: columns, file: file, line: index + 1)
            rows.append(try Measurement(row))
        }
        guard header != nil else { throw CalibrationError.file(file, "no header line") }
        return rows
    }

    init(_ r: Row) throws {
        id = try r.text("id")
        model = try r.text("model")
        cluster = try r.text("cluster")
        software = r["software"]
        tp = try r.count("tp"); ep = try r.count("ep"); pp = try r.count("pp")
        inputTokens = try r.count("input"); outputTokens = try r.count("output")
        batch = r["batch"] == "max" ? nil : try r.count("batch")
        mode = try r.choice("mode", BatchingMode.self)
        precision = Precision(weights: try r.choice("weights", DType.self), activations: try r.choice("activations", DType.self),
                              kvCache: try r.choice("kv", DType.self))
        metric = try r.choice("metric", Metric.self)
        guard let value = Double(r["measured"]), value.isFinite, value > 0, value < 1e15 else {
            throw r.wrong("measured", "a positive number")
        }
        measured = value
        split = try r.choice("split", Split.self)
        source = r["source"]
        if batch == nil && mode != .continuous { throw r.wrong("batch", "a batch size (`max` is for continuous batching)") }
    }

    /// One CSV line by column name, with the errors that name file, line and column.
    struct Row {
        let fields: [String], columns: [String: Int], file: String, line: Int
        subscript(_ column: String) -> String { columns[column].map { fields[$0] } ?? "" }
        func wrong(_ column: String, _ expected: String) -> CalibrationError {
            .line(file, line, "\(column): expected \(expected), got \"\(self[column])\"")
        }
        func text(_ column: String) throws -> String {
            guard !self[column].isEmpty else { throw wrong(column, "text") }
            return self[column]
        }
        func count(_ column: String) throws -> Int {
            guard let n = Int(self[column]), n >= 1, n <= PlanError.maxCount else {
                throw wrong(column, "a whole number from 1 to \(PlanError.maxCount)")
            }
            return n
        }
        func choice<T: RawRepresentable & CaseIterable>(_ column: String, _: T.Type) throws -> T where T.RawValue == String {
            guard let v = T(rawValue: self[column]) else {
                throw wrong(column, "one of " + T.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return v
        }
    }
}

/// Bad measurement files and fits that cannot run.
public enum CalibrationError: Error, CustomStringConvertible, Equatable {
    case file(String, String)
    case line(String, Int, String)
    case row(String, String)

    public var description: String {
        switch self {
        case let .file(f, why): "\(f): \(why)"
        case let .line(f, n, why): "\(f):\(n): \(why)"
        case let .row(id, why): "row \(id): \(why)"
        }
    }
}

/// A CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break.
public func csvQuoted(_ s: String) -> String {
    guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
    return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
