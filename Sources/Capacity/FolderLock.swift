import Foundation

/// An advisory lock on a results folder (`.tessera.lock`, holding the owner's pid), so two sweeps
/// never write one store. flock(2) is released by the kernel when the process dies, so a killed
/// run leaves no stale lock. Hold it for as long as the run writes.
public final class FolderLock {
    private let fd: Int32

    public init(folder: String) throws(CapacityError) {
        let path = folder + "/.tessera.lock"
        fd = open(path, O_RDWR | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw CapacityError(file: path, keyPath: "", message: "cannot create the lock file (errno \(errno))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let owner = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw CapacityError(file: folder, keyPath: "", message: "another tessera capacity run (pid \(owner.isEmpty ? "?" : owner)) is writing to \(folder)")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(fd, 0)
        _ = pid.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }
}
