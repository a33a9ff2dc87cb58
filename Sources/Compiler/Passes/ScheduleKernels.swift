/// Scheduling: kernels run in the layer's dependency order (a chain, so the order is the graph's);
/// while a kernel computes, the next kernel's first weight tile loads into the buffer's other half
/// (double-buffered, which is what lets the cost model take the slower of compute and weight
/// traffic rather than their sum); collectives start when the kernel that produces their input
/// ends and the next kernel waits for them (the stacks modelled do not overlap them, and the
/// cost model adds them in series). Moves no time; it states the order the program keeps.
public struct ScheduleKernels: GraphPass {
    public let name = "schedule"
    public let summary = "order, double-buffered weight loads, collectives in series"
    public init() {}

    public func run(_ graph: inout KernelGraph, _ c: CompileContext) {
        for s in graph.sections.indices {
            let kernels = graph.sections[s].kernels
            for (k, kernel) in kernels.enumerated() {
                var parts = ["#\(k + 1) of \(kernels.count)"]
                if let next = kernels[(k + 1)...].firstIndex(where: { $0.group.weightBytes > 0 }), !c.weightStationary {
                    parts.append("prefetches k\(next)'s weights")
                }
                if c.weightStationary && kernel.group.weightBytes > 0 { parts.append("weights stay on chip") }
                graph.sections[s].kernels[k].notes.append("\(name): " + parts.joined(separator: "; "))
            }
        }
    }
}
