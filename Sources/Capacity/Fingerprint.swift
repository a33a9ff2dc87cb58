import ClusterSpec
import Foundation
import StableHash

/// What a results store was made from: one content hash per input, labelled by role and file name
/// (never by absolute path, so a moved or copied checkout resumes), plus the cost model's version.
/// Two fingerprints that differ say which inputs changed.
public struct Fingerprint: Sendable, Equatable {
    /// "label=hash" per input, sorted by label.
    public var parts: [String: String]

    public init(parts: [String: String]) { self.parts = parts }

    /// The whole fingerprint as one line of text, stored in the store's meta table.
    public var text: String { parts.keys.sorted().map { "\($0)=\(parts[$0] ?? "")" }.joined(separator: "\n") }

    public init(text: String) {
        var parts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.lastIndex(of: "=") else { continue }
            parts[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        self.parts = parts
    }

    /// Labels whose hash differs, was added or was dropped, sorted.
    public func changes(from old: Fingerprint) -> [String] {
        Set(parts.keys).union(old.parts.keys).filter { parts[$0] != old.parts[$0] }.sorted()
    }

    /// The hash of a file's bytes (an unreadable file hashes as "missing").
    static func hash(file: String) -> String {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: file)) else { return "missing" }
        return String(FNV1a.hash(data), radix: 16)
    }

    /// Regular files under `folder`, by relative path, sorted (empty when it does not exist).
    static func files(under folder: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: folder) else { return [] }
        var out: [String] = []
        while let next = walker.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + next, isDirectory: &isDir), !isDir.boolValue {
                out.append(next)
            }
        }
        return out.sorted()
    }
}

/// Bump by hand whenever a change to CostModel or Planner changes any figure a sweep stores
/// (a new cost term, a fixed formula, a new search dimension) or what a stored row holds: stores
/// made by an older model are then refused instead of being mixed with new rows. The cost model's data files (clusters,
/// software profiles, kernel tables) are covered by their content hashes.
public let costModelVersion = 3

extension CapacitySweep {
    /// Content hashes of the spec, every cluster, model and scenario file, the software profiles
    /// beside each cluster (Clusters/software/) and each chip's measured kernel tables, plus
    /// `costModelVersion`.
    public func fingerprint() -> Fingerprint {
        var parts: [String: String] = ["spec": String(FNV1a.hash(spec.yaml.utf8), radix: 16),
                                       "cost-model version": "\(costModelVersion)"]
        func add(_ label: String, _ hash: String) {
            var key = label, n = 2
            while parts[key] != nil && parts[key] != hash { key = "\(label) #\(n)"; n += 1 }
            parts[key] = hash
        }
        for file in inputFiles { add("file \(URL(fileURLWithPath: file).lastPathComponent)", Fingerprint.hash(file: file)) }
        var folders: [String] = []
        for path in clusterFiles {
            let software = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("software").path
            if !folders.contains(software) { folders.append(software) }
        }
        for layout in layouts {
            if let k = layout.cluster.chiplet.compute.kernels, !folders.contains(k) { folders.append(k) }
        }
        for folder in folders {
            let name = URL(fileURLWithPath: folder).lastPathComponent
            for file in Fingerprint.files(under: folder) {
                add("cost model \(name)/\(file)", Fingerprint.hash(file: folder + "/" + file))
            }
        }
        return Fingerprint(parts: parts)
    }
}
