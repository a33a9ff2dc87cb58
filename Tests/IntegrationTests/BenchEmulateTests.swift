import Foundation
import MessagePassing
import Testing

/// `tessera bench emulate` compares like with like: raw MPI at its best (pre-posted receives,
/// both ways of waiting) and one factor changed at a time. The figures are the command's to print;
/// these tests check what each run was.
@Suite(.serialized) struct BenchEmulateTests {
    /// Rank 0 alone reports the ping-pong, with both raw-MPI waits and the fabric measured.
    @Test func pingPongReportsRawMPISpinningAndCooperativeAndTheFabric() throws {
        let outcome = try MPIRunTests().launch(2, ["bench", "emulate", "--ping-pong-worker", "--round-trips", "50"])
        #expect(outcome.exitStatus == 0, "\(outcome.errorOutput)")
        let lines = outcome.output.split(separator: "\n").filter { $0.hasPrefix("PINGPONG ") }
        try #require(lines.count == 1, "\(outcome.output)")
        let fields = Dictionary(uniqueKeysWithValues: lines[0].split(separator: " ").dropFirst().compactMap { pair in
            let parts = pair.split(separator: "=")
            return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
        })
        #expect(fields.keys.sorted() == ["fabric", "ranks", "rawcoop", "rawspin"])
        #expect(fields["ranks"] == "2")
        for key in ["rawspin", "rawcoop", "fabric"] { #expect((Double(fields[key] ?? "") ?? 0) > 0, "\(key)") }
    }

    /// The tiny model at TP 8 on 8 ranks (oversubscribed on 2 cores): each row of the comparison
    /// names the factor it changed, and the run shows that factor changed and no other.
    @Test func eachFactorRowChangesOneFactor() throws {
        let (status, text, _) = try MPIRunTests.plain([
            "bench", "emulate", "--ranks", "8", "--oversubscribed-ranks", "8", "--round-trips", "20",
            "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-h100.yaml", "--timeout-seconds", "60"])
        #expect(status == 0)
        let lines = text.split(separator: "\n")
        let header = try #require(lines.firstIndex { $0.hasPrefix("changed ") }, "no factor table in:\n\(text)")
        let rows = lines[(header + 1)...].map { line in
            line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        // changed, setting, wall s, msg/s, wait used, doorbells used, wall vs base
        #expect(rows.map { [$0[0], $0[1], $0[4], $0[5]] } == [
            ["(base)", "bound, doorbells, wait auto", "cooperative", "yes"],
            ["binding", "unbound", "cooperative", "yes"],
            ["doorbells", "off: sleeps with backoff only", "cooperative", "no"],
            ["wait policy", "spin (MPI_Test loop)", "spin", "no"],
            ["wait policy", "blocking (MPI's own waits)", "blocking", "no"],
        ])
        #expect(rows.first?.last == "1×")
        let rateRow = try #require(lines.first { $0.hasPrefix("    8 ") }, "no rate row in:\n\(text)")
        #expect(rateRow.contains(" spin ") || rateRow.contains(" cooperative "), "raw wait column: \(rateRow)")
    }

    /// With --requests the emulations serve a stream (the table says so), timed apart from their
    /// set-up; --oversubscribed-ranks 0 leaves the one-factor comparison out.
    @Test func aRequestStreamRowWithoutTheFactorTable() throws {
        let (status, text, _) = try MPIRunTests.plain([
            "bench", "emulate", "--ranks", "8", "--oversubscribed-ranks", "0", "--round-trips", "20", "--requests", "3",
            "--rate", "100", "--output-tokens", "3", "--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-h100.yaml",
            "--timeout-seconds", "60"])
        #expect(status == 0, "\(text)")
        #expect(text.contains("TP 8 × PP ranks/8, serving 3 requests (Poisson at 100/s, 128 prompt tokens, 3 generated)"), "\(text)")
        #expect(!text.contains("one factor changed at a time"))
        let header = try #require(text.split(separator: "\n").first { $0.hasPrefix("ranks ") }, "\(text)")
        #expect(header.hasPrefix("ranks  set-up s  loop s  job s  messages  emulated msg/s"), "\(header)")
        let row = try #require(text.split(separator: "\n").first { $0.hasPrefix("    8 ") }, "\(text)")
        let cells = row.split(separator: " ")
        #expect(cells.count == 13, "\(row)")
        #expect((Double(cells[1]) ?? -1) > 0 && (Double(cells[2]) ?? -1) > 0, "set-up and loop seconds: \(row)")
    }
}
