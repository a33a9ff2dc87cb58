import ModelGraph

/// `tessera model --list-architectures`: the registry, accepted families first.
enum ArchitectureList {
    static var text: String {
        let all = ArchitectureRegistry.all
        var lines = ["Accepted model_types (\(all.filter { $0.refusal == nil }.count)):"]
        for a in all where a.refusal == nil {
            lines.append("  \(a.modelType): \(a.blocks)")
            lines.append("    keys: \(a.keysRead.joined(separator: ", "))")
        }
        lines.append("")
        lines.append("Refused model_types (\(all.filter { $0.refusal != nil }.count)):")
        for a in all {
            guard let refusal = a.refusal else { continue }
            lines.append("  \(a.modelType): \(a.blocks): \(refusal)")
        }
        return lines.joined(separator: "\n")
    }
}
