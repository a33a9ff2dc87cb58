/// A chiplet's ports onto each level's link as FIFO queues: a message holds the sender's egress
/// port for its wire time (bytes over the port's bandwidth), flies the level's α, and then holds
/// the receiver's ingress port for its wire time. A message that finds a port busy waits, and
/// that wait is contention: it comes out of the run (concurrent collective steps, a stage send
/// behind an all-reduce), never out of a formula. Ingress is served in program order, so virtual
/// times never depend on how ranks are scheduled.
struct LinkQueues {
    let link: LinkModel
    private var egressFreeS: [Double]
    private var ingressFreeS: [Double]

    init(link: LinkModel) {
        self.link = link
        egressFreeS = [Double](repeating: 0, count: link.levels.count)
        ingressFreeS = egressFreeS
    }

    /// A message of `bytes` leaving at `clockS` for a peer across `level`: when it arrives at the
    /// peer's port (its last byte, unqueued there).
    mutating func depart(bytes: Double, level: Int, clockS: Double) -> Double {
        let l = link.levels[level]
        let wireS = bytes / l.bytesPerS
        let departS = max(clockS, egressFreeS[level])
        egressFreeS[level] = departS + wireS
        return departS + l.alphaS + wireS
    }

    /// A message sent at `sentS` that reached this port at `arrivalS`: when it is through the
    /// ingress queue, and how long it queued in all (at the sender's egress and here).
    mutating func arrive(bytes: Double, level: Int, sentS: Double, arrivalS: Double) -> (doneS: Double, queuedS: Double) {
        let l = link.levels[level]
        let wireS = bytes / l.bytesPerS
        let startS = max(arrivalS - wireS, ingressFreeS[level])
        let doneS = startS + wireS
        ingressFreeS[level] = doneS
        let queuedS = max(0, arrivalS - sentS - l.alphaS - wireS) + (doneS - arrivalS)
        return (doneS, queuedS)
    }
}
