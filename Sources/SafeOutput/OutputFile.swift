import Foundation

/// The one writer of every file Tessera produces (plans, traces, CSVs, reports, programs).
///
/// A file is written whole or not at all: to a temporary file beside the target, then renamed over
/// it. Renaming over anything but a regular file would replace it (as root, `-o /dev/null` would
/// turn the device into a file), so the target must be a regular file or a path that does not
/// exist yet; a device, a directory, a FIFO or a socket is refused. `-` means standard output.
public enum OutputFile {
    /// The path that means "standard output".
    public static let stdoutPath = "-"

    /// Writes `data` to `path` atomically, or to standard output when `path` is `-`.
    public static func write(_ data: Data, to path: String) throws {
        if path == stdoutPath {
            try writeStandardOutput(data)
            return
        }
        try checkWritable(path)
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw OutputError(path: path, reason: words(error))
        }
    }

    /// Writes `text` (UTF-8) like `write(_:to:)`.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Throws unless `path` is a regular file (through symbolic links) or does not exist.
    public static func checkWritable(_ path: String) throws {
        guard !path.isEmpty else { throw OutputError(path: path, reason: "expected a file path, got an empty string") }
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return }
            throw OutputError(path: path, reason: String(cString: strerror(errno)))
        }
        let kind = info.st_mode & S_IFMT
        guard kind != S_IFREG else { return }
        throw OutputError(path: path, reason: "is \(describe(kind)), not a regular file; "
                          + "outputs are written only to regular files or new paths (use - for standard output)")
    }

    /// Throws unless `path` is a directory or does not exist (it is then created, with its parents).
    public static func prepareFolder(_ path: String) throws {
        guard !path.isEmpty, path != stdoutPath else {
            throw OutputError(path: path, reason: "expected a folder path, got \(path.isEmpty ? "an empty string" : "-")")
        }
        var info = stat()
        if stat(path, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFDIR else {
                throw OutputError(path: path, reason: "is \(describe(kind)), not a folder")
            }
            return
        }
        do { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) } catch {
            throw OutputError(path: path, reason: "cannot create the folder: \(words(error))")
        }
    }

    /// Writes `data` to standard output (descriptor 1), whole, and flushes the C buffer first so
    /// the order with `print` holds. A failed write (a full disk, a closed pipe) is an error.
    public static func writeStandardOutput(_ data: Data) throws {
        guard fflush(nil) == 0 else { throw OutputError(path: "standard output", reason: String(cString: strerror(errno))) }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = Foundation.write(1, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw OutputError(path: "standard output", reason: String(cString: strerror(errno)))
                }
                offset += n
            }
        }
    }

    /// Flushes what `print` buffered; on failure returns why, in words (for a check at exit).
    public static func flushStandardOutput() -> String? {
        errno = 0
        let flushed = fflush(nil) == 0
        let sticky = cStdout().map { ferror($0) != 0 } ?? false
        if !flushed || sticky { return String(cString: strerror(errno == 0 ? EIO : errno)) }
        return nil
    }

    /// C's `stdout`, looked up by name: Swift 6 refuses the imported global as shared mutable state.
    /// Its error flag tells whether any buffered `print` failed, even one flushed long before exit.
    static func cStdout() -> UnsafeMutablePointer<FILE>? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout") else { return nil }  // RTLD_DEFAULT
        return symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee
    }

    static func describe(_ kind: mode_t) -> String {
        switch kind {
        case S_IFDIR: "a directory"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a regular file"
        }
    }

    static func words(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}

/// An output that cannot be written: the path and why, in one line.
public struct OutputError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) { self.path = path; self.reason = reason }
    public var description: String { "cannot write \(path): \(reason)" }
}
