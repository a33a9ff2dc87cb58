import ClusterSpec
import CostModel
import ModelGraph
import Planner

/// What the passes know about the target: the plan's chip, its software's fusions and the
/// on-chip memory a tile may use. Built once per compilation from the plan and its cluster.
public struct CompileContext: Sendable {
    /// The fusions the serving stack's profile lists (what the fusion pass applies).
    public var fusions: Set<SoftwareProfile.Fusion>
    public var kvHeads: Int
    public var mla: Bool
    /// Edge of the chip's native matrix tile in elements (the padding and layout unit).
    public var arrayEdge: Int
    /// Output tiles of a GEMM spread over this many units (nil: the chip file gives no array).
    public var computeUnits: Int?
    /// Whether GEMMs are priced from measured kernels (which are padded as the kernel pads).
    public var measuredKernels: Bool
    /// On-chip bytes a tile may use (half of it double-buffers the next tile).
    public var bufferBytes: Double
    /// Activation rows of one decode microbatch on a chiplet (what a weight tile is sized against).
    public var decodeRows: Int
    public var weightBytesPerElement: Double
    public var activationBytesPerElement: Double
    /// Rotary tables cover this many positions, `rotaryDim` wide.
    public var maxPositions: Int
    public var headDim: Int
    /// Weights stay on chip (nothing to prefetch) rather than stream from an outer tier.
    public var weightStationary: Bool
    /// Collectives the plan runs (the schedule pass says whether they overlap compute).
    public var tp: Int
    public var ep: Int

    public init(fusions: Set<SoftwareProfile.Fusion>, kvHeads: Int, mla: Bool, arrayEdge: Int = tileAlignment,
                computeUnits: Int? = nil, measuredKernels: Bool = false, bufferBytes: Double = defaultOnChipBytes,
                decodeRows: Int = 1, weightBytesPerElement: Double = 2, activationBytesPerElement: Double = 2,
                maxPositions: Int = 4096, headDim: Int = 64, weightStationary: Bool = false, tp: Int = 1, ep: Int = 1) {
        self.fusions = fusions; self.kvHeads = kvHeads; self.mla = mla; self.arrayEdge = arrayEdge
        self.computeUnits = computeUnits; self.measuredKernels = measuredKernels; self.bufferBytes = bufferBytes
        self.decodeRows = decodeRows; self.weightBytesPerElement = weightBytesPerElement
        self.activationBytesPerElement = activationBytesPerElement; self.maxPositions = maxPositions
        self.headDim = headDim; self.weightStationary = weightStationary; self.tp = tp; self.ep = ep
    }
}
