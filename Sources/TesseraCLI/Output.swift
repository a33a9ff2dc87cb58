import ArgumentParser
import Foundation
import SafeOutput

/// Prints a user-facing error in one line and exits non-zero.
func fail(_ error: Any) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode.failure
}

/// Writes `data` whole or not at all, through the one output writer (`OutputFile`): only onto a
/// regular file or a new path; `-` is standard output. A failure names the file and why, in words.
func writeAtomically(_ data: Data, to path: String) throws {
    try OutputFile.write(data, to: path)
}

func prettyJSON<T: Encodable>(_ value: T) throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return try encoder.encode(value)
}
