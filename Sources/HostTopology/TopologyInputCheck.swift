import Foundation

/// Checks on topology inputs before libhwloc sees them: a malformed XML file can make libhwloc
/// segfault, and a synthetic string of 1e8 PUs makes it hang. Refusals name the figure and the limit.
extension Topology {
    /// The default PU limit of a synthetic topology: 2^16, some 16 times the largest hosts built.
    public static let defaultMaxPUs = 1 << 16
}

enum TopologyInputCheck {
    /// Largest XML file read: 64 MiB (an `lstopo --of xml` of a 1,000-core host is under 2 MiB).
    static let largestXMLBytes = 64 << 20
    /// Most objects in a topology: 2^20 (hwloc's own tools handle a million objects in seconds).
    static let mostObjects = 1 << 20
    /// Deepest nesting of XML elements: 256 (a real topology nests about 12 deep).
    static let deepestNesting = 256

    /// The PUs a synthetic description implies (the product of its `kind:count` levels), refused past
    /// `maxPUs` (raised by `--max-pus`) and always past 2^20.
    static func synthetic(_ description: String, maxPUs: Int) throws(TopologyError) {
        var product = 1.0
        for token in description.split(whereSeparator: \.isWhitespace) {
            let parts = token.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let digits = parts[1].prefix { $0.isNumber }
            guard let count = Double(digits) else { continue }
            product *= count
        }
        guard product <= Double(mostObjects) else {
            throw .invalidSynthetic(description: description,
                                    reason: "it describes \(String(format: "%.0f", product)) PUs; at most \(mostObjects) (2^20) are supported")
        }
        guard product <= Double(maxPUs) else {
            throw .invalidSynthetic(description: description,
                                    reason: "it describes \(String(format: "%.0f", product)) PUs, over the limit of \(maxPUs); raise it with --max-pus (up to \(mostObjects))")
        }
    }

    /// The file is at most 64 MiB of UTF-8, its tags are well nested under one `<topology>` root,
    /// at most 256 deep, with at most 2^20 `<object>` elements.
    static func xml(_ path: String) throws(TopologyError) {
        guard access(path, R_OK) == 0 else { throw .invalidXML(path: path, reason: String(cString: strerror(errno))) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw .invalidXML(path: path, reason: "cannot read it (\(error.localizedDescription))")
        }
        guard data.count <= largestXMLBytes else {
            throw .invalidXML(path: path, reason: "\(data.count) bytes; at most \(largestXMLBytes) (64 MiB) are read")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .invalidXML(path: path, reason: "not UTF-8 text") }
        var stack: [Substring] = [], objects = 0, roots = 0
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { throw .invalidXML(path: path, reason: "a tag is not closed") }
            let tag = rest[rest.index(after: open)..<close]
            rest = rest[rest.index(after: close)...]
            if tag.hasPrefix("?") || tag.hasPrefix("!") { continue }
            let selfClosing = tag.hasSuffix("/")
            if tag.hasPrefix("/") {
                let name = tag.dropFirst().prefix { !$0.isWhitespace }
                guard stack.popLast() == name else { throw .invalidXML(path: path, reason: "</\(name)> does not close the open element") }
                continue
            }
            let name = tag.prefix { !$0.isWhitespace && $0 != "/" }
            guard !name.isEmpty else { throw .invalidXML(path: path, reason: "an element without a name") }
            guard attributesWellFormed(tag.dropFirst(name.count).dropLast(selfClosing ? 1 : 0)) else {
                throw .invalidXML(path: path, reason: "<\(name)> has an attribute that is not name=\"value\"")
            }
            if stack.isEmpty {
                roots += 1
                guard name == "topology", roots == 1 else {
                    throw .invalidXML(path: path, reason: "expected one <topology> root element, got <\(name)>")
                }
            }
            if name == "object" { objects += 1 }
            guard objects <= mostObjects else { throw .invalidXML(path: path, reason: "more than \(mostObjects) (2^20) objects") }
            if !selfClosing { stack.append(name) }
            guard stack.count <= deepestNesting else {
                throw .invalidXML(path: path, reason: "elements nest deeper than \(deepestNesting)")
            }
        }
        guard roots == 1 else { throw .invalidXML(path: path, reason: "expected a <topology> root element") }
        guard stack.isEmpty else { throw .invalidXML(path: path, reason: "<\(stack.last ?? "")> is not closed") }
    }

    /// Whether `text` is zero or more `name="value"` pairs separated by blanks, with no quote inside
    /// a value: libhwloc segfaults on `cpuset=""x"x20"` (found by `make fuzz`, hwloc-xml seed 1 case 175).
    static func attributesWellFormed(_ text: Substring) -> Bool {
        var rest = text
        while true {
            rest = rest.drop { $0.isWhitespace }
            if rest.isEmpty { return true }
            let name = rest.prefix { $0.isLetter || $0.isNumber || "_:.-".contains($0) }
            guard !name.isEmpty else { return false }
            rest = rest.dropFirst(name.count)
            guard rest.hasPrefix("=\"") else { return false }
            rest = rest.dropFirst(2)
            guard let end = rest.firstIndex(of: "\"") else { return false }
            rest = rest[rest.index(after: end)...]
            guard rest.first.map(\.isWhitespace) ?? true else { return false }
        }
    }
}
