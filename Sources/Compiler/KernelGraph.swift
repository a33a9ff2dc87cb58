import CostModel
import Planner

/// The graph the compiler's passes rewrite: for the head, the tail and each layer class of a
/// planned model, the ops one chiplet runs (after the plan's TP/EP split, in program order) and
/// the kernels that run them. Layers of one class are identical, so each class is rewritten once.
public struct KernelGraph: Sendable {
    /// One launched kernel: a cost-model kernel group plus what the passes decided about it.
    public struct Kernel: Sendable {
        public var group: KernelGroup
        /// What passes did to this kernel, in pipeline order (printed by `--print-after`).
        public var notes: [String] = []

        public init(group: KernelGroup, notes: [String] = []) { self.group = group; self.notes = notes }
    }

    public struct Section: Sendable {
        /// "head", "tail" or "layer class N".
        public var name: String
        /// Times this section runs in one forward pass of the model (layers of the class).
        public var layers: Int
        public var ops: [OpShare]
        public var kernels: [Kernel]
        /// Tiles of each weighted op (the tile pass; an op missing here runs as one tile).
        public var tilings: [String: Tiling] = [:]

        /// The kernel that runs op `name`.
        public func kernelIndex(of name: String) -> Int? { kernels.firstIndex { $0.group.names.contains(name) } }
    }

    /// Head, tail, then the layer classes in `ModelShard.classes` order.
    public var sections: [Section]

    public var head: Section { sections[0] }
    public var tail: Section { sections[1] }
    public var classes: ArraySlice<Section> { sections[2...] }

    /// The shard one op per kernel (the attention core, score·softmax·context, is one kernel on
    /// every stack), every GEMM priced on an ideal array until the padding pass.
    public init(lifting shard: ModelShard, context c: CompileContext) {
        func lift(_ l: LayerShard, _ name: String, layers: Int) -> Section {
            let kernels = KernelGroup.build(l.ops, fusions: [], kvHeads: c.kvHeads, mla: c.mla).map { g in
                var g = g
                if g.isGEMM { g.unpadded = true }
                return Kernel(group: g)
            }
            return Section(name: name, layers: layers, ops: l.ops, kernels: kernels)
        }
        sections = [lift(shard.head, "head", layers: 1), lift(shard.tail, "tail", layers: 1)]
            + shard.classes.enumerated().map { i, l in
                lift(l, "layer class \(i)", layers: shard.layerClass.filter { $0 == i }.count)
            }
    }

    /// The shard launched as this graph's kernels.
    public func applied(to shard: ModelShard) -> ModelShard {
        shard.replacingKernels(head: head.kernels.map(\.group), tail: tail.kernels.map(\.group),
                               classes: classes.map { $0.kernels.map(\.group) })
    }
}

extension KernelGroup {
    /// Kernels whose cost is a matrix product over weights (the ones that tile and pad).
    var isGEMM: Bool { kind == .gemm || kind == .expertGEMM || kind == .lmHead }
}
