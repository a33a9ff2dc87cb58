import Capacity
import Foundation
import MessagePassing

/// A sweep split over MPI ranks: rank 0 reads the store and broadcasts the pending points; rank r
/// takes every size-th of them; workers send each point's rows to rank 0 as JSON bytes, and rank 0
/// stores them as they arrive (the store orders rows by point, so the result matches one process).
public struct DistributedSweep {
    let world: Communicator
    public let sweep: CapacitySweep

    /// The sweep split over this job's ranks, or nil when this process is not one of several
    /// ranks started by mpirun (then the caller runs the sweep on its own).
    public static func join(_ sweep: CapacitySweep) throws(MPIError) -> DistributedSweep? {
        guard MPILauncher.isUnderLauncher() else { return nil }
        let world = try MPIRuntime.world()
        return world.size > 1 ? DistributedSweep(world: world, sweep: sweep) : nil
    }

    /// Whether this rank leads (opens the store, writes the reports): rank 0.
    public var leads: Bool { world.rank == 0 }

    static let rowsTag = 1, doneTag = 2

    /// A point's rows as they travel.
    struct Parcel: Codable {
        var point: Int
        var candidates: Int
        var rows: [ResultRow]
    }

    /// Rank 0: share out the work, do its own part, store everyone's. A failure to read the store
    /// is passed on to the workers (so they stop) and thrown as it was.
    public func lead(store: ResultStore, progress: @escaping (SweepProgress) -> Void) throws {
        let todo: [CapacityPoint]
        do { todo = try sweep.pending(in: store) } catch {
            var abort = [-1]
            try world.broadcast(&abort, root: 0)
            throw error
        }
        var count = [todo.count]
        try world.broadcast(&count, root: 0)
        var indices = todo.map(\.index)
        if !indices.isEmpty { try world.broadcast(&indices, root: 0) }
        let points = sweep.points, total = points.count, already = total - todo.count
        let start = Date()
        var done = already, workersDone = 0
        let record = { (point: CapacityPoint, rows: [ResultRow], candidates: Int) throws in
            try store.record(point, rows: rows, candidates: candidates)
            done += 1
            progress(
                SweepProgress(
                    done: done, total: total, alreadyDone: already,
                    elapsedSeconds: Date().timeIntervalSince(start)))
        }
        let receive = { (status: Status) throws in
            let message = try world.recv(
                UInt8.self, maxCount: max(1, status.byteCount), from: status.source, tag: status.tag)
            if status.tag == Self.doneTag { workersDone += 1; return }
            let parcel = try JSONDecoder().decode(Parcel.self, from: Data(message.values))
            try record(points[parcel.point], parcel.rows, parcel.candidates)
        }
        for point in mine(todo) {
            let result = sweep.evaluate(point)
            try record(point, result.rows, result.candidates)
            while let status = try world.iprobe() { try receive(status) }
        }
        while workersDone < world.size - 1 { try receive(try world.probe()) }
    }

    /// Ranks above 0: evaluate the share, send each point's rows, then say done.
    public func work() throws {
        var count = [0]
        try world.broadcast(&count, root: 0)
        guard count[0] >= 0 else { return }
        var indices = [Int](repeating: 0, count: count[0])
        if !indices.isEmpty { try world.broadcast(&indices, root: 0) }
        let points = sweep.points
        let encoder = JSONEncoder()
        for point in mine(indices.map { points[$0] }) {
            let result = sweep.evaluate(point)
            let bytes = try encoder.encode(Parcel(point: point.index, candidates: result.candidates, rows: result.rows))
            try world.send([UInt8](bytes), to: 0, tag: Self.rowsTag)
        }
        try world.send([UInt8(0)], to: 0, tag: Self.doneTag)
    }

    private func mine(_ todo: [CapacityPoint]) -> [CapacityPoint] {
        todo.enumerated().filter { $0.offset % world.size == world.rank }.map(\.element)
    }
}
