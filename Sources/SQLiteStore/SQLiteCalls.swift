internal import CSQLite

/// The one file that calls SQLite's C API: handles stay `OpaquePointer`s, result codes become
/// `SQLiteError`s here.
enum SQLiteCalls {
    static func open(_ path: String) throws(SQLiteError) -> OpaquePointer {
        var db: OpaquePointer?
        let rc = sqlite3_open(path, &db)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw SQLiteError(call: "sqlite3_open", code: rc, message: message)
        }
        return db
    }

    static func close(_ db: OpaquePointer) { sqlite3_close(db) }

    static func exec(_ db: OpaquePointer, _ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(db, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(db, "sqlite3_exec", rc) }
    }

    static func query(_ db: OpaquePointer, _ sql: String, _ values: [String]) throws(SQLiteError) -> [[String]] {
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard prepared == SQLITE_OK else { throw error(db, "sqlite3_prepare_v2", prepared) }
        defer { sqlite3_finalize(statement) }
        for (i, value) in values.enumerated() {
            let rc = sqlite3_bind_text(statement, Int32(i + 1), value, -1, tessera_sqlite_transient())
            guard rc == SQLITE_OK else { throw error(db, "sqlite3_bind_text", rc) }
        }
        var rows: [[String]] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return rows }
            guard rc == SQLITE_ROW else { throw error(db, "sqlite3_step", rc) }
            rows.append(
                (0..<sqlite3_column_count(statement)).map {
                    sqlite3_column_text(statement, $0).map { String(cString: $0) } ?? ""
                })
        }
    }

    private static func error(_ db: OpaquePointer, _ call: String, _ rc: Int32) -> SQLiteError {
        SQLiteError(call: call, code: rc, message: String(cString: sqlite3_errmsg(db)))
    }
}
