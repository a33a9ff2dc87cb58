import ArgumentParser
import Foundation

/// Prints a user-facing error in one line and exits non-zero.
func fail(_ error: Any) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode.failure
}

/// Writes `data` whole or not at all: to a temporary file beside `path`, then renamed over it.
/// A failure names the file and why, in words.
func writeAtomically(_ data: Data, to path: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        throw WriteError(description: "cannot write \(path): \(error.localizedDescription)")
    }
}

struct WriteError: Error, CustomStringConvertible { var description: String }

func prettyJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
}
