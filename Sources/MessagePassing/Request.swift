internal import CMPI

/// A pending non-blocking operation that owns its buffer until it completes, then yields `Value`
/// (nothing for sends and barriers, the data for receives and all-reduces).
///
/// Dropping a request that is still pending releases it to MPI and leaves its buffer allocated,
/// because MPI may still write into it.
public final class Request<Value> {
    var handle: MPI_Request = MPICall.nullRequest()
    let buffer: UnsafeMutableRawBufferPointer
    private let finish: (UnsafeMutableRawBufferPointer, MPI_Status) throws(MPIError) -> Value
    private var result: Value?

    init(byteCount: Int,
         finish: @escaping (UnsafeMutableRawBufferPointer, MPI_Status) throws(MPIError) -> Value) {
        buffer = .allocate(byteCount: max(byteCount, 1), alignment: 16)
        self.finish = finish
    }

    convenience init<T: MPIScalar>(
        copying values: [T],
        finish: @escaping (UnsafeMutableRawBufferPointer, MPI_Status) throws(MPIError) -> Value
    ) {
        self.init(byteCount: values.count * MemoryLayout<T>.stride, finish: finish)
        values.withUnsafeBytes { buffer.copyMemory(from: $0) }
    }

    deinit {
        if result == nil && handle != MPICall.nullRequest() {
            if MPICall.isInitialized() && !MPICall.isFinalized() { MPICall.release(&handle) }
            return  // The buffer stays allocated: MPI may still use it.
        }
        buffer.deallocate()
    }

    /// Whether the operation has completed (and its value has been collected).
    public var isComplete: Bool { result != nil }

    /// Checks once, without blocking; returns the value if the operation has completed.
    /// The corresponding C call is `MPI_Test`.
    public func test() throws(MPIError) -> Value? {
        if let result { return result }
        guard let status = try MPICall.test(&handle) else { return nil }
        return try complete(status)
    }

    /// Cancels the operation if it is still pending. Returns nil when it was cancelled, or its
    /// value when it had completed first (a receive that matched a message in the meantime).
    /// The corresponding C calls are `MPI_Cancel`, `MPI_Wait` and `MPI_Test_cancelled`.
    public func cancel() throws(MPIError) -> Value? {
        if let result { return result }
        guard let status = try MPICall.cancel(&handle) else { return nil }
        return try complete(status)
    }

    /// Waits for completion as `policy` says and returns the value.
    /// The corresponding C call is `MPI_Test` (`.spin`, `.cooperative`) or `MPI_Wait` (`.blocking`).
    public func wait(_ policy: WaitPolicy = .cooperative) throws(MPIError) -> Value {
        if let result { return result }
        if policy == .blocking { return try complete(MPICall.wait(&handle)) }
        var backoff = Backoff()
        while true {
            if let value = try test() { return value }
            if policy == .cooperative { backoff.pause() }
        }
    }

    private func complete(_ status: MPI_Status) throws(MPIError) -> Value {
        let value = try finish(buffer, status)
        result = value
        return value
    }
}

extension Array {
    /// Waits for every request, as `policy` says, and returns their values in order.
    public func waitAll<Value>(_ policy: WaitPolicy = .cooperative) throws(MPIError) -> [Value]
        where Element == Request<Value>
    {
        if policy == .blocking { return try map { (request) throws(MPIError) in try request.wait(.blocking) } }
        var backoff = Backoff()
        while true {
            var pending = false
            for request in self where try request.test() == nil { pending = true }
            if !pending { return try map { (request) throws(MPIError) in try request.wait(.spin) } }
            if policy == .cooperative { backoff.pause() }
        }
    }
}
