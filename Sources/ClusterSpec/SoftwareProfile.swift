/// The serving stack's part of the time: what the software adds on top of the kernels, and the
/// limits its scheduler sets. The same chip runs at very different speeds under different stacks
/// (calibration.md: Llama-70B on H100 decodes about twice as fast under TensorRT-LLM 1.x as under
/// v0.5), so these figures belong to a profile that a scenario or measurement names, not to the chip.
public struct SoftwareProfile: Sendable, Equatable, Encodable {
    /// Which kernels a stack fuses; each fused group costs one launch and skips the round trip of
    /// its intermediate activations through memory.
    public enum Fusion: String, Sendable, CaseIterable, Encodable {
        /// q, k and v projections as one GEMM.
        case qkv
        /// gate and up projections as one GEMM (SwiGLU).
        case gateUp
        /// the MLP's activation in the up/gate GEMM's epilogue.
        case activation
        /// rotary embedding inside the attention kernel.
        case rotary
        /// residual add and the following norm as one kernel (or folded into the all-reduce).
        case normResidual
    }

    /// How the scheduler admits requests against K/V-cache capacity.
    public enum KVAdmission: String, Sendable, CaseIterable, Encodable {
        /// Reserve a request's whole context (input + output) on admission (TensorRT-LLM's default
        /// GUARANTEED_NO_EVICT policy).
        case fullContext
        /// Pages are taken as tokens arrive, so capacity goes by the average live context (vLLM).
        case averageContext
    }

    public var name: String
    /// Host-side cost of launching one kernel group eagerly (no CUDA graph).
    public var kernelLaunchUs: Double
    /// Whether decode-only iterations replay a captured graph, where a kernel costs `graphKernelUs`.
    public var cudaGraphs: Bool
    public var graphKernelUs: Double
    /// Fixed cost of one forward iteration: scheduling, sampling, host–device synchronisation.
    public var stepOverheadUs: Double
    /// Host time per running request per iteration (scheduling, sampling and bookkeeping in the
    /// serving process), on top of `stepOverheadUs`.
    public var requestOverheadUs: Double
    /// Whether the host prepares the next iteration while the device runs this one (TensorRT-LLM's
    /// overlap scheduler), so an iteration takes the longer of the two rather than their sum.
    public var overlapScheduler: Bool
    /// Token budget of one iteration (prefill chunks plus decode tokens); nil = unlimited.
    public var maxNumTokens: Int?
    /// Largest running batch the scheduler keeps; nil = limited by memory only.
    public var maxBatch: Int?
    /// Fraction of the memory left after weights, activations and the runtime reserve that the
    /// K/V cache may take.
    public var kvCacheFraction: Double
    public var kvAdmission: KVAdmission
    /// Speed of this stack's kernels relative to the measured tables or the analytical model
    /// (1 = as tabled; older kernel libraries are slower).
    public var kernelEfficiency: Double
    /// Whether the decode attention kernel reads each K/V head once for its whole group of query
    /// heads (TensorRT-LLM's XQA, FlashDecoding). Without it (v0.5's masked multi-head attention
    /// kernel, one thread block per query head) a GQA model's decode reads its K/V once per query
    /// head, as a multi-head model of as many K/V heads would.
    public var groupedQueryDecode: Bool
    public var fusions: Set<Fusion>
    /// A hosted service's time per request outside the model: the network round trip, HTTP and
    /// TLS, tokenising and queueing at the front end. It adds to TTFT only; a request in transit
    /// does not hold the machine. 0 for a machine measured at its own host (trtllm-bench).
    public var frontEndMs: Double
    /// Where the profile came from, for reports.
    public var sourceFile: String

    public init(name: String, kernelLaunchUs: Double = 0, cudaGraphs: Bool = false, graphKernelUs: Double = 0,
                stepOverheadUs: Double = 0, requestOverheadUs: Double = 0, overlapScheduler: Bool = false, maxNumTokens: Int? = nil, maxBatch: Int? = nil,
                kvCacheFraction: Double = 1, kvAdmission: KVAdmission = .fullContext,
                kernelEfficiency: Double = 1, groupedQueryDecode: Bool = true, fusions: Set<Fusion> = Set(Fusion.allCases),
                frontEndMs: Double = 0, sourceFile: String? = nil) {
        self.name = name
        self.kernelLaunchUs = kernelLaunchUs
        self.cudaGraphs = cudaGraphs
        self.graphKernelUs = graphKernelUs
        self.stepOverheadUs = stepOverheadUs
        self.overlapScheduler = overlapScheduler
        self.requestOverheadUs = requestOverheadUs
        self.maxNumTokens = maxNumTokens
        self.maxBatch = maxBatch
        self.kvCacheFraction = kvCacheFraction
        self.kvAdmission = kvAdmission
        self.kernelEfficiency = kernelEfficiency
        self.groupedQueryDecode = groupedQueryDecode
        self.fusions = fusions
        self.frontEndMs = frontEndMs
        self.sourceFile = sourceFile ?? name
    }

    /// No software cost at all: the hardware model alone (what a cluster without a profile gets).
    public static let bare = SoftwareProfile(name: "bare")

    /// Per kernel group launch cost in an iteration that does (`prefill`) or does not run prefill:
    /// graphs are captured for decode-only batches, as TensorRT-LLM and vLLM do.
    public func launchUs(prefill: Bool) -> Double {
        cudaGraphs && !prefill ? graphKernelUs : kernelLaunchUs
    }

    /// The average launch cost when a share of iterations (0…1) carry a prompt chunk: at low
    /// load most iterations decode only and replay a graph.
    public func launchUs(prefillShare share: Double) -> Double {
        let s = min(max(share, 0), 1)
        return s * launchUs(prefill: true) + (1 - s) * launchUs(prefill: false)
    }
}
