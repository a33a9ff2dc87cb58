import Testing
import Foundation
import Planner
@testable import Runtime

@Suite struct ExploreTests {
    @Test func explore() throws {
        let plan = try Fixtures.plan(tp: 2, pp: 2)
        print(plan.levels)
        print(plan.communication, plan.prefillMicrobatches, plan.batch)
        for c in plan.layerClasses { for op in c.ops { print(op.name, op.kind, op.tiling.tiles, op.prefillSeconds, op.decodeSeconds, op.collectivesAfter) } }
        for op in plan.head.ops + plan.tail.ops { print(op.name, op.kind, op.collectivesAfter) }
        let r = try Fixtures.emulate(plan)
        print(r.report)
        var o = EmulationOptions(); o.numeric = true
        let n = try Fixtures.emulate(plan, o)
        print(n.report)
    }
}
