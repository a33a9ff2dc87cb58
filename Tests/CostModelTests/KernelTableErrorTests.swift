import CostModel
import Foundation
import Testing

/// Every kind of bad table is a typed error with the file, line and column, never a trap.
struct KernelTableErrorTests {
    /// The error `load` throws for a directory holding only `name` with `text`.
    func loadError(_ name: String, _ text: String, maxRows: Int = 2_000_000) throws -> String {
        let dir = try fixtureDirectory([name: text])
        do {
            _ = try KernelTables.load(directory: dir, maxRows: maxRows)
            return "no error"
        } catch let error as KernelTableError {
            return error.description.replacingOccurrences(of: dir + "/", with: "")
        }
    }

    func gemm(replacing old: String, with new: String) throws -> String {
        try loadError("gemm.csv", gemmFixture.replacingOccurrences(of: old, with: new))
    }

    @Test func badFields() throws {
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,abc,40")
            == "gemm.csv:3: k: expected a number, got \"abc\"")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,512,-40")
            == "gemm.csv:3: latency_us: expected a positive finite latency, got -40")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,512,1e999")
            == "gemm.csv:3: latency_us: expected a positive finite latency, got 1e999")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,512,nan")
            == "gemm.csv:3: latency_us: expected a number, got \"nan\"")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,0,128,512,40")
            == "gemm.csv:3: m: expected a positive finite number, got 0")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "fp9,1,128,512,40")
            == "gemm.csv:3: dtype: unknown dtype \"fp9\"; expected one of fp32, bf16, fp16, fp8, int8, fp4, int4, mxint8, mxint4")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,512")
            == "gemm.csv:3: expected 5 fields, got 4")
        #expect(try gemm(replacing: "latency_us", with: "latency_ms")
            == "gemm.csv:1: expected the header \"dtype,m,n,k,latency_us\"")
        #expect(try loadError("gemm.csv", "") == "gemm.csv:1: expected the header \"dtype,m,n,k,latency_us\"")
    }

    @Test func raggedAndDuplicateGrids() throws {
        #expect(try gemm(replacing: "bf16,4,512,512,320\n", with: "")
            == "gemm.csv: dtype bf16: grid is not full: no row for m 4, n 512, k 512")
        #expect(try gemm(replacing: "bf16,1,128,512,40", with: "bf16,1,128,128,11")
            == "gemm.csv:3: duplicate row for dtype bf16 at m 1, n 128, k 128 (first on line 2)")
        #expect(try loadError("context_attention.csv", contextFixture.replacingOccurrences(of: "bf16,fp8,4,64,32,8,128,40", with: ""))
            == "context_attention.csv: dtype bf16, kv_dtype fp8, heads 32, kv_heads 8, head_size 128: grid is not full: no row for batch 4, input_len 64")
    }

    @Test func badCountsAndKinds() throws {
        #expect(try loadError("generation_attention.csv", generationFixture.replacingOccurrences(of: "fp8,1,1024,8,1,128,8", with: "fp8,1,1024,8.5,1,128,8"))
            == "generation_attention.csv:2: heads: expected a positive whole number, got 8.5")
        #expect(try loadError("collectives.csv", collectiveFixture.replacingOccurrences(of: "all_reduce,nccl,fp16,8,1024,10", with: "broadcast,nccl,fp16,8,1024,10"))
            == "collectives.csv:4: kind: unknown kind \"broadcast\"; expected one of all_reduce, all_gather, reduce_scatter, all_to_all")
    }

    @Test func badMoERows() throws {
        let header = "dtype,hidden,inter,topk,experts,tp,ep,tokens,latency_us\n"
        #expect(try loadError("moe.csv", header + "fp4,2048,768,8,128,1,0,1,54.9\n")
            == "moe.csv:2: ep: expected a positive whole number, got 0")
        #expect(try loadError("moe.csv", header + "fp4,2048,768,8,128,1,1,1,54.9\nfp4,2048,768,8,128,1,1,1,60\n")
            == "moe.csv:3: duplicate row for dtype fp4, hidden 2048, inter 768, topk 8, experts 128, tp 1, ep 1 at tokens 1 (first on line 2)")
    }

    @Test func tooManyRows() throws {
        #expect(try loadError("gemm.csv", gemmFixture, maxRows: 7) == "gemm.csv:9: more than 7 rows")
        #expect(try loadError("gemm.csv", gemmFixture, maxRows: 8) == "no error")
    }

    @Test func windowsLineEndingsAndExponentsAreAccepted() throws {
        let text = gemmFixture.replacingOccurrences(of: "\n", with: "\r\n").replacingOccurrences(of: ",320", with: ",3.2e2")
        let tables = try KernelTables.load(directory: try fixtureDirectory(["gemm.csv": text]))
        #expect(tables.gemmS(m: 4, n: 512, k: 512, dtype: .bf16) == 320e-6)
    }

    @Test func arbitraryBytesNeverTrap() throws {
        // Deterministic garbage: every byte value, commas and newlines mixed in after a valid header.
        var bytes = Array("dtype,m,n,k,latency_us\n".utf8)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes.append(UInt8(truncatingIfNeeded: state >> 56))
        }
        let dir = try fixtureDirectory([:])
        try Data(bytes).write(to: URL(fileURLWithPath: dir + "/gemm.csv"))
        #expect(throws: KernelTableError.self) { try KernelTables.load(directory: dir) }
    }
}
