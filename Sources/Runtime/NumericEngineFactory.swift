import Planner

/// Builds the numeric engine of one chiplet and checks the gathered logits (numeric mode).
enum NumericEngineFactory {
    static func make(plan: Plan, program: Program, options: EmulationOptions) throws -> NumericEngine {
        throw FabricError("numeric mode is not built yet")
    }

    static func compare(plan: Plan, options: EmulationOptions, logits: [(sequence: Int, logits: [Float])]) throws -> Double {
        throw FabricError("numeric mode is not built yet")
    }
}
