/// What went wrong loading a topology or binding to it, naming the input and the failing step.
public enum TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// hwloc rejected a synthetic description such as `"pack:2 numa:2 core:8 pu:2"`.
    case invalidSynthetic(description: String, reason: String)
    /// An XML file could not be read or parsed as an hwloc topology.
    case invalidXML(path: String, reason: String)
    /// hwloc failed to set up or load a topology from `source`.
    case loadFailed(source: String, call: String, reason: String)
    /// Binding needs the topology of this very machine; `source` is a synthetic or XML one.
    case notThisSystem(source: String)
    /// The PUs asked for are not among this host's PUs (by OS index).
    case unknownPUs([Int], available: [Int])
    /// The operating system refused a binding call.
    case bindingFailed(call: String, pus: [Int], reason: String)

    public var description: String {
        switch self {
        case .invalidSynthetic(let text, let reason):
            "synthetic topology \"\(text)\": \(reason) (expected e.g. \"pack:2 numa:2 core:8 pu:2\")"
        case .invalidXML(let path, let reason):
            "\(path): not a readable hwloc XML topology: \(reason) (write one with `lstopo --of xml`)"
        case .loadFailed(let source, let call, let reason):
            "topology \(source): \(call) failed: \(reason)"
        case .notThisSystem(let source):
            "topology \(source) is not this host's, so binding to it is not possible; load the host topology"
        case .unknownPUs(let pus, let available):
            "PUs \(pus) are not on this host (available: \(available))"
        case .bindingFailed(let call, let pus, let reason):
            "\(call) for PUs \(pus) failed: \(reason)"
        }
    }
}
