internal import CMPI

/// A group of ranks that talk to each other: the world, or a part of it made by `split`.
/// Errors come back as `MPIError` (`MPI_ERRORS_RETURN` is set on every communicator).
public final class Communicator: Sendable {
    let handle: MPI_Comm
    /// This process's rank in the communicator, in `0..<size`.
    public let rank: Int
    /// The number of ranks in the communicator.
    public let size: Int
    private let owned: Bool

    init(handle: MPI_Comm, rank: Int, size: Int, owned: Bool) {
        self.handle = handle
        self.rank = rank
        self.size = size
        self.owned = owned
    }

    deinit {
        if owned && MPICall.isInitialized() && !MPICall.isFinalized() { MPICall.free(handle) }
    }

    /// Splits into sub-communicators of the ranks that passed the same `color`, ordered by `key`
    /// (then by rank). A rank passing nil joins none and gets nil.
    /// The corresponding C call is `MPI_Comm_split`.
    public func split(color: Int?, key: Int) throws(MPIError) -> Communicator? {
        guard let child = try MPICall.split(handle, color: color, key: key) else { return nil }
        return Communicator(handle: child, rank: try MPICall.rank(child), size: try MPICall.size(child),
                            owned: true)
    }

    /// Blocks until every rank has called it. The corresponding C call is `MPI_Barrier`.
    public func barrier() throws(MPIError) { try MPICall.barrier(handle) }

    /// Starts a barrier; the request completes once every rank has entered it.
    /// The corresponding C call is `MPI_Ibarrier`.
    public func ibarrier() throws(MPIError) -> Request<Void> {
        let request = Request<Void>(byteCount: 0) { _, _ in }
        try MPICall.ibarrier(handle, &request.handle)
        return request
    }

    /// Replaces `values` on every rank with root's values; every rank must pass the same count.
    /// The corresponding C call is `MPI_Bcast`.
    public func broadcast<T: MPIScalar>(_ values: inout [T], root: Int) throws(MPIError) {
        let count = values.count
        try values.withMutableBytes { (bytes) throws(MPIError) in
            try MPICall.broadcast(bytes.baseAddress, count, T.mpiDatatype, root: root, handle)
        }
    }

    /// Combines `values` element-wise across all ranks; every rank gets the result.
    /// The corresponding C call is `MPI_Allreduce`.
    public func allReduce<T: MPIScalar>(_ values: [T], _ op: ReductionOperation) throws(MPIError) -> [T] {
        var result = values
        let count = result.count
        try result.withMutableBytes { (bytes) throws(MPIError) in
            try MPICall.allReduce(bytes.baseAddress, count, T.mpiDatatype, op, handle)
        }
        return result
    }

    /// Combines one value across all ranks. The corresponding C call is `MPI_Allreduce`.
    public func allReduce<T: MPIScalar>(_ value: T, _ op: ReductionOperation) throws(MPIError) -> T {
        try allReduce([value], op)[0]
    }

    /// Starts an all-reduce; the request's value is the combined array. With a cooperative wait
    /// this is what keeps oversubscribed runs fast. The corresponding C call is `MPI_Iallreduce`.
    public func iallReduce<T: MPIScalar>(_ values: [T], _ op: ReductionOperation) throws(MPIError)
        -> Request<[T]>
    {
        let count = values.count
        let request = Request<[T]>(copying: values) { buffer, _ in Array(buffer.bindMemory(to: T.self)) }
        try MPICall.iallReduce(request.buffer.baseAddress, count, T.mpiDatatype, op, handle, &request.handle)
        return request
    }
}
