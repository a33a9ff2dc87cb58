/// Which layers attend within a window (sliding or chunked), from `layer_types` when the file
/// has it, else from the family's rule (see `WindowRule`).
extension ModelConfig {
    mutating func readWindows(_ json: JSONObjectReader, rule: WindowRule) throws(ModelGraphError) {
        if let types = try json.optionalStringArray("layer_types") {
            try readLayerTypes(json, types)
            return
        }
        let window = try json.optionalInt("sliding_window")
        switch rule {
        case .none:
            return
        case .all:
            guard let window, try json.optionalBool("use_sliding_window") != false else { return }
            set(window: window) { _ in true }
        case .qwen:
            guard let window, try json.optionalBool("use_sliding_window") == true else { return }
            let from = try json.optionalInt("max_window_layers", minimum: 0) ?? layers
            set(window: window) { $0 >= from }
        case .alternate:
            guard let window else { return }
            set(window: window) { $0 % 2 == 0 }
        case .pattern:
            guard let window else { return }
            let pattern = try json.optionalInt("sliding_window_pattern") ?? 6
            set(window: window) { ($0 + 1) % pattern != 0 }
        case .chunked:
            guard let chunk = try json.optionalInt("attention_chunk_size") else { return }
            if let rope = try json.optionalIntArray("no_rope_layers"), rope.count == layers {
                set(window: chunk) { rope[$0] != 0 }
            } else {
                let interval = try json.optionalInt("no_rope_layer_interval") ?? 4
                set(window: chunk) { ($0 + 1) % interval != 0 }
            }
        }
    }

    private mutating func set(window: Int, windowed: (Int) -> Bool) {
        slidingWindow = window
        windowedLayers = (0..<layers).map(windowed)
    }

    /// `full_attention`, `sliding_attention` (window `sliding_window`) or `chunked_attention`
    /// (window `attention_chunk_size`); any other layer type (linear attention, Mamba) is refused.
    private mutating func readLayerTypes(_ json: JSONObjectReader, _ types: [String]) throws(ModelGraphError) {
        guard types.count == layers else {
            throw .invalidValue(file: json.file, key: "layer_types", value: "\(types.count) entries",
                                expected: "one per layer (\(layers))")
        }
        var windowed: [Bool] = []
        for (i, type) in types.enumerated() {
            switch type {
            case "full_attention": windowed.append(false)
            case "sliding_attention", "chunked_attention": windowed.append(true)
            default:
                throw .unsupportedArchitecture(file: json.file, modelType: modelType,
                                               reason: "layer_types[\(i)] is `\(type)`; Tessera models full, sliding and chunked attention only")
            }
        }
        guard windowed.contains(true) else { return }
        let key = types.contains("chunked_attention") ? "attention_chunk_size" : "sliding_window"
        slidingWindow = try json.optionalInt(key)
        guard slidingWindow != nil else {
            throw .missingKey(file: json.file, key: key, expected: "a positive integer, since layer_types has windowed layers")
        }
        windowedLayers = windowed
    }
}
