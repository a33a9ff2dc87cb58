/// One transformation of the kernel graph, named verb-noun (`fuse-kernels`), one per file in
/// Passes/. A pass rewrites kernels or annotates them; the cost model prices whatever it leaves.
public protocol GraphPass: Sendable {
    /// The name `--disable-pass`, `--enable-pass` and `--print-after` take.
    var name: String { get }
    /// One line for `tessera lower --help` and the `--passes` table.
    var summary: String { get }
    /// Whether the default pipeline runs it (passes whose effect no shipped profile's stack has
    /// are opt-in, so that the default reproduces the planner's calibrated prediction).
    var enabledByDefault: Bool { get }
    func run(_ graph: inout KernelGraph, _ context: CompileContext)
}

extension GraphPass {
    public var enabledByDefault: Bool { true }
}

/// The pipeline, in order. Why each step is where it is:
public enum Pipeline {
    public static let passes: [any GraphPass] = [
        // Constants first: folding shrinks ops before anything groups them.
        FoldConstants(),
        // Fusion next, on whole ops: it decides which kernels exist for every later pass.
        FuseKernels(),
        // After fusion, since a folded scale leaves whichever kernel now holds its norm.
        FoldNormWeights(),
        // Layout needs the fused kernels' shapes (a fused QKV weight is one concatenated matrix).
        LayoutTiles(),
        // Padding rounds the laid-out shapes to whole array tiles.
        PadToArray(),
        // Tiling cuts the padded weights into blocks that fit on-chip memory.
        TileToMemory(),
        // Scheduling last: it orders the final kernels and their weight loads and collectives.
        ScheduleKernels(),
    ]

    public static var names: [String] { passes.map(\.name) }

    public static func pass(named name: String) -> (any GraphPass)? { passes.first { $0.name == name } }
}
