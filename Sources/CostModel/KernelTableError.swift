/// A kernel table file that cannot be read or holds something other than a full grid of positive
/// latencies.
public struct KernelTableError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file as it was given (directory + "/" + file name).
    public var file: String
    /// 1-based line, or nil when the whole file (or a whole grid) is meant.
    public var line: Int?
    /// The column's header name, or nil when the whole line is meant.
    public var column: String?
    /// What was wrong and what was expected.
    public var message: String

    public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return column.map { "\(place): \($0): \(message)" } ?? "\(place): \(message)"
    }
}
