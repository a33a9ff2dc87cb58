/// The machine-readable lines bench workers print and their launchers parse: a word, then
/// `key=value` pairs separated by spaces (`BENCH ranks=2 policy=spin …`).
enum KeyValueLine {
    /// The pairs of `line` when it starts with `word` and a space; nil otherwise.
    static func fields(_ line: Substring, word: String) -> [Substring: Substring]? {
        guard line.hasPrefix(word + " ") else { return nil }
        var fields: [Substring: Substring] = [:]
        for pair in line.dropFirst(word.count + 1).split(separator: " ") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[parts[0]] = parts[1] }
        }
        return fields
    }
}
