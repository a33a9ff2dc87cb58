import Foundation
import Testing

/// `tessera lower --passes` as a user runs it: the table's kernel counts and TPOT per pass on
/// Llama-3-70B (DGX H100 and Corsair), a disabled pass, the IR dump, and the program files.
@Suite struct LowerPassesTests {
    let cli = PlanCommandTests()

    func scratch() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tessera-lower-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.path
    }

    func plan(_ arguments: [String]) throws -> String {
        let path = try scratch() + "/plan.json"
        let r = try cli.tessera(["plan", "--input-tokens", "1024", "--output-tokens", "128"] + arguments + ["-o", path])
        try #require(r.status == 0, "\(r.err)")
        return path
    }

    /// The table's row for `pass`, its cells split on runs of two or more spaces.
    func row(_ out: String, _ pass: String) throws -> [String] {
        let line = try #require(out.split(separator: "\n").first { $0.hasPrefix(pass + " ") }, "no row \(pass) in:\n\(out)")
        return line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// "43.521 → 37.922" → (43.521, 37.922).
    func change(_ cell: String) throws -> (Double, Double) {
        let parts = cell.components(separatedBy: " → ").compactMap(Double.init)
        try #require(parts.count == 2, "\(cell)")
        return (parts[0], parts[1])
    }

    @Test func fusionCutsKernelsPerLayerAndTPOTOnH100() throws {
        let path = try plan(["--model", "Workloads/llama-3-70b.json", "--cluster", "Clusters/dgx-h100.yaml", "--tp", "8", "--batch", "64"])
        let r = try cli.tessera(["lower", path, "--passes"])
        #expect(r.status == 0, "\(r.err)")
        // pass, ops/layer, kernels/layer, kernels/step, MB/step, TPOT, TTFT
        let fuse = try row(r.out, "fuse-kernels")
        #expect(fuse[1] == "16" && fuse[2] == "14 → 7" && fuse[3] == "1123 → 563")
        let tpot = try change(fuse[5])
        #expect(tpot.1 < tpot.0)
        #expect(try row(r.out, "fold-norm-weights") == ["fold-norm-weights", "skipped"])
        #expect(try row(r.out, "schedule")[2] == "7")
        #expect(r.out.hasSuffix("(the default pipeline reproduces it)\n"))

        let off = try cli.tessera(["lower", path, "--passes", "--disable-pass", "fuse-kernels"])
        #expect(off.status == 0, "\(off.err)")
        #expect(try row(off.out, "fuse-kernels") == ["fuse-kernels", "skipped"])
        let last = try row(off.out, "schedule")
        #expect(last[2] == "14" && last[3] == "1123")
        #expect(Double(last[5]) == tpot.0)  // the unfused graph's TPOT, above the plan's
    }

    @Test func fusionCutsKernelsPerLayerOnCorsair() throws {
        let path = try plan(["--model", "Workloads/llama-3-70b.json", "--cluster", "Clusters/corsair-rack.yaml", "--precision", "mxint8",
                             "--tp", "8", "--pp", "2", "--batch", "32"])
        let r = try cli.tessera(["lower", path, "--passes"])
        #expect(r.status == 0, "\(r.err)")
        let fuse = try row(r.out, "fuse-kernels")
        // Stage 0: the embedding and 40 layers.
        #expect(fuse[2] == "14 → 7" && fuse[3] == "561 → 281")
        let tpot = try change(fuse[5])
        #expect(tpot.1 < tpot.0)
    }

    @Test func printAfterDumpsTheKernelGraph() throws {
        let path = try plan(["--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-h100.yaml", "--precision", "bf16",
                             "--tp", "2", "--batch", "2"])
        let r = try cli.tessera(["lower", path, "--print-after", "fuse-kernels"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("layer class 0 (×4): 16 ops, 7 kernels\n"))
        #expect(r.out.contains("  k0 gemm [attn.q_proj, attn.k_proj, attn.v_proj]  N=256 K=256 unpadded  weights 128 KiB\n"))
        let bad = try cli.tessera(["lower", path, "--print-after", "fuse"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--print-after fuse: no such pass; expected lift or one of fold-constants, fuse-kernels"))
        let optIn = try cli.tessera(["lower", path, "--print-after", "fold-norm-weights"])
        #expect(optIn.err == "error: --print-after fold-norm-weights: the pass did not run (it is disabled, or opt-in: "
            + "--enable-pass fold-norm-weights)\n")
    }

    /// Programs are tessera.program/1 JSON lines; past --warn-mb the command warns and offers --one-replica.
    @Test func programFilesAndTheSizeWarning() throws {
        let path = try plan(["--model", "Workloads/tiny-llama.json", "--cluster", "Clusters/dgx-h100.yaml", "--precision", "bf16",
                             "--tp", "2", "--dp", "2", "--batch", "2"])
        let out = try scratch()
        let r = try cli.tessera(["lower", path, "-o", out, "--steps", "1", "--warn-mb", "0.01"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.hasPrefix("warning: 4 programs come to about 0."))
        #expect(r.err.contains(" MB (past --warn-mb 0.01); --one-replica writes the 2 of replica 0 (about 0."))
        let first = try String(contentsOfFile: out + "/chiplet-0.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(first[0].contains(#""schema":"tessera.program/1""#))
        #expect(first[1].hasPrefix(#"{"compute":{"kernel":0,"layer":-1,"op":0,"phase":"prefill""#))
        let index = try String(contentsOfFile: out + "/index.json", encoding: .utf8)
        #expect(index.contains(#""schema" : "tessera.program/1""#))
        let one = try cli.tessera(["lower", path, "-o", try scratch(), "--one-replica", "--warn-mb", "0.01"])
        #expect(one.status == 0 && one.err.isEmpty, "\(one.err)")
    }
}
