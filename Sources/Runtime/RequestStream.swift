import Foundation

/// One request of a stream: when it arrives (virtual seconds from the start) and its lengths.
public struct ServingRequest: Sendable, Equatable {
    public var id: Int
    public var arrivalS: Double
    public var inputTokens: Int
    public var outputTokens: Int
}

/// A request trace that cannot be read: names the file, the line and the column.
public struct RequestTraceError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int
    public var message: String
    public var description: String { "\(file):\(line): \(message)" }
}

/// Request streams for the emulator's scheduler: Poisson arrivals (seeded) or a trace file.
public enum RequestStream {
    /// Largest token count a request may ask for (as the planner's scenarios).
    public static let maxTokens = 100_000_000

    /// `count` requests of fixed lengths arriving as a Poisson process of `ratePerS` (exponential
    /// gaps, inverse-transform sampled from a SplitMix64 stream seeded with `seed`).
    public static func poisson(count: Int, ratePerS: Double, inputTokens: Int, outputTokens: Int, seed: UInt64) -> [ServingRequest] {
        var rng = SplitMix64(seed: seed), t = 0.0
        return (0..<max(count, 0)).map { i in
            t += -log1p(-rng.unit()) / ratePerS
            return ServingRequest(id: i, arrivalS: t, inputTokens: inputTokens, outputTokens: outputTokens)
        }
    }

    /// Reads `arrival_s,input_tokens,output_tokens` rows (that header first; blank lines and
    /// lines starting with `#` skipped). Requests come back in arrival order, ties in file order.
    public static func load(csv text: String, file: String) throws(RequestTraceError) -> [ServingRequest] {
        var requests: [ServingRequest] = [], header = false
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if !header {
                guard fields == ["arrival_s", "input_tokens", "output_tokens"] else {
                    throw RequestTraceError(file: file, line: n + 1,
                                            message: "expected the header arrival_s,input_tokens,output_tokens, got \(line)")
                }
                header = true
                continue
            }
            guard fields.count == 3 else {
                throw RequestTraceError(file: file, line: n + 1, message: "expected 3 columns, got \(fields.count)")
            }
            guard let arrival = Double(fields[0]), arrival.isFinite, arrival >= 0, arrival <= 1e9 else {
                throw RequestTraceError(file: file, line: n + 1,
                                        message: "arrival_s: expected seconds from 0 to 1e9, got \(fields[0])")
            }
            var tokens: [Int] = []
            for (key, text) in [("input_tokens", fields[1]), ("output_tokens", fields[2])] {
                guard let v = Int(text), (1...maxTokens).contains(v) else {
                    throw RequestTraceError(file: file, line: n + 1,
                                            message: "\(key): expected a whole number from 1 to \(maxTokens), got \(text)")
                }
                tokens.append(v)
            }
            requests.append(ServingRequest(id: requests.count, arrivalS: arrival, inputTokens: tokens[0], outputTokens: tokens[1]))
        }
        guard header else { throw RequestTraceError(file: file, line: 1, message: "empty: expected a header and requests") }
        return requests.enumerated().sorted { ($0.element.arrivalS, $0.offset) < ($1.element.arrivalS, $1.offset) }
            .enumerated().map { i, r in var q = r.element; q.id = i; return q }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small seeded generator, the same on every host.
public struct SplitMix64 {
    var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1), 53 bits.
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
