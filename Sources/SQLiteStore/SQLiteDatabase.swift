/// An open SQLite database file, used through text statements with text parameters: what a
/// results store needs, no more. Closed when the last reference goes.
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    public let path: String

    /// Opens `path`, creating the file when it does not exist.
    /// The corresponding C call is `sqlite3_open`.
    public init(path: String) throws(SQLiteError) {
        self.path = path
        handle = try SQLiteCalls.open(path)
    }

    deinit { SQLiteCalls.close(handle) }

    /// Runs one or more statements separated by semicolons, with no parameters and no results.
    /// The corresponding C call is `sqlite3_exec`.
    public func execute(_ sql: String) throws(SQLiteError) {
        try SQLiteCalls.exec(handle, sql)
    }

    /// Runs one statement with `values` bound to its `?` parameters in order, and returns every
    /// result row as text (NULL as the empty string).
    /// The corresponding C call is `sqlite3_step`.
    public func query(_ sql: String, _ values: [String] = []) throws(SQLiteError) -> [[String]] {
        try SQLiteCalls.query(handle, sql, values)
    }
}
