/// A message between chiplet runtimes. Timing mode: `payload` empty, `bytes` is the modelled size.
public struct Message: Sendable {
    public var source: Int
    public var tag: Int
    /// Sender's virtual clock when the message left.
    public var sendTimeS: Double
    /// From the sender's link model (latency + serialised bytes/bandwidth).
    public var arrivalTimeS: Double
    public var bytes: Double
    public var payload: [Float]

    public init(source: Int, tag: Int, sendTimeS: Double, arrivalTimeS: Double, bytes: Double, payload: [Float] = []) {
        self.source = source; self.tag = tag; self.sendTimeS = sendTimeS
        self.arrivalTimeS = arrivalTimeS; self.bytes = bytes; self.payload = payload
    }
}

/// What a chiplet runtime talks through: `InProcessFabric` (threads in one process, for unit
/// tests) or `MPIFabric`.
public protocol Fabric: AnyObject {
    var rank: Int { get }
    var size: Int { get }
    /// Hands the message over; never waits for the receiver.
    func send(_ message: Message, to destination: Int) throws
    /// The next message from `source` with `tag` (FIFO per source and tag); waits as the
    /// fabric's policy says. `waiting` describes what the runtime waits for, for the watchdog's report.
    func receive(from source: Int, tag: Int, waiting: String) throws -> Message
    /// Every rank's `value`, indexed by rank (used to compare plan hashes before any work starts).
    func allGather(_ value: UInt64) throws -> [UInt64]
    func barrier() throws
    /// Publishes what this rank is doing, so a lost rank can be named with its last activity.
    func note(_ activity: RankActivity, step: Int)
}

extension Fabric {
    public func note(_ activity: RankActivity, step: Int) {}
}

/// What a rank is doing, as `Fabric.note` publishes it (`step` counts decode steps from 0).
public enum RankActivity: Int32, Sendable {
    case startUp, prefill, decode, lastStep, iteration, results

    public func description(step: Int) -> String {
        switch self {
        case .startUp: "start-up"
        case .prefill: "prefill"
        case .decode: "decode step \(step + 1)"
        case .lastStep: "the last decode step"
        case .iteration: "a serving iteration"
        case .results: "the gather of results"
        }
    }
}
