import ClusterSpec
import ModelGraph

/// One kernel as a serving stack launches it: one op, or several fused (q/k/v as one GEMM, gate
/// and up as one, the activation in a GEMM's epilogue, the attention core as one FlashAttention
/// kernel, a residual add with the next norm). Each group costs one launch, and fused
/// intermediates never go through memory, so fusion shows up as fewer overheads and bytes.
public struct KernelGroup: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case gemm, expertGEMM, lmHead, attention, vector }

    public var kind: Kind
    public var names: [String]
    /// GEMM shape on this chiplet: N (fused outputs summed) and K, after the TP split.
    public var n = 0.0
    public var k = 0.0
    /// Weights this chiplet holds for the group (experts: all it holds).
    public var weightBytes = 0.0
    /// Matmul and vector FLOPs per token on this chiplet (context-independent part).
    public var matmulFLOPsPerToken = 0.0
    public var vectorFLOPsPerToken = 0.0
    /// Activation bytes per token that reach memory (group output; GEMMs also read their input).
    public var activationBytesPerToken = 0.0
    public var inputBytesPerToken = 0.0
    // Attention: local heads, the cached bytes and FLOPs per attended position.
    public var heads = 0
    public var kvHeads = 0
    public var headDim = 0
    public var tabled = true
    /// Sliding or chunked attention window (nil: the whole context).
    public var window: Double?
    public var kvBytesPerPosition = 0.0
    public var prefillFLOPsPerPosition = 0.0
    public var decodeFLOPsPerPosition = 0.0
    public var vectorFLOPsPerPosition = 0.0
    // Routed experts: in the model, on this chiplet, used per token.
    public var experts = 1
    public var expertsHere = 1
    public var topK = 1
    /// Routed experts: the hidden width each routed token's vector has where this group meets
    /// the token order (the permute before gate/up, the un-permute and weighted sum after down).
    public var permuteWidth = 0.0
    /// Routed experts: the MoE layer this group is part of, to look up in a fused-MoE table.
    public var moe: MoEShape?
    /// Set by the compiler before its padding pass: priced on an ideal array that needs no
    /// padding. nil (every planned kernel) is padded as the chip pads.
    public var unpadded: Bool?

    public init(kind: Kind, names: [String]) { self.kind = kind; self.names = names }
}

/// A routed-expert layer's hidden and whole expert intermediate size, and the TP split inside
/// each expert.
public struct MoEShape: Codable, Sendable, Equatable {
    public var hidden: Int
    public var inter: Int
    public var tp: Int
}

extension KernelGroup {
    /// Groups `shares` (one layer's ops on one chiplet, in order) the way `fusions` says: the
    /// planner's and the compiler's fusion pass's one rule.
    public static func build(_ shares: [OpShare], fusions: Set<SoftwareProfile.Fusion>, kvHeads: Int, mla: Bool) -> [KernelGroup] {
        let epilogue: Set<OpKind> = [.mlpActivation, .expertActivation, .sharedExpertActivation]
        var groups: [KernelGroup] = []
        var rotaryFLOPs = 0.0  // a fused rotary's FLOPs, carried into the attention kernel
        var i = 0
        while i < shares.count {
            let op = shares[i]
            var g = KernelGroup(kind: .vector, names: [op.name])
            g.add(op)
            var j = i + 1
            func absorb(while rule: (OpShare) -> Bool) {
                while j < shares.count, rule(shares[j]) { g.add(shares[j]); g.names.append(shares[j].name); j += 1 }
            }
            switch op.kind {
            case .rotary where fusions.contains(.rotary):
                rotaryFLOPs += op.flopsPerToken
                i = j
                continue
            case .attentionScore, .attentionSoftmax, .attentionContext:
                g.kind = .attention
                g.heads = op.outFeatures / max(op.tpDivisor, 1)
                g.kvHeads = max(1, kvHeads / max(op.tpDivisor, 1))
                g.headDim = op.inFeatures
                g.tabled = !mla
                g.window = op.attentionWindow.map(Double.init)
                g.vectorFLOPsPerToken += rotaryFLOPs
                rotaryFLOPs = 0
                absorb { $0.kind.isAttention }
            case .lmHead:
                g.kind = .lmHead
            case let kind where kind.isMatmul:
                g.kind = op.isRoutedExpert ? .expertGEMM : .gemm
                let partners: Set<OpKind> = switch kind {
                case .qProjection where fusions.contains(.qkv): [.kProjection, .vProjection]
                case .mlpGate where fusions.contains(.gateUp): [.mlpUp]
                case .expertGate where fusions.contains(.gateUp): [.expertUp]
                case .sharedExpertGate where fusions.contains(.gateUp): [.sharedExpertUp]
                default: []
                }
                absorb { partners.contains($0.kind) }
                if fusions.contains(.activation) { absorb { epilogue.contains($0.kind) } }
            case .residualAdd where fusions.contains(.normResidual):
                absorb { $0.kind == .norm || $0.kind == .finalNorm }
            default:
                break
            }
            groups.append(g)
            i = j
        }
        // The layer's input norm runs with the previous layer's last residual add.
        if fusions.contains(.normResidual), groups.count > 1, groups[0].kind == .vector, groups[0].names.count == 1,
           shares.first?.kind == .norm, shares.last?.kind == .residualAdd {
            let norm = groups.removeFirst()
            groups[groups.count - 1].vectorFLOPsPerToken += norm.vectorFLOPsPerToken
            groups[groups.count - 1].weightBytes += norm.weightBytes
            groups[groups.count - 1].names += norm.names
        }
        return groups
    }

    /// Adds one op's share to the group.
    mutating func add(_ op: OpShare) {
        let d = Double(max(op.tpDivisor, 1))
        if op.kind.isAttention {
            kvBytesPerPosition += op.kvBytesPerPosition
            if op.kind == .attentionSoftmax {
                vectorFLOPsPerPosition += op.decodeFLOPsPerPosition
            } else {
                prefillFLOPsPerPosition += op.prefillFLOPsPerPosition
                decodeFLOPsPerPosition += op.decodeFLOPsPerPosition
            }
            activationBytesPerToken += op.activationBytesPerToken
            return
        }
        weightBytes += op.weightBytes
        if op.kind.isMatmul {
            matmulFLOPsPerToken += op.flopsPerToken / Double(op.activePerToken)
            if op.rowParallel {
                k = Double(op.inFeatures) / d; n += Double(op.outFeatures)
            } else {
                k = Double(op.inFeatures); n += Double(op.outFeatures) / d
            }
            if inputBytesPerToken == 0 { inputBytesPerToken = op.inputBytesPerToken }
            activationBytesPerToken += op.activationBytesPerToken / Double(op.activePerToken)
            experts = op.experts; expertsHere = op.expertsHere; topK = op.activePerToken
            if op.isRoutedExpert {
                permuteWidth = Double(op.kind == .expertDown ? op.outFeatures : op.inFeatures)
                moe = op.rowParallel ? MoEShape(hidden: op.outFeatures, inter: op.inFeatures, tp: op.tpDivisor)
                    : MoEShape(hidden: op.inFeatures, inter: op.outFeatures, tp: op.tpDivisor)
            }
        } else {
            vectorFLOPsPerToken += op.flopsPerToken / Double(max(op.activePerToken, 1))
            // An elementwise op reads what it writes; fused into a GEMM's epilogue, its output
            // replaces the GEMM's (gate and up never reach memory).
            if inputBytesPerToken == 0 { inputBytesPerToken = op.activationBytesPerToken / Double(max(op.activePerToken, 1)) }
            activationBytesPerToken = op.activationBytesPerToken / Double(max(op.activePerToken, 1))
        }
    }
}

extension KernelGroup {
    /// The first field that cannot be a kernel's, as "key: what is wrong", or nil (a plan carries
    /// these, and plans are user input).
    public var problem: String? {
        if names.isEmpty { return "names: expected the ops of the kernel" }
        let figures: [(String, Double)] = [
            ("n", n), ("k", k), ("weightBytes", weightBytes), ("matmulFLOPsPerToken", matmulFLOPsPerToken),
            ("vectorFLOPsPerToken", vectorFLOPsPerToken), ("activationBytesPerToken", activationBytesPerToken),
            ("inputBytesPerToken", inputBytesPerToken), ("kvBytesPerPosition", kvBytesPerPosition),
            ("prefillFLOPsPerPosition", prefillFLOPsPerPosition), ("decodeFLOPsPerPosition", decodeFLOPsPerPosition),
            ("vectorFLOPsPerPosition", vectorFLOPsPerPosition)]
        for (key, v) in figures where !(v >= 0 && v < 1e18) { return "\(key): expected a finite number ≥ 0, got \(v)" }
        for (key, v) in [("heads", heads), ("kvHeads", kvHeads), ("headDim", headDim)] where !(0...1_000_000).contains(v) {
            return "\(key): expected 0 to 1,000,000, got \(v)"
        }
        if !(1...1_000_000).contains(experts) || !(1...experts).contains(expertsHere) || !(1...experts).contains(topK) {
            return "experts: expected 1 ≤ expertsHere, topK ≤ experts, got \(expertsHere), \(topK) of \(experts)"
        }
        if let moe, ![moe.hidden, moe.inter, moe.tp].allSatisfy({ (1...1_000_000).contains($0) }) {
            return "moe: expected hidden, inter and tp from 1 to 1,000,000, got \(moe.hidden), \(moe.inter), \(moe.tp)"
        }
        return nil
    }
}
