@testable import Runtime

/// Runs hand-written programs (one per rank, chiplet = rank) on an in-process fabric.
enum Harness {
    static func program(_ chiplet: Int, _ instructions: [Instruction]) -> Program {
        Program(chiplet: chiplet, stage: 0, tpRank: chiplet, epRank: 0, dpRank: 0, ops: ["work"],
                prefill: instructions, decodeStep: [], decodeSteps: 0, epilogue: [])
    }

    static func compute(_ seconds: Double) -> Instruction {
        .compute(Compute(op: 0, layer: 0, tile: 0, tileCount: 1, tiles: 1, seconds: seconds, phase: .prefill))
    }

    static func transfer(_ peer: Int, bytes: Double, tag: Int32 = 7) -> Transfer {
        Transfer(peer: Int32(peer), tag: tag, bytes: bytes, purpose: .stageSend, layer: 0, step: 0, combine: .replace,
                 unitStart: 0, unitCount: 1, units: 1, phase: .prefill)
    }

    /// Each rank's figures (clock at the end is `prefillEndS`), or the first error.
    static func run(_ programs: [Program], link: LinkModel, timeoutS: Double = 10) throws -> [ChipletFigures] {
        var ranks = [Int](repeating: -1, count: (programs.map(\.chiplet).max() ?? 0) + 1)
        for (rank, p) in programs.enumerated() { ranks[p.chiplet] = rank }
        let rankOf = ranks
        let results = InProcessFabric.run(ranks: programs.count, timeoutS: timeoutS) { fabric in
            let executor = Executor(program: programs[fabric.rank], fabric: fabric, link: link, rankOf: rankOf, tracing: false)
            try executor.run()
            return executor.figures
        }
        return try results.map { try $0.get() }
    }

    /// One level of 8 chiplets: α = 2 µs, 1 GB/s per chiplet; a second level joins two units.
    static let link = LinkModel(levels: [
        .init(name: "package", chipletsPerUnit: 8, alphaS: 2e-6, bytesPerS: 1e9),
        .init(name: "node", chipletsPerUnit: 16, alphaS: 5e-6, bytesPerS: 1e8),
    ])
}
