import CMPI

/// Ends every rank of the job at once, after one rank failed alone (the others may be blocked
/// waiting on it). Does nothing when MPI is not running or the world is this process alone
/// (MPICH's singleton abort runs the exit handlers, whose `MPI_Finalize` then fails an assertion).
/// The corresponding C call is `MPI_Abort`.
public func abortJob(exitCode: Int32) {
    var initialized: Int32 = 0, finalized: Int32 = 0
    MPI_Initialized(&initialized)
    MPI_Finalized(&finalized)
    var size: Int32 = 0
    guard initialized != 0, finalized == 0, MPI_Comm_size(tessera_MPI_COMM_WORLD(), &size) == 0, size > 1 else { return }
    MPI_Abort(tessera_MPI_COMM_WORLD(), exitCode)
}
