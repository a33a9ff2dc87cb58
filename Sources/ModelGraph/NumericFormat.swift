/// A number format as numeric emulation simulates it: the element encoding plus how scales are
/// shared. `DType` is what the cost model prices; several formats price as one dtype (int8 per
/// channel and per group are both `int8`).
///
/// - `int8-channel`, `int4-channel`: symmetric integers, one FP32 scale per output channel of a
///   weight (absmax / qmax, as LLM.int8 and GPTQ's per-channel mode).
/// - `int8-g128`, `int4-g128`: one scale per 128 consecutive input rows of a channel (GPTQ/AWQ groups).
/// - `fp8-e4m3`, `fp8-e5m2`: OCP FP8 (Micikevicius et al. 2022) with one FP32 scale per tensor
///   (weights: absmax / max-finite; activations and K/V: the calibrated absmax).
/// - `mxint8`, `mxint4`, `mxfp4`: OCP Microscaling v1.0: 32-element blocks along the reduction
///   dimension sharing one E8M0 (power-of-two) scale; elements int8, int4 (assumed, as DType says)
///   or FP4 E2M1.
/// - `fp32`, `bf16`, `fp16`: element rounding only.
/// Activations and K/V in an integer or FP8 format use one static scale per tensor from the
/// calibration batch (the channel or group part of the name applies to weights only).
public enum NumericFormat: String, Codable, CaseIterable, Sendable {
    case fp32, bf16, fp16
    case fp8E4M3 = "fp8-e4m3", fp8E5M2 = "fp8-e5m2"
    case int8Channel = "int8-channel", int8Group = "int8-g128"
    case int4Channel = "int4-channel", int4Group = "int4-g128"
    case mxint8, mxint4, mxfp4

    /// The dtype the cost model prices this format as (MXFP4 as fp4).
    public var dtype: DType {
        switch self {
        case .fp32: .fp32
        case .bf16: .bf16
        case .fp16: .fp16
        case .fp8E4M3, .fp8E5M2: .fp8
        case .int8Channel, .int8Group: .int8
        case .int4Channel, .int4Group: .int4
        case .mxint8: .mxint8
        case .mxint4: .mxint4
        case .mxfp4: .fp4
        }
    }

    /// Activations and K/V in this format need a calibrated per-tensor scale.
    public var needsCalibration: Bool {
        switch self {
        case .fp8E4M3, .fp8E5M2, .int8Channel, .int8Group, .int4Channel, .int4Group: true
        default: false
        }
    }

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

extension NumericFormat {
    /// The format that stands for a dtype when only the dtype is known (e.g. `--activations` under
    /// `--precision auto`): int8/int4 as their per-channel forms, fp8 as E4M3, fp4 as MXFP4.
    public static func standing(for dtype: DType) -> NumericFormat {
        switch dtype {
        case .fp32: .fp32
        case .bf16: .bf16
        case .fp16: .fp16
        case .fp8: .fp8E4M3
        case .int8: .int8Channel
        case .int4: .int4Channel
        case .mxint8: .mxint8
        case .mxint4: .mxint4
        case .fp4: .mxfp4
        }
    }
}
