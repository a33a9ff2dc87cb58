/// An MPI call that returned something other than `MPI_SUCCESS`, with the call's name, the return
/// code, its error class and MPI's own error string.
public struct MPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C function that failed, such as `"MPI_Send"`.
    public let call: String
    /// The return code of the call.
    public let code: Int32
    /// The error class of `code` (`MPI_ERR_RANK`, `MPI_ERR_COUNT`, …).
    public let errorClass: Int32
    /// MPI's text for `code`; with MPICH this is a short headline followed by an error stack.
    public let message: String

    public init(call: String, code: Int32, errorClass: Int32, message: String) {
        self.call = call
        self.code = code
        self.errorClass = errorClass
        self.message = message
    }

    /// One line: the call, MPI's headline and the innermost reason of the error stack.
    public var description: String {
        let lines = message.split(separator: "\n").map(String.init)
        let headline = lines.first.map { $0.replacingSuffix(", error stack:") } ?? "error \(code)"
        guard lines.count > 1, let last = lines.last else { return "\(call): \(headline)" }
        let reason = last.split(separator: ":", maxSplits: 1).last.map { $0.trimmingSpaces() } ?? last
        return "\(call): \(headline) (\(reason))"
    }
}

extension String {
    fileprivate func replacingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop(while: { $0 == " " }))
    }
}
