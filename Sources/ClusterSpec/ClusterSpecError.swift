/// A cluster file that cannot be used: names the file, the key path inside it and what was expected.
///
/// Printed as `Clusters/x.yaml: levels[0].link.bandwidthGBps: expected a positive number of GB/s, got 0`.
public struct ClusterSpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as it was given (or the spec's name for specs built in code).
    public var file: String
    /// Where in the file, e.g. `levels[1].link.bandwidthGBps`; empty when the whole file is meant.
    public var keyPath: String
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, keyPath: String, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.message = message
    }

    public var description: String {
        keyPath.isEmpty ? "\(file): \(message)" : "\(file): \(keyPath): \(message)"
    }
}
