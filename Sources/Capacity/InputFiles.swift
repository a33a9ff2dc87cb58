import ClusterSpec
import ModelGraph
import Synchronization

/// The clusters, models and scenarios a spec names, each read once per path. `tessera bench fuzz`
/// builds a sweep for every mutated spec, and the files those name do not change between cases;
/// re-reading them made the capacity loader three times slower than the others.
public final class InputFiles: Sendable {
    private let clusters = Mutex<[String: ClusterSpec]>([:])
    private let models = Mutex<[String: ModelGraph]>([:])
    private let scenarios = Mutex<[String: Scenario]>([:])

    public init() {}

    func cluster(_ path: String) throws -> ClusterSpec {
        try Self.read(path, clusters) { try ClusterSpec.load(path: $0) }
    }

    func model(_ path: String) throws -> ModelGraph {
        try Self.read(path, models) { try ModelGraph.load(path: $0) }
    }

    func scenario(_ path: String) throws -> Scenario {
        try Self.read(path, scenarios) { try Scenario.load(path: $0) }
    }

    /// A file read before, or read now and kept (an error is not kept: it is thrown every time).
    private static func read<T: Sendable>(_ path: String, _ cache: borrowing Mutex<[String: T]>, _ load: (String) throws -> T) throws -> T {
        if let known = cache.withLock({ $0[path] }) { return known }
        let value = try load(path)
        cache.withLock { $0[path] = value }
        return value
    }
}
