internal import CMPI

// The one file that calls MPI. Every function checks the return code and turns a failure into an
// `MPIError` carrying the call's name and MPI's error string; the rest of the module stays in Swift.

enum MPICall {
    static func check(_ call: String, _ code: Int32) throws(MPIError) {
        guard code != tessera_MPI_SUCCESS() else { return }
        throw error(call, code)
    }

    static func error(_ call: String, _ code: Int32) -> MPIError {
        var errorClass: Int32 = 0
        if MPI_Error_class(code, &errorClass) != tessera_MPI_SUCCESS() { errorClass = code }
        var length: Int32 = 0
        let text = String(unsafeUninitializedCapacity: Int(tessera_MPI_MAX_ERROR_STRING())) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                MPI_Error_string(code, chars.baseAddress, &length) == tessera_MPI_SUCCESS() ? Int(length) : 0
            }
        }
        return MPIError(call: call, code: code, errorClass: errorClass, message: text)
    }

    /// Converts a Swift count to MPI's `int`, rejecting what MPI cannot represent before calling it.
    static func count(_ call: String, _ value: Int) throws(MPIError) -> Int32 {
        guard value >= 0, let count = Int32(exactly: value) else {
            throw MPIError(call: call, code: MPI_ERR_COUNT, errorClass: MPI_ERR_COUNT,
                           message: "Invalid count \(value): must be in 0...\(Int32.max)")
        }
        return count
    }

    // MARK: Environment

    /// The thread levels, lowest first (the MPI standard orders their values the same way).
    static let threadLevels: [(value: Int32, name: String)] = [
        (tessera_MPI_THREAD_SINGLE(), "MPI_THREAD_SINGLE"), (tessera_MPI_THREAD_FUNNELED(), "MPI_THREAD_FUNNELED"),
        (tessera_MPI_THREAD_SERIALIZED(), "MPI_THREAD_SERIALIZED"), (tessera_MPI_THREAD_MULTIPLE(), "MPI_THREAD_MULTIPLE"),
    ]

    static var threadMultiple: Int32 { tessera_MPI_THREAD_MULTIPLE() }

    /// Initializes MPI asking for `MPI_THREAD_MULTIPLE`; returns the level MPI provided.
    static func initThread() throws(MPIError) -> Int32 {
        var provided: Int32 = 0
        try check("MPI_Init_thread", MPI_Init_thread(nil, nil, tessera_MPI_THREAD_MULTIPLE(), &provided))
        try check("MPI_Comm_set_errhandler",
                  MPI_Comm_set_errhandler(tessera_MPI_COMM_WORLD(), tessera_MPI_ERRORS_RETURN()))
        try check("MPI_Comm_set_errhandler",
                  MPI_Comm_set_errhandler(tessera_MPI_COMM_SELF(), tessera_MPI_ERRORS_RETURN()))
        return provided
    }

    static func finalize() throws(MPIError) { try check("MPI_Finalize", MPI_Finalize()) }

    static func isInitialized() -> Bool {
        var flag: Int32 = 0
        return MPI_Initialized(&flag) == tessera_MPI_SUCCESS() && flag != 0
    }

    static func isFinalized() -> Bool {
        var flag: Int32 = 0
        return MPI_Finalized(&flag) == tessera_MPI_SUCCESS() && flag != 0
    }

    static func libraryVersion() -> String {
        var length: Int32 = 0
        return String(unsafeUninitializedCapacity: Int(tessera_MPI_MAX_LIBRARY_VERSION_STRING())) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                MPI_Get_library_version(chars.baseAddress, &length) == tessera_MPI_SUCCESS() ? Int(length) : 0
            }
        }
    }

    static func processorName() throws(MPIError) -> String {
        var length: Int32 = 0
        var code: Int32 = 0
        let name = String(unsafeUninitializedCapacity: Int(tessera_MPI_MAX_PROCESSOR_NAME())) { buffer in
            buffer.withMemoryRebound(to: CChar.self) { chars in
                code = MPI_Get_processor_name(chars.baseAddress, &length)
                return code == tessera_MPI_SUCCESS() ? Int(length) : 0
            }
        }
        try check("MPI_Get_processor_name", code)
        return name
    }

    static func wtime() -> Double { MPI_Wtime() }

    // MARK: Communicators

    static func worldHandle() -> MPI_Comm { tessera_MPI_COMM_WORLD() }

    static func rank(_ comm: MPI_Comm) throws(MPIError) -> Int {
        var rank: Int32 = 0
        try check("MPI_Comm_rank", MPI_Comm_rank(comm, &rank))
        return Int(rank)
    }

    static func size(_ comm: MPI_Comm) throws(MPIError) -> Int {
        var size: Int32 = 0
        try check("MPI_Comm_size", MPI_Comm_size(comm, &size))
        return Int(size)
    }

    /// Returns nil when this rank passed no color (`MPI_UNDEFINED`) and so joined no communicator.
    static func split(_ comm: MPI_Comm, color: Int?, key: Int) throws(MPIError) -> MPI_Comm? {
        var result = tessera_MPI_COMM_NULL()
        let color32 = color.map { Int32(clamping: $0) } ?? tessera_MPI_UNDEFINED()
        try check("MPI_Comm_split", MPI_Comm_split(comm, color32, Int32(clamping: key), &result))
        guard result != tessera_MPI_COMM_NULL() else { return nil }
        try check("MPI_Comm_set_errhandler", MPI_Comm_set_errhandler(result, tessera_MPI_ERRORS_RETURN()))
        return result
    }

    static func free(_ comm: MPI_Comm) {
        var comm = comm
        _ = MPI_Comm_free(&comm)  // Only called from deinit, where there is no one to report to.
    }

    // MARK: Collectives

    static func barrier(_ comm: MPI_Comm) throws(MPIError) { try check("MPI_Barrier", MPI_Barrier(comm)) }

    static func ibarrier(_ comm: MPI_Comm, _ request: inout MPI_Request) throws(MPIError) {
        try check("MPI_Ibarrier", MPI_Ibarrier(comm, &request))
    }

    static func broadcast(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ type: MPIDatatype, root: Int,
                          _ comm: MPI_Comm) throws(MPIError) {
        let n = try self.count("MPI_Bcast", count)
        try check("MPI_Bcast", MPI_Bcast(buffer, n, type.handle, Int32(clamping: root), comm))
    }

    /// In place: `buffer` holds this rank's contribution and receives the result.
    static func allReduce(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ type: MPIDatatype,
                          _ op: ReductionOperation, _ comm: MPI_Comm) throws(MPIError) {
        let n = try self.count("MPI_Allreduce", count)
        try check("MPI_Allreduce", MPI_Allreduce(tessera_MPI_IN_PLACE(), buffer, n, type.handle, op.handle, comm))
    }

    static func iallReduce(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ type: MPIDatatype,
                           _ op: ReductionOperation, _ comm: MPI_Comm,
                           _ request: inout MPI_Request) throws(MPIError) {
        let n = try self.count("MPI_Iallreduce", count)
        try check("MPI_Iallreduce",
                  MPI_Iallreduce(tessera_MPI_IN_PLACE(), buffer, n, type.handle, op.handle, comm, &request))
    }

    // MARK: Point to point

    static func send(_ buffer: UnsafeRawPointer?, _ count: Int, _ type: MPIDatatype, to dest: Int, tag: Int,
                     _ comm: MPI_Comm) throws(MPIError) {
        let n = try self.count("MPI_Send", count)
        try check("MPI_Send", MPI_Send(buffer, n, type.handle, Int32(clamping: dest), Int32(clamping: tag), comm))
    }

    static func isend(_ buffer: UnsafeRawPointer?, _ count: Int, _ type: MPIDatatype, to dest: Int, tag: Int,
                      _ comm: MPI_Comm, _ request: inout MPI_Request) throws(MPIError) {
        let n = try self.count("MPI_Isend", count)
        try check("MPI_Isend", MPI_Isend(buffer, n, type.handle, Int32(clamping: dest), Int32(clamping: tag),
                                         comm, &request))
    }

    static func recv(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ type: MPIDatatype, from source: Int?,
                     tag: Int?, _ comm: MPI_Comm) throws(MPIError) -> Status {
        let n = try self.count("MPI_Recv", count)
        var status = MPI_Status()
        try check("MPI_Recv", MPI_Recv(buffer, n, type.handle, peer(source), wildcardTag(tag), comm, &status))
        return try makeStatus(status)
    }

    static func irecv(_ buffer: UnsafeMutableRawPointer?, _ count: Int, _ type: MPIDatatype, from source: Int?,
                      tag: Int?, _ comm: MPI_Comm, _ request: inout MPI_Request) throws(MPIError) {
        let n = try self.count("MPI_Irecv", count)
        try check("MPI_Irecv", MPI_Irecv(buffer, n, type.handle, peer(source), wildcardTag(tag), comm, &request))
    }

    static func probe(from source: Int?, tag: Int?, _ comm: MPI_Comm) throws(MPIError) -> Status {
        var status = MPI_Status()
        try check("MPI_Probe", MPI_Probe(peer(source), wildcardTag(tag), comm, &status))
        return try makeStatus(status)
    }

    static func iprobe(from source: Int?, tag: Int?, _ comm: MPI_Comm) throws(MPIError) -> Status? {
        var status = MPI_Status()
        var flag: Int32 = 0
        try check("MPI_Iprobe", MPI_Iprobe(peer(source), wildcardTag(tag), comm, &flag, &status))
        return flag != 0 ? try makeStatus(status) : nil
    }

    // MARK: Requests

    static func nullRequest() -> MPI_Request { tessera_MPI_REQUEST_NULL() }

    /// Returns the status once the request has completed, nil while it is pending.
    static func test(_ request: inout MPI_Request) throws(MPIError) -> MPI_Status? {
        var status = MPI_Status()
        var flag: Int32 = 0
        try check("MPI_Test", MPI_Test(&request, &flag, &status))
        return flag != 0 ? status : nil
    }

    static func wait(_ request: inout MPI_Request) throws(MPIError) -> MPI_Status {
        var status = MPI_Status()
        try check("MPI_Wait", MPI_Wait(&request, &status))
        return status
    }

    /// Cancels and completes the request: nil when it was cancelled, its status when it had
    /// completed first. (A cancelled receive completes locally, so the wait returns at once.)
    static func cancel(_ request: inout MPI_Request) throws(MPIError) -> MPI_Status? {
        try check("MPI_Cancel", MPI_Cancel(&request))
        var status = MPI_Status()
        try check("MPI_Wait", MPI_Wait(&request, &status))
        var cancelled: Int32 = 0
        try check("MPI_Test_cancelled", MPI_Test_cancelled(&status, &cancelled))
        return cancelled != 0 ? nil : status
    }

    /// Ends every process of the world's job with `code`. The corresponding C call is `MPI_Abort`.
    static func abort(_ code: Int32) { _ = MPI_Abort(worldHandle(), code) }

    static func release(_ request: inout MPI_Request) {
        _ = MPI_Request_free(&request)  // Only called from deinit, where there is no one to report to.
    }

    static func makeStatus(_ status: MPI_Status) throws(MPIError) -> Status {
        var status = status
        var bytes: Int32 = 0
        try check("MPI_Get_count", MPI_Get_count(&status, tessera_MPI_BYTE(), &bytes))
        return Status(source: Int(status.MPI_SOURCE), tag: Int(status.MPI_TAG), byteCount: Int(bytes))
    }

    private static func peer(_ source: Int?) -> Int32 {
        source.map { Int32(clamping: $0) } ?? tessera_MPI_ANY_SOURCE()
    }

    private static func wildcardTag(_ tag: Int?) -> Int32 {
        tag.map { Int32(clamping: $0) } ?? tessera_MPI_ANY_TAG()
    }
}

extension MPIError {
    /// The error `MPIRuntime.world()` raises when MPI provides less than `MPI_THREAD_MULTIPLE`;
    /// nil when `provided` is enough. `code` holds the provided level.
    static func threadLevel(provided: Int32) -> MPIError? {
        guard provided < MPICall.threadMultiple else { return nil }
        let name = MPICall.threadLevels.first { $0.value == provided }?.name ?? "level \(provided)"
        return MPIError(call: "MPI_Init_thread", code: provided, errorClass: -1,
                        message: "the MPI library provides only \(name); tessera needs MPI_THREAD_MULTIPLE "
                            + "(build MPICH with --enable-threads=multiple)")
    }
}
