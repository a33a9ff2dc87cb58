import Foundation

/// Reading an input file with errors in words. Foundation says "The operation could not be
/// completed. (NSCocoaErrorDomain error 256.)" for a directory; every loader says "is a directory".
public enum InputFile {
    /// The bytes of `path`, or an error whose description is why not, in a few words.
    public static func read(_ path: String) throws(InputError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw InputError(reason: "is a directory, not a file") }
        do { return try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw InputError(reason: OutputFile.words(error))
        }
    }

    /// The text of `path` as UTF-8, like `read`.
    public static func text(_ path: String) throws(InputError) -> String {
        guard let text = String(data: try read(path), encoding: .utf8) else { throw InputError(reason: "not UTF-8 text") }
        return text
    }
}

/// Why an input could not be read; the loader adds the file name.
public struct InputError: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public var description: String { reason }
}
