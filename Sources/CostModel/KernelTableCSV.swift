import Foundation
import ModelGraph

/// The plain CSV of Clusters/kernels/<chip>/: one exact header line, then rows of the same number of
/// comma-separated fields, no quoting. Parsed from bytes without building a String per line, so a
/// chip's tables (about 60,000 rows) load in milliseconds; every malformed byte is a typed error.
struct KernelTableCSV {
    let file: String
    let columns: [String]
    /// The file as read, parsed in place (a copy would add the file's size to every emulator
    /// rank's peak memory).
    private let bytes: Data

    /// Files above this size are refused before they are read.
    static let maxFileBytes = 256 << 20

    /// Reads `file`, or returns nil when it does not exist.
    static func read(file: String, columns: [String]) throws -> KernelTableCSV? {
        guard FileManager.default.fileExists(atPath: file) else { return nil }
        let size = ((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int) ?? 0
        guard size <= maxFileBytes else {
            throw KernelTableError(file: file, message: "file is \(size) bytes; expected at most \(maxFileBytes)")
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw KernelTableError(file: file, message: "cannot be read")
        }
        return KernelTableCSV(file: file, columns: columns, bytes: data)
    }

    init(file: String, columns: [String], bytes: Data) {
        self.file = file
        self.columns = columns
        self.bytes = bytes
    }

    /// Calls `body` for each data row (blank lines are skipped), after checking the header.
    func forEachRow(maxRows: Int, _ body: (Row) throws -> Void) throws {
        try bytes.withUnsafeBytes { raw in
            let buffer = raw.bindMemory(to: UInt8.self)
            var start = 0
            var line = 0
            var rows = 0
            var fields: [Range<Int>] = []
            fields.reserveCapacity(columns.count)
            while start < buffer.count {
                var end = start
                while end < buffer.count && buffer[end] != UInt8(ascii: "\n") { end += 1 }
                let next = end + 1
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                line += 1
                defer { start = next }
                if line == 1 {
                    let header = String(decoding: buffer[start..<end], as: UTF8.self)
                    guard header == columns.joined(separator: ",") else {
                        throw KernelTableError(file: file, line: 1,
                                               message: "expected the header \"\(columns.joined(separator: ","))\"")
                    }
                    continue
                }
                if end == start { continue }
                rows += 1
                guard rows <= maxRows else {
                    throw KernelTableError(file: file, line: line, message: "more than \(maxRows) rows")
                }
                fields.removeAll(keepingCapacity: true)
                var fieldStart = start
                for i in start..<end where buffer[i] == UInt8(ascii: ",") {
                    fields.append(fieldStart..<i)
                    fieldStart = i + 1
                }
                fields.append(fieldStart..<end)
                guard fields.count == columns.count else {
                    throw KernelTableError(file: file, line: line,
                                           message: "expected \(columns.count) fields, got \(fields.count)")
                }
                try body(Row(csv: self, buffer: buffer, fields: fields, line: line))
            }
            if line == 0 {
                throw KernelTableError(file: file, line: 1,
                                       message: "expected the header \"\(columns.joined(separator: ","))\"")
            }
        }
    }

    /// One data row; valid only inside `forEachRow`'s closure.
    struct Row {
        let csv: KernelTableCSV
        let buffer: UnsafeBufferPointer<UInt8>
        let fields: [Range<Int>]
        let line: Int

        func text(_ i: Int) -> String { String(decoding: buffer[fields[i]], as: UTF8.self) }

        func error(_ i: Int, _ message: String) -> KernelTableError {
            KernelTableError(file: csv.file, line: line, column: csv.columns[i], message: message)
        }

        func number(_ i: Int) throws -> Double {
            guard let x = parseDecimal(buffer[fields[i]]) else {
                throw error(i, "expected a number, got \"\(text(i))\"")
            }
            return x
        }

        /// A latency in µs: positive and finite.
        func latency(_ i: Int) throws -> Double {
            let x = try number(i)
            guard x.isFinite && x > 0 else { throw error(i, "expected a positive finite latency, got \(text(i))") }
            return x
        }

        /// A grid coordinate (a size, a length, a count): positive and finite.
        func coordinate(_ i: Int) throws -> Double {
            let x = try number(i)
            guard x.isFinite && x > 0 else { throw error(i, "expected a positive finite number, got \(text(i))") }
            return x
        }

        /// A positive whole number that fits an Int (heads, ranks).
        func count(_ i: Int) throws -> Int {
            let x = try number(i)
            guard x > 0 && x <= 1e15 && x.rounded() == x else {
                throw error(i, "expected a positive whole number, got \(text(i))")
            }
            return Int(x)
        }

        func dtype(_ i: Int) throws -> DType {
            let field = buffer[fields[i]]
            guard let d = dtypeNames.first(where: { $0.name.elementsEqual(field) })?.dtype else {
                let names = DType.allCases.map(\.rawValue).joined(separator: ", ")
                throw error(i, "unknown dtype \"\(text(i))\"; expected one of \(names)")
            }
            return d
        }
    }
}

/// DType names as bytes, so that a dtype field is matched without building a String.
private let dtypeNames = DType.allCases.map { (name: Array($0.rawValue.utf8), dtype: $0) }

private let exactPowersOf10: [Double] = (0...22).map { (0..<$0).reduce(1.0) { r, _ in r * 10 } }

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]`; nil for anything else (including "nan", "inf",
/// empty). Mantissas up to 15 digits with exponents up to ±22 are exact (one correctly rounded
/// multiply or divide of exact values, Clinger 1990); others go through the standard library.
func parseDecimal(_ field: Slice<UnsafeBufferPointer<UInt8>>) -> Double? {
    var i = field.startIndex
    let end = field.endIndex
    var negative = false
    if i < end && (field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+")) {
        negative = field[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa = 0
    var digits = 0
    var fractionDigits = 0
    var sawPoint = false
    while i < end {
        let c = field[i]
        if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
            if digits < 18 { mantissa = mantissa * 10 + Int(c - UInt8(ascii: "0")) }
            digits += 1
            if sawPoint { fractionDigits += 1 }
        } else if c == UInt8(ascii: ".") && !sawPoint {
            sawPoint = true
        } else {
            break
        }
        i += 1
    }
    guard digits > 0 else { return nil }
    var exponent = 0
    if i < end && (field[i] == UInt8(ascii: "e") || field[i] == UInt8(ascii: "E")) {
        i += 1
        var expNegative = false
        if i < end && (field[i] == UInt8(ascii: "-") || field[i] == UInt8(ascii: "+")) {
            expNegative = field[i] == UInt8(ascii: "-")
            i += 1
        }
        var expDigits = 0
        while i < end && field[i] >= UInt8(ascii: "0") && field[i] <= UInt8(ascii: "9") {
            if exponent < 100_000 { exponent = exponent * 10 + Int(field[i] - UInt8(ascii: "0")) }
            expDigits += 1
            i += 1
        }
        guard expDigits > 0 else { return nil }
        if expNegative { exponent = -exponent }
    }
    guard i == end else { return nil }
    let power = exponent - fractionDigits
    let value: Double
    if digits <= 15 && power >= -22 && power <= 22 {
        value = power < 0 ? Double(mantissa) / exactPowersOf10[-power] : Double(mantissa) * exactPowersOf10[power]
    } else {
        guard let slow = Double(String(decoding: field, as: UTF8.self)) else { return nil }
        return slow
    }
    return negative ? -value : value
}
