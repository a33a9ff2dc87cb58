import Foundation

/// The per-rank binding `tessera hostmap -o` writes and `tessera emulate --binding` reads:
/// `rank pu,pu,…` lines; `#` starts a comment.
public enum BindingFile {
    public static let header = "# rank pus (OS indices), written by tessera hostmap"

    public static func text(_ map: HostMap) -> String {
        ([header] + map.bindingLines).joined(separator: "\n") + "\n"
    }

    /// The PUs of `rank`, or nil when the file does not mention it. Every line is checked.
    public static func pus(forRank rank: Int, in text: String, path: String) throws(EmulatorError) -> [Int]? {
        var found: [Int]?
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.isEmpty { continue }
            let pus = fields.count == 2 ? fields[1].split(separator: ",").map { Int($0) } : []
            guard let lineRank = Int(fields[0]), !pus.isEmpty, pus.allSatisfy({ ($0 ?? -1) >= 0 }) else {
                throw .bindingFile(path: path, line: number + 1, reason: "cannot read `\(line)`")
            }
            if lineRank == rank && found == nil { found = pus.compactMap { $0 } }
        }
        return found
    }
}
