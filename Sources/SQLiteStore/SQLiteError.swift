/// A SQLite call that failed: which call, SQLite's result code and its message.
public struct SQLiteError: Error, Equatable, CustomStringConvertible {
    /// The C function that failed, such as `sqlite3_prepare_v2`.
    public var call: String
    /// SQLite's result code (`SQLITE_BUSY` is 5, `SQLITE_CANTOPEN` 14, …).
    public var code: Int32
    /// SQLite's own words for it (`sqlite3_errmsg`).
    public var message: String

    public init(call: String, code: Int32, message: String) {
        self.call = call
        self.code = code
        self.message = message
    }

    public var description: String { "\(message) (\(call) returned \(code))" }
}
