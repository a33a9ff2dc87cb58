internal import CMPI

/// Point-to-point messages. A nil `source` or `tag` on the receiving side matches any
/// (`MPI_ANY_SOURCE`, `MPI_ANY_TAG`).
extension Communicator {
    /// Sends `values` to rank `destination`. The corresponding C call is `MPI_Send`.
    public func send<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int = 0) throws(MPIError) {
        let count = values.count
        try values.withBytes { (bytes) throws(MPIError) in
            try MPICall.send(bytes.baseAddress, count, T.mpiDatatype, to: destination, tag: tag, handle)
        }
    }

    /// Sends raw bytes (`MPI_BYTE`) to rank `destination`. The corresponding C call is `MPI_Send`.
    public func send(bytes: UnsafeRawBufferPointer, to destination: Int, tag: Int = 0) throws(MPIError) {
        try MPICall.send(bytes.baseAddress, bytes.count, UInt8.mpiDatatype, to: destination, tag: tag, handle)
    }

    /// Receives up to `maxCount` values; the message holds as many as were sent.
    /// The corresponding C call is `MPI_Recv`.
    public func recv<T: MPIScalar>(_ type: T.Type, maxCount: Int, from source: Int? = nil, tag: Int? = nil)
        throws(MPIError) -> Received<T>
    {
        let request = try Request<Received<T>>(receiving: type, maxCount: maxCount, call: "MPI_Recv")
        let status = try MPICall.recv(request.buffer.baseAddress, maxCount, T.mpiDatatype, from: source,
                                      tag: tag, handle)
        return Received(values: Array(request.buffer.bindMemory(to: T.self).prefix(status.count(of: T.self))),
                       source: status.source, tag: status.tag)
    }

    /// Receives raw bytes into `bytes`; the status says how many arrived.
    /// The corresponding C call is `MPI_Recv`.
    public func recv(into bytes: UnsafeMutableRawBufferPointer, from source: Int? = nil, tag: Int? = nil)
        throws(MPIError) -> Status
    {
        try MPICall.recv(bytes.baseAddress, bytes.count, UInt8.mpiDatatype, from: source, tag: tag, handle)
    }

    /// Starts sending a copy of `values`. The corresponding C call is `MPI_Isend`.
    public func isend<T: MPIScalar>(_ values: [T], to destination: Int, tag: Int = 0) throws(MPIError)
        -> Request<Void>
    {
        let request = Request<Void>(copying: values) { _, _ in }
        try MPICall.isend(request.buffer.baseAddress, values.count, T.mpiDatatype, to: destination, tag: tag,
                          handle, &request.handle)
        return request
    }

    /// Starts receiving up to `maxCount` values; the request yields the message.
    /// The corresponding C call is `MPI_Irecv`.
    public func irecv<T: MPIScalar>(_ type: T.Type, maxCount: Int, from source: Int? = nil, tag: Int? = nil)
        throws(MPIError) -> Request<Received<T>>
    {
        let request = try Request<Received<T>>(receiving: type, maxCount: maxCount, call: "MPI_Irecv")
        try MPICall.irecv(request.buffer.baseAddress, maxCount, T.mpiDatatype, from: source, tag: tag, handle,
                          &request.handle)
        return request
    }

    /// Blocks until a matching message is ready to receive and describes it without receiving it.
    /// The corresponding C call is `MPI_Probe`.
    public func probe(from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> Status {
        try MPICall.probe(from: source, tag: tag, handle)
    }

    /// Describes a matching message if one is ready, or returns nil at once.
    /// The corresponding C call is `MPI_Iprobe`.
    public func iprobe(from source: Int? = nil, tag: Int? = nil) throws(MPIError) -> Status? {
        try MPICall.iprobe(from: source, tag: tag, handle)
    }
}

extension Request {
    /// A receive buffer for `maxCount` values of `T`, finishing into a `Received<T>`.
    convenience init<T: MPIScalar>(receiving type: T.Type, maxCount: Int, call: String) throws(MPIError)
        where Value == Received<T>
    {
        let byteCount = Int(try MPICall.count(call, maxCount)) * MemoryLayout<T>.stride
        self.init(byteCount: byteCount) { (buffer, raw) throws(MPIError) in
            let status = try MPICall.makeStatus(raw)
            return Received(values: Array(buffer.bindMemory(to: T.self).prefix(status.count(of: T.self))),
                           source: status.source, tag: status.tag)
        }
    }
}
