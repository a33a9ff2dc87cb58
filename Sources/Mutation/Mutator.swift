import Foundation

/// xorshift64*: deterministic and the same on every host.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(state: UInt64) { self.state = state | 1 }
    public mutating func next() -> UInt64 {
        state ^= state >> 12; state ^= state << 25; state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}

/// Text mutations of a shipped input file, as an attacker or a careless script would make them
/// (issue 15): numbers flipped to 0, −1, huge, tiny or NaN, lines deleted or duplicated, tokens cut.
/// Every case has its own generator, derived from the run's seed and the case number, so any one
/// case of a run replays alone.
public enum Mutator {
    public static let replacements = [
        "0", "-1", "1e300", "1e-300", "9223372036854775807", "-9223372036854775808", "4294967296",
        "8.2e12", "1000000000", "NaN", ".nan", "-0", "2.5", "\"x\"", "[]", "{}", "null", "true",
    ]

    /// Case `n` of the run seeded `seed`: one to three mutations of `text`.
    public static func mutated(_ text: String, seed: UInt64, case n: Int) -> String {
        // splitmix-style mixing, so neighbouring cases and seeds start far apart.
        var rng = SeededGenerator(state: (seed &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(truncatingIfNeeded: n) &* 0xBF58_476D_1CE4_E5B9))
        var out = text
        for _ in 0..<Int.random(in: 1...3, using: &rng) { out = mutate(out, &rng) }
        return out
    }

    /// One text mutation: a number token replaced, a line deleted or duplicated, or a line cut.
    public static func mutate(_ text: String, _ rng: inout SeededGenerator) -> String {
        // Split on the byte: Foundation's `components(separatedBy:)` gives the same lines but was a
        // fifth of a fuzz case's time.
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(Substring($0)) }
        guard !lines.isEmpty else { return text }
        let i = Int.random(in: 0..<lines.count, using: &rng)
        switch Int.random(in: 0..<10, using: &rng) {
        case 0: lines.remove(at: i)
        case 1: lines.insert(lines[i], at: i)
        default:
            let line = lines[i]
            if let r = numberRanges(line).randomElement(using: &rng), let new = replacements.randomElement(using: &rng) {
                lines[i] = line.replacingCharacters(in: r, with: new)
            } else if !line.isEmpty {
                lines[i] = String(line.prefix(Int.random(in: 0..<line.count, using: &rng)))
            }
        }
        return lines.joined(separator: "\n")
    }

    static func numberRanges(_ line: String) -> [Range<String.Index>] {
        var out: [Range<String.Index>] = []
        var i = line.startIndex
        while i < line.endIndex {
            if line[i].isNumber || (line[i] == "-" && line.index(after: i) < line.endIndex && line[line.index(after: i)].isNumber) {
                var j = line.index(after: i)
                while j < line.endIndex, line[j].isNumber || ".eE+-".contains(line[j]) { j = line.index(after: j) }
                out.append(i..<j)
                i = j
            } else {
                i = line.index(after: i)
            }
        }
        return out
    }
}

/// One shipped input a run mutates, and where each mutation of it is written for the loader.
public struct MutationSeed: Sendable {
    public var text: String
    public var casePath: String
    public init(text: String, casePath: String) { self.text = text; self.casePath = casePath }
}

/// What a run of mutated cases came to. A trap is not counted here: it ends the process, which is
/// the failure signal (`tessera bench fuzz` runs each batch in a child process to count them).
public struct MutationTally: Sendable {
    /// Inputs the loader accepted with sane figures.
    public var accepted = 0
    public var refused = 0
    /// Refusals whose message is more than one line (a clear error is one line); the first few kept.
    public var multiLine = 0
    public var multiLineExamples: [String] = []
    /// Accepted inputs with a NaN, infinite or negative figure (`Figures.firstImpossible`).
    public var impossible = 0
    public init() {}
}

extension Mutator {
    /// Runs `load` on cases `cases` of the run seeded `seed`; case n mutates `seeds[n % seeds.count]`.
    /// `before(n, text, tally)` runs once the case's file is written and before it is loaded, with
    /// the tally so far (to record which case is running, so a crash can be counted and replayed).
    /// `impossible(n, figure)` runs for an accepted case whose figures include a NaN, an infinity
    /// or a negative value, while its file is still there.
    public static func run(_ seeds: [MutationSeed], seed: UInt64, cases: Range<Int>,
                           before: (Int, String, MutationTally) throws -> Void = { _, _, _ in },
                           impossible: (Int, String) throws -> Void = { _, _ in },
                           load: (String) throws -> Figures) throws -> MutationTally {
        var tally = MutationTally()
        guard !seeds.isEmpty else { return tally }
        for n in cases {
            let input = seeds[n % seeds.count]
            let text = mutated(input.text, seed: seed, case: n)
            try writePlain(text, to: input.casePath)
            try before(n, text, tally)
            let figures: Figures
            do {
                figures = try load(input.casePath)
            } catch {
                tally.refused += 1
                let message = "\(error)"
                if message.contains("\n") {
                    tally.multiLine += 1
                    if tally.multiLineExamples.count < 3 { tally.multiLineExamples.append("case \(n): \(message)") }
                }
                continue
            }
            if let bad = figures.firstImpossible {
                tally.impossible += 1
                try impossible(n, bad)
            } else {
                tally.accepted += 1
            }
        }
        return tally
    }

    /// `run` for a loader with no figures to check.
    public static func run(_ seeds: [MutationSeed], seed: UInt64, cases: Range<Int>,
                           before: (Int, String, MutationTally) throws -> Void = { _, _, _ in },
                           load: (String) throws -> Void) throws -> MutationTally {
        try run(seeds, seed: seed, cases: cases, before: before) { path in try load(path); return Figures() }
    }

    /// Writes `text` over `path` with plain POSIX calls. Foundation's `Data.write` syncs the file to
    /// disk, which took most of a case's time (65 ms per hwloc case on a busy disk); a case file
    /// only has to outlive the process, which the page cache ensures.
    public static func writePlain(_ text: String, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw MutationFileError(path: path, errno: errno) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            guard n > 0 else { throw MutationFileError(path: path, errno: errno) }
            done += n
        }
    }
}

/// A case file that could not be written.
public struct MutationFileError: Error, CustomStringConvertible {
    public var path: String
    public var errno: Int32
    public var description: String { "\(path): cannot write a case file (errno \(errno))" }
}
