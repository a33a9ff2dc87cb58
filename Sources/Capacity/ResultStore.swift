import Foundation
import SQLiteStore

/// The sweep's results on disk: a SQLite file with rows keyed by (point key, sequence). A point's
/// rows and its "done" mark go in one transaction, so a killed sweep loses at most the point in
/// flight and a resumed one never duplicates a row.
public final class ResultStore {
    private let db: SQLiteDatabase
    public let path: String

    /// Opens (creating if needed) the store; `fingerprint` identifies the spec and its inputs by
    /// content, and a store made from other inputs is refused rather than mixed, naming the inputs
    /// that changed. `fresh` deletes an old store first. A writer should hold the folder's `FolderLock`.
    public init(path: String, fingerprint: Fingerprint, fresh: Bool = false) throws(CapacityError) {
        self.path = path
        if fresh {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        do { db = try SQLiteDatabase(path: path) } catch {
            throw CapacityError(file: path, keyPath: "", message: "cannot open the results store: \(error.message)")
        }
        try exec("""
            PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS points (key TEXT PRIMARY KEY, idx INTEGER NOT NULL, candidates INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS rows (key TEXT NOT NULL, seq INTEGER NOT NULL, idx INTEGER NOT NULL,
                                             json TEXT NOT NULL, PRIMARY KEY (key, seq));
            """)
        let stored = try query("SELECT value FROM meta WHERE key = 'fingerprint'", [])
        if let old = stored.first?.first, old != fingerprint.text {
            let changed = fingerprint.changes(from: Fingerprint(text: old))
            let named = changed.isEmpty ? "the store predates content fingerprints"
                : "changed since it was made: " + changed.prefix(5).joined(separator: ", ") + (changed.count > 5 ? ", and \(changed.count - 5) more" : "")
            throw CapacityError(file: path, keyPath: "", message: "this store was made from other inputs (\(named)); run with --fresh to start over, or use a new output folder")
        }
        if stored.isEmpty { try run("INSERT INTO meta VALUES ('fingerprint', ?)", [fingerprint.text]) }
    }

    /// Keys of the points already stored.
    public func doneKeys() throws(CapacityError) -> Set<String> {
        Set(try query("SELECT key FROM points", []).compactMap(\.first))
    }

    /// Stores one point's rows and marks it done, atomically; a point already done is left as it was.
    public func record(_ point: CapacityPoint, rows: [ResultRow], candidates: Int) throws(CapacityError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try exec("BEGIN IMMEDIATE")
        do throws(CapacityError) {
            if try query("SELECT 1 FROM points WHERE key = ?", [point.key]).isEmpty {
                for (seq, row) in rows.enumerated() {
                    guard let json = try? encoder.encode(row) else {
                        throw CapacityError(file: path, keyPath: point.key, message: "cannot encode a row")
                    }
                    try run("INSERT INTO rows VALUES (?, ?, ?, ?)", [point.key, "\(seq)", "\(point.index)", String(decoding: json, as: UTF8.self)])
                }
                try run("INSERT INTO points VALUES (?, ?, ?)", [point.key, "\(point.index)", "\(candidates)"])
            }
            try exec("COMMIT")
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    /// Every stored row, in point order then sequence: the same whoever computed them.
    public func rows() throws(CapacityError) -> [ResultRow] {
        let decoder = JSONDecoder()
        return try query("SELECT json FROM rows ORDER BY idx, seq", []).map { (fields) throws(CapacityError) in
            guard let text = fields.first, let row = try? decoder.decode(ResultRow.self, from: Data(text.utf8)) else {
                throw CapacityError(file: path, keyPath: "rows", message: "a stored row cannot be read back")
            }
            return row
        }
    }

    /// Planner candidates evaluated over all stored points.
    public func candidates() throws(CapacityError) -> Int {
        Int(try query("SELECT COALESCE(SUM(candidates), 0) FROM points", []).first?.first ?? "0") ?? 0
    }

    // MARK: - SQLite, with its errors named after this store

    private func exec(_ sql: String) throws(CapacityError) {
        do { try db.execute(sql) } catch { throw fail(error) }
    }

    private func run(_ sql: String, _ values: [String]) throws(CapacityError) { _ = try query(sql, values) }

    private func query(_ sql: String, _ values: [String]) throws(CapacityError) -> [[String]] {
        do { return try db.query(sql, values) } catch { throw fail(error) }
    }

    private func fail(_ error: SQLiteError) -> CapacityError {
        CapacityError(file: path, keyPath: "", message: "SQLite failed: \(error)")
    }
}
