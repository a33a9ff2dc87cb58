/// What MPI reports about a matched message: who sent it, with which tag, and how many bytes.
public struct Status: Sendable, Equatable {
    public let source: Int
    public let tag: Int
    public let byteCount: Int

    public init(source: Int, tag: Int, byteCount: Int) {
        self.source = source
        self.tag = tag
        self.byteCount = byteCount
    }

    /// The number of whole `T` values in the message.
    public func count<T: MPIScalar>(of type: T.Type) -> Int {
        byteCount / MemoryLayout<T>.stride
    }
}

/// Values received from a peer (`recv`, `irecv`), with the sender and tag (which matter for any-source receives).
public struct Received<T: MPIScalar>: Sendable, Equatable {
    public let values: [T]
    public let source: Int
    public let tag: Int
}
