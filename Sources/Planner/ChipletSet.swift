import Foundation

/// A bad `--available` or `--channels` set, or one in a plan file: names where it came from.
public struct ChipletSetError: Error, CustomStringConvertible, Equatable {
    public var description: String
}

/// A set of ids below `count` (chiplets, or memory channels), as a user writes it:
/// `all`, `none`, ranges and single ids (`0-511,600-700`), everything but some
/// (`all-except:3,17` or `all-except:0-7`), or a file (`@free.txt`, or a path to an existing
/// file) with one id or range per line and `#` comments.
public struct ChipletSet: Sendable, Equatable {
    public private(set) var contains: [Bool]

    public var count: Int { contains.lazy.filter { $0 }.count }

    public init(all count: Int) { contains = [Bool](repeating: true, count: max(0, count)) }

    init(none count: Int) { contains = [Bool](repeating: false, count: max(0, count)) }

    /// The set of these ids (those from 0 to `count` − 1).
    public init(ids: [Int], count: Int) {
        self.init(none: count)
        for id in ids where (0..<count).contains(id) { contains[id] = true }
    }

    /// Parses `spec` (never a file: what a plan carries). `what` names the source in errors.
    public static func parse(_ spec: String, count: Int, what: String) throws(ChipletSetError) -> ChipletSet {
        let text = spec.trimmingCharacters(in: .whitespaces)
        if text == "all" { return ChipletSet(all: count) }
        var set = ChipletSet(none: count)
        if text == "none" { return set }
        let except = text.hasPrefix("all-except:")
        let list = except ? String(text.dropFirst("all-except:".count)) : text
        var covered = 0
        for item in list.split(separator: ",", omittingEmptySubsequences: false) {
            let range = try ChipletSet.range(String(item).trimmingCharacters(in: .whitespaces), count: count, what: what)
            try set.insert(range, covered: &covered, what: what)
        }
        if except { set.contains = set.contains.map { !$0 } }
        return set
    }

    /// Reads a file when `spec` names one (`@path`, or an existing file), else parses it.
    public static func load(_ spec: String, count: Int, what: String) throws(ChipletSetError) -> ChipletSet {
        let path = spec.hasPrefix("@") ? String(spec.dropFirst()) : spec
        var isDirectory: ObjCBool = false
        guard spec.hasPrefix("@") || (FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue)
        else { return try parse(spec, count: count, what: what) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
        guard size <= 1 << 28, let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8) else {
            throw ChipletSetError(description: "\(what): cannot read \(path) as a text file of ids (at most 256 MiB)")
        }
        var set = ChipletSet(none: count), covered = 0
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let item = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let trimmed = item.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            let range = try ChipletSet.range(trimmed, count: count, what: "\(what): \(path) line \(n + 1)")
            try set.insert(range, covered: &covered, what: "\(what): \(path)")
        }
        return set
    }

    /// Marks `range`. The ids all ranges name together are bounded (a few times the set's size),
    /// so overlapping ranges repeated in a hostile file cannot make unbounded work.
    mutating func insert(_ range: ClosedRange<Int>, covered: inout Int, what: String) throws(ChipletSetError) {
        covered += range.count
        guard covered <= 4 * contains.count + 1024 else {
            throw ChipletSetError(description: "\(what): the ranges name more than \(4 * contains.count + 1024) ids together; list each id once")
        }
        for i in range { contains[i] = true }
    }

    /// `7` or `3-9`, checked against `count` before any work.
    static func range(_ item: String, count: Int, what: String) throws(ChipletSetError) -> ClosedRange<Int> {
        let ends = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let low = Int(ends[0]), let high = ends.count == 2 ? Int(ends[1]) : low, low >= 0 else {
            throw ChipletSetError(description: "\(what): expected an id or a range like 0-511, got \"\(item)\"")
        }
        guard low <= high else { throw ChipletSetError(description: "\(what): range \(item) runs backwards") }
        guard high < count else {
            throw ChipletSetError(description: "\(what): \(high) is out of range; ids run from 0 to \(count - 1)")
        }
        return low...high
    }

    /// The canonical text: `none`, or ranges in order (`0-511,600-1151`).
    public var text: String {
        var parts: [String] = [], i = 0
        while i < contains.count {
            guard contains[i] else { i += 1; continue }
            var j = i
            while j + 1 < contains.count && contains[j + 1] { j += 1 }
            parts.append(i == j ? "\(i)" : "\(i)-\(j)")
            i = j + 1
        }
        return parts.isEmpty ? "none" : parts.joined(separator: ",")
    }
}
