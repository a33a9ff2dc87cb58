import Foundation

/// Where a sweep stands, for progress displays.
public struct SweepProgress: Sendable, Equatable {
    public var done: Int
    public var total: Int
    /// Points found in the store when the run began.
    public var alreadyDone: Int
    public var elapsedSeconds: Double

    public init(done: Int, total: Int, alreadyDone: Int, elapsedSeconds: Double) {
        self.done = done; self.total = total; self.alreadyDone = alreadyDone; self.elapsedSeconds = elapsedSeconds
    }

    /// Points computed in this run per second.
    public var pointsPerSecond: Double {
        elapsedSeconds > 0 ? Double(done - alreadyDone) / elapsedSeconds : 0
    }

    public var etaSeconds: Double? {
        let rate = pointsPerSecond
        return rate > 0 ? Double(total - done) / rate : nil
    }
}

extension CapacitySweep {
    /// Points not yet in the store, in sweep order.
    public func pending(in store: ResultStore) throws(CapacityError) -> [CapacityPoint] {
        let done = try store.doneKeys()
        return points.filter { !done.contains($0.key) }
    }

    /// Evaluates and stores every pending point in order (at most `stopAfter` of them, for tests
    /// that interrupt a sweep), calling `progress` after each.
    public func run(store: ResultStore, stopAfter: Int? = nil,
                    progress: (SweepProgress) -> Void = { _ in }) throws(CapacityError) {
        let todo = try pending(in: store)
        let total = points.count, already = total - todo.count
        let start = Date()
        for (i, point) in todo.prefix(stopAfter ?? todo.count).enumerated() {
            let result = evaluate(point)
            try store.record(point, rows: result.rows, candidates: result.candidates)
            progress(SweepProgress(done: already + i + 1, total: total, alreadyDone: already,
                                   elapsedSeconds: Date().timeIntervalSince(start)))
        }
    }
}
