/// The weight dtype a `config.json` declares: `quantization_config` first, then `torch_dtype`
/// (or the newer `dtype`). Plans use it unless a flag overrides it (`ModelConfig.defaultPrecision`).
extension ModelConfig {
    static func fileWeights(_ json: JSONObjectReader) throws(ModelGraphError) -> DType? {
        if let q = try json.optionalObject("quantization_config") {
            return try quantized(q)
        }
        let key = json.has("torch_dtype") ? "torch_dtype" : "dtype"
        guard let name = try json.optionalString(key) else { return nil }
        switch name {
        case "bfloat16": return .bf16
        case "float16": return .fp16
        case "float32": return .fp32
        default:
            throw .invalidValue(file: json.file, key: key, value: "`\(name)`", expected: "bfloat16, float16 or float32")
        }
    }

    /// fp8 (DeepSeek-V3 block FP8, FBGEMM), mxfp4 (gpt-oss experts; counted as fp4 for all
    /// weights), AWQ/GPTQ by `bits`, bitsandbytes by `load_in_4bit`/`load_in_8bit`.
    private static func quantized(_ q: JSONObjectReader) throws(ModelGraphError) -> DType {
        let method = try q.string("quant_method")
        switch method {
        case "fp8", "fbgemm_fp8": return .fp8
        case "mxfp4": return .fp4
        case "awq", "gptq":
            let bits = try q.optionalInt("bits") ?? 4
            switch bits {
            case 4: return .int4
            case 8: return .int8
            default:
                throw .invalidValue(file: q.file, key: q.prefix + "bits", value: "\(bits)", expected: "4 or 8")
            }
        case "bitsandbytes":
            if try q.optionalBool("load_in_4bit") == true { return .int4 }
            return .int8
        default:
            throw .invalidValue(file: q.file, key: q.prefix + "quant_method", value: "`\(method)`",
                                expected: "fp8, fbgemm_fp8, mxfp4, awq, gptq or bitsandbytes")
        }
    }
}
