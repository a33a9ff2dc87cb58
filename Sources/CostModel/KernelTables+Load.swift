import ModelGraph

/// Reading Clusters/kernels/<chip>/*.csv (written by scripts/kernel-tables.sh; the columns are
/// described in each chip's PROVENANCE.md).
extension KernelTables {
    static let gemmColumns = ["dtype", "m", "n", "k", "latency_us"]
    static let contextAttentionColumns = ["dtype", "kv_dtype", "batch", "input_len", "heads", "kv_heads", "head_size", "latency_us"]
    static let generationAttentionColumns = ["kv_dtype", "batch", "context", "heads", "kv_heads", "head_size", "latency_us"]
    static let collectiveColumns = ["kind", "implementation", "dtype", "ranks", "message_bytes", "latency_us"]
    static let moeColumns = ["dtype", "hidden", "inter", "topk", "experts", "tp", "ep", "tokens", "latency_us"]

    /// Loads every table present in `directory` (a missing file means no table of that kind).
    /// Throws `KernelTableError` naming the file, line and column on bad input: a wrong header or
    /// field count, a non-numeric field, a latency that is not positive and finite, an unknown
    /// dtype or collective kind, a duplicate row, a grid with a hole, more than `maxRows` rows.
    public static func load(directory: String, maxRows: Int = 2_000_000) throws -> KernelTables {
        var tables = KernelTables()
        let path = { (name: String) in directory.hasSuffix("/") ? directory + name : directory + "/" + name }

        if let csv = try KernelTableCSV.read(file: path("gemm.csv"), columns: gemmColumns) {
            var builder = KernelGridBuilder<DType>(file: csv.file, axisNames: ["m", "n", "k"])
            try csv.forEachRow(maxRows: maxRows) { row in
                builder.add(try row.dtype(0), point: [try row.coordinate(1), try row.coordinate(2), try row.coordinate(3)],
                            latencyUs: try row.latency(4), line: row.line)
            }
            tables.gemm = try builder.build { "dtype \($0.rawValue)" }
        }

        if let csv = try KernelTableCSV.read(file: path("context_attention.csv"), columns: contextAttentionColumns) {
            var builder = KernelGridBuilder<AttentionKey>(file: csv.file, axisNames: ["batch", "input_len"])
            try csv.forEachRow(maxRows: maxRows) { row in
                let key = AttentionKey(dtype: try row.dtype(0), kvDType: try row.dtype(1), heads: try row.count(4),
                                       kvHeads: try row.count(5), headSize: try row.count(6))
                builder.add(key, point: [try row.coordinate(2), try row.coordinate(3)], latencyUs: try row.latency(7), line: row.line)
            }
            tables.contextAttention = try builder.build { $0.description }
        }

        if let csv = try KernelTableCSV.read(file: path("generation_attention.csv"), columns: generationAttentionColumns) {
            var builder = KernelGridBuilder<AttentionKey>(file: csv.file, axisNames: ["batch", "context"])
            try csv.forEachRow(maxRows: maxRows) { row in
                let key = AttentionKey(dtype: nil, kvDType: try row.dtype(0), heads: try row.count(3),
                                       kvHeads: try row.count(4), headSize: try row.count(5))
                builder.add(key, point: [try row.coordinate(1), try row.coordinate(2)], latencyUs: try row.latency(6), line: row.line)
            }
            tables.generationAttention = try builder.build { $0.description }
        }

        if let csv = try KernelTableCSV.read(file: path("collectives.csv"), columns: collectiveColumns) {
            var builder = KernelGridBuilder<CollectiveKey>(file: csv.file, axisNames: ["message_bytes"])
            try csv.forEachRow(maxRows: maxRows) { row in
                guard let kind = CollectiveKind(rawValue: row.text(0)) else {
                    let kinds = CollectiveKind.allCases.map(\.rawValue).joined(separator: ", ")
                    throw row.error(0, "unknown kind \"\(row.text(0))\"; expected one of \(kinds)")
                }
                let implementation = row.text(1)
                guard !implementation.isEmpty else { throw row.error(1, "expected a name, got nothing") }
                let key = CollectiveKey(kind: kind, implementation: implementation, dtype: try row.dtype(2), ranks: try row.count(3))
                builder.add(key, point: [try row.coordinate(4)], latencyUs: try row.latency(5), line: row.line)
            }
            tables.collectives = try builder.build {
                "\($0.kind.rawValue) \($0.implementation) \($0.dtype.rawValue) ranks \($0.ranks)"
            }
        }

        if let csv = try KernelTableCSV.read(file: path("moe.csv"), columns: moeColumns) {
            var builder = KernelGridBuilder<MoEKey>(file: csv.file, axisNames: ["tokens"])
            try csv.forEachRow(maxRows: maxRows) { row in
                let key = MoEKey(dtype: try row.dtype(0), hidden: try row.count(1), inter: try row.count(2), topK: try row.count(3),
                                 experts: try row.count(4), tp: try row.count(5), ep: try row.count(6))
                builder.add(key, point: [try row.coordinate(7)], latencyUs: try row.latency(8), line: row.line)
            }
            tables.moe = try builder.build { $0.description }
        }
        return tables
    }
}
