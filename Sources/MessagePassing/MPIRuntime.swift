import Foundation

/// MPI's process-wide life cycle: initialized once, on first use, and finalized once, at exit or
/// when asked. Safe to call from any thread.
public enum MPIRuntime {
    private enum State { case idle, running(Communicator), finalized, failed(MPIError) }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var state = State.idle

    /// The world communicator, initializing MPI first if this is the first call in the process.
    ///
    /// MPI is initialized with `MPI_THREAD_MULTIPLE` and `MPI_ERRORS_RETURN`, so errors come back
    /// as `MPIError` rather than aborting, and `MPI_Finalize` is registered to run at exit. The
    /// transport settings of `MPIEnvironment` are applied first. A library that provides a lower
    /// thread level fails this call, and every later one, with `MPIError.threadLevel(provided:)`
    /// (ranks call MPI from an executor thread as well as the main thread).
    /// The corresponding C call is `MPI_Init_thread`.
    public static func world() throws(MPIError) -> Communicator {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .running(let world):
            return world
        case .finalized:
            throw MPIError(call: "MPI_Init_thread", code: -1, errorClass: -1,
                           message: "MPI was already finalized in this process and cannot start again")
        case .failed(let error):
            throw error
        case .idle:
            if !MPICall.isInitialized() {
                MPIEnvironment.applyDefaults()
                let provided = try MPICall.initThread()
                atexit { MPIRuntime.finalizeAtExit() }
                if let error = MPIError.threadLevel(provided: provided) {
                    state = .failed(error)
                    throw error
                }
            }
            let handle = MPICall.worldHandle()
            let world = Communicator(handle: handle, rank: try MPICall.rank(handle),
                                     size: try MPICall.size(handle), owned: false)
            state = .running(world)
            return world
        }
    }

    /// Finalizes MPI now; later calls to `world()` fail. Does nothing if MPI never started.
    /// The corresponding C call is `MPI_Finalize`.
    public static func finalize() throws(MPIError) {
        lock.lock()
        defer { lock.unlock() }
        guard case .running = state else { return }
        state = .finalized
        if !MPICall.isFinalized() { try MPICall.finalize() }
    }

    /// True between the first `world()` and `finalize()`.
    public static var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        if case .running = state { return true }
        return false
    }

    /// The MPI library's own version text (for MPICH, lines such as `MPICH Version: 4.0.2`).
    /// Needs no initialization. The corresponding C call is `MPI_Get_library_version`.
    public static func libraryVersion() -> String { MPICall.libraryVersion() }

    /// Seconds since an arbitrary point in the past, on MPI's high-resolution clock.
    /// The corresponding C call is `MPI_Wtime`.
    public static func wallTimeSeconds() -> Double { MPICall.wtime() }

    /// The name of the host this rank runs on. The corresponding C call is `MPI_Get_processor_name`.
    public static func processorName() throws(MPIError) -> String {
        _ = try world()
        return try MPICall.processorName()
    }

    /// Ends every rank of the job at once, after this one failed alone (the others may be waiting
    /// on it). Does nothing when MPI is not running or the world is this process alone (MPICH's
    /// singleton abort runs the exit handlers, whose `MPI_Finalize` then fails an assertion).
    /// The corresponding C call is `MPI_Abort`.
    public static func abortJob(exitCode: Int32) {
        guard MPICall.isInitialized(), !MPICall.isFinalized(),
              let size = try? MPICall.size(MPICall.worldHandle()), size > 1 else { return }
        MPICall.abort(exitCode)
    }

    private static func finalizeAtExit() {
        try? finalize()  // At exit there is no caller left to hand an error to.
    }
}
