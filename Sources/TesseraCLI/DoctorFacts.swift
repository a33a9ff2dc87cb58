import Foundation
import HostTopology
import RuntimeMPI

/// What `tessera doctor` finds out about this process: the toolchain, MPI, the host and the launcher.
struct DoctorFacts {
    var toolchain: String
    var mpiLibrary: String
    var mpirunPath: String?
    var topologySummary: String
    var pus: Int
    var binding: [Int]?

    static func gather() -> DoctorFacts {
        let host = Result { () throws(TopologyError) in try Topology.loadHost() }
        return DoctorFacts(
            toolchain: compiledWith, mpiLibrary: mpiLibrarySummary(RankCheck.mpiLibraryVersion),
            mpirunPath: RankCheck.mpirunPath,
            topologySummary: host.map(topologySummary).mapError { $0 }.description,
            pus: (try? host.get().pus) ?? 0, binding: try? host.get().currentBinding())
    }

    /// The Swift compiler that built this binary (a compile-time fact, so it holds on any machine).
    static var compiledWith: String {
        #if compiler(>=6.4)
        "Swift 6.4 or later"
        #elseif compiler(>=6.3)
        "Swift 6.3"
        #elseif compiler(>=6.2)
        "Swift 6.2"
        #elseif compiler(>=6.1)
        "Swift 6.1"
        #else
        "Swift 6.0"
        #endif
    }

    /// MPICH's version and device lines (`4.0.2, device ch4:ucx`), or the first line of another library's text.
    static func mpiLibrarySummary(_ text: String) -> String {
        func field(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix(name) }.map {
                $0.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
            }
        }
        if let version = field("MPICH Version:") {
            return "MPICH \(version)" + (field("MPICH Device:").map { ", device \($0)" } ?? "")
        }
        return text.split(separator: "\n").first.map(String.init) ?? "unknown"
    }

    static func topologySummary(_ topology: Topology) -> String {
        let parts: [(Int, String)] = [(topology.packages, "package"), (topology.numaNodes, "NUMA node"),
                                      (topology.l3Caches, "L3 cache"), (topology.cores, "core"), (topology.pus, "PU")]
        return parts.map { "\($0.0) \($0.1)\($0.0 == 1 ? "" : "s")" }.joined(separator: ", ")
    }
}

extension Result where Success == String {
    /// The text, or why there is none.
    var description: String {
        switch self {
        case .success(let text): text
        case .failure(let error): "unavailable: \(error)"
        }
    }
}

/// Writes PU lists the way `taskset` and `hwloc` do: `[0, 1, 2, 5]` is `0-2,5`.
func formatPUList(_ pus: [Int]) -> String {
    var runs: [String] = []
    var index = 0
    let sorted = pus.sorted()
    while index < sorted.count {
        var end = index
        while end + 1 < sorted.count && sorted[end + 1] == sorted[end] + 1 { end += 1 }
        runs.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
        index = end + 1
    }
    return runs.isEmpty ? "none" : runs.joined(separator: ",")
}
