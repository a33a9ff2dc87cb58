import CostModel

/// Collectives as point-to-point steps for one member of a group. Ring reduce-scatter then
/// all-gather, hierarchical across levels where the group spans several (reduce-scatter inner →
/// outer, all-gather back, as the planner's formula assumes); a binomial tree for small
/// messages, or a one-shot push within one switch; all-to-all as pairwise exchange.
struct CollectiveLowering {
    let link: LinkModel
    /// Where the steps go and what they are labelled with.
    var purpose: Purpose
    var layer: Int32
    var phase: Phase

    var tag: Int32 { purpose.tagBase + Int32((Int(layer) + 3) % 4096) }

    private func transfer(_ peer: Int, bytes: Double, step: Int, combine: Combine,
                          units: (start: Int, count: Int, of: Int)) -> Transfer {
        Transfer(peer: Int32(peer), tag: tag, bytes: bytes, purpose: purpose, layer: layer, step: Int32(step),
                 combine: combine, unitStart: Int32(units.start), unitCount: Int32(units.count),
                 units: Int32(units.of), phase: phase)
    }

    /// All-reduce of `bytes` per member over `group` (chiplet indices in rank order), for `me`,
    /// by the algorithm the planner prices (`Hierarchy.allReduceAlgorithm`, over the group's
    /// stride and size), so both price and run the same steps.
    func allReduce(group: [Int], me: Int, bytes: Double, into out: inout [Instruction]) {
        guard group.count > 1, let q = group.firstIndex(of: me) else { return }
        let stride = group[1] - group[0]
        // A placed group decides by the links its own members cross.
        let shape = link.placed
            ? GroupShape(stride: stride, size: group.count, factors: link.hierarchy.factors(positions: group.map { link.position($0) }))
            : GroupShape(stride: stride, size: group.count, in: link.hierarchy)
        switch link.hierarchy.allReduceAlgorithm(bytes: bytes, group: shape) {
        case .oneShot: oneShot(group: group, q: q, bytes: bytes, into: &out)
        case .tree: tree(group: group, q: q, bytes: bytes, into: &out)
        case .ring: ring(layout: GroupLayout(group: group, link: link), me: me, bytes: bytes, into: &out)
        }
    }

    /// One-shot: push the whole buffer to every other member, then add each member's buffer as it
    /// arrives (every send goes before any receive, so each carries this member's own part).
    private func oneShot(group: [Int], q: Int, bytes: Double, into out: inout [Instruction]) {
        let p = group.count, whole = (start: 0, count: 1, of: 1)
        for s in 1..<p { out.append(.send(transfer(group[(q + s) % p], bytes: bytes, step: s - 1, combine: .add, units: whole))) }
        for s in 1..<p { out.append(.recv(transfer(group[(q - s + p) % p], bytes: bytes, step: s - 1, combine: .add, units: whole))) }
    }

    /// Hierarchical ring: reduce-scatter level by level inward → outward, all-gather back.
    private func ring(layout: GroupLayout, me: Int, bytes: Double, into out: inout [Instruction]) {
        let p = layout.size
        var range = (start: 0, count: p)
        var step = 0
        var owned: [(ring: [Int], q: Int, range: (start: Int, count: Int))] = []
        for members in layout.rings(of: me) {
            let f = members.count
            guard let q = members.firstIndex(of: me) else { continue }
            let part = range.count / f
            func units(_ k: Int) -> (Int, Int, Int) { (range.start + ((k % f + f) % f) * part, part, p) }
            let next = members[(q + 1) % f], prev = members[(q + f - 1) % f]
            for s in 0..<(f - 1) {
                let b = bytes * Double(part) / Double(p)
                out.append(.send(transfer(next, bytes: b, step: step, combine: .add, units: units(q - s))))
                out.append(.recv(transfer(prev, bytes: b, step: step, combine: .add, units: units(q - s - 1))))
                step += 1
            }
            owned.append((members, q, range))
            range = (range.start + ((q + 1) % f) * part, part)
        }
        for (members, q, outer) in owned.reversed() {
            let f = members.count, part = outer.count / f
            func units(_ k: Int) -> (Int, Int, Int) { (outer.start + ((k % f + f) % f) * part, part, p) }
            let next = members[(q + 1) % f], prev = members[(q + f - 1) % f]
            for s in 0..<(f - 1) {
                let b = bytes * Double(part) / Double(p)
                out.append(.send(transfer(next, bytes: b, step: step, combine: .copy, units: units(q + 1 - s))))
                out.append(.recv(transfer(prev, bytes: b, step: step, combine: .copy, units: units(q - s))))
                step += 1
            }
        }
    }

    /// Binomial-tree reduce to rank 0 of the group, then broadcast back.
    private func tree(group: [Int], q: Int, bytes: Double, into out: inout [Instruction]) {
        let p = group.count, whole = (start: 0, count: 1, of: 1)
        var masks: [Int] = []
        var mask = 1
        while mask < p { masks.append(mask); mask <<= 1 }
        var step = 0
        for m in masks {
            if q & m != 0 {
                if q & (m - 1) == 0 { out.append(.send(transfer(group[q - m], bytes: bytes, step: step, combine: .add, units: whole))) }
            } else if q & (m - 1) == 0 && q + m < p {
                out.append(.recv(transfer(group[q + m], bytes: bytes, step: step, combine: .add, units: whole)))
            }
            step += 1
        }
        for m in masks.reversed() {
            if q & m != 0 {
                if q & (m - 1) == 0 { out.append(.recv(transfer(group[q - m], bytes: bytes, step: step, combine: .copy, units: whole))) }
            } else if q & (m - 1) == 0 && q + m < p {
                out.append(.send(transfer(group[q + m], bytes: bytes, step: step, combine: .copy, units: whole)))
            }
            step += 1
        }
    }

    /// All-to-all as NCCL runs it (grouped sends and receives): each member posts its share for
    /// every other member at once, then takes the shares in; `bytes` per member is spread evenly
    /// over the group (its own share stays). The sends queue on the member's egress port and the
    /// receives on its ingress port, so the latencies overlap and the wire times add up where
    /// the links are shared: contention comes out of the run, not out of a step order. Round r
    /// goes to `allToAllPeer(q, r)`, a different receiver for every sender in each round, so
    /// no two shares start on one receiver.
    func allToAll(group: [Int], me: Int, bytes: Double, into out: inout [Instruction]) {
        let p = group.count
        guard p > 1, let q = group.firstIndex(of: me) else { return }
        let radix = allToAllRadix(group)
        for r in 1..<p {
            let to = Self.allToAllPeer(q, r, radix: radix, sign: 1)
            out.append(.send(transfer(group[to], bytes: bytes / Double(p), step: r - 1, combine: .replace, units: (to, 1, p))))
        }
        for r in 1..<p {
            let from = Self.allToAllPeer(q, r, radix: radix, sign: -1)
            out.append(.recv(transfer(group[from], bytes: bytes / Double(p), step: r - 1, combine: .replace, units: (q, 1, p))))
        }
    }

    /// The group's factor at each level it spans, inner → outer, when they make up the whole
    /// group in member order; else one factor (a flat group).
    func allToAllRadix(_ group: [Int]) -> [Int] {
        let factors = link.hierarchy.factors(positions: group.map { link.position($0) }).filter { $0 > 1 }
        return factors.reduce(1, *) == group.count ? factors : [group.count]
    }

    /// Member q's peer in round r: r added to q digit by digit (mixed radix, inner level first;
    /// `sign` −1 subtracts, for the sender of round r). Every round is a permutation of the
    /// members, and its messages cross the level of r's highest digit: every member sends on
    /// the same level in the same round, each to a different receiver. A flat group: q ± r.
    static func allToAllPeer(_ q: Int, _ r: Int, radix: [Int], sign: Int) -> Int {
        var peer = 0, place = 1, q = q, r = r
        for f in radix {
            peer += (((q % f) + sign * (r % f)) % f + f) % f * place
            q /= f; r /= f; place *= f
        }
        return peer
    }

    /// One message to a peer (pipeline sends and token returns).
    func send(to peer: Int, bytes: Double, microbatch: Int, into out: inout [Instruction]) {
        out.append(.send(transfer(peer, bytes: bytes, step: microbatch, combine: .replace, units: (0, 1, 1))))
    }

    func recv(from peer: Int, bytes: Double, microbatch: Int, into out: inout [Instruction]) {
        out.append(.recv(transfer(peer, bytes: bytes, step: microbatch, combine: .replace, units: (0, 1, 1))))
    }
}

/// How a group spreads over the hierarchy: at each level it spans, the rings of members that
/// share that level's unit and their position at every inner level. Falls back to one flat
/// ring when the group does not divide the levels evenly.
struct GroupLayout {
    let group: [Int]
    let link: LinkModel
    /// Per spanned level: (level index, rings keyed by member).
    private(set) var levels: [(level: Int, ringOf: [Int: [Int]])] = []
    var size: Int { group.count }

    init(group: [Int], link: LinkModel) {
        self.group = group
        self.link = link
        var key: [Int: [Int]] = Dictionary(uniqueKeysWithValues: group.map { ($0, []) })
        var product = 1
        var uniform = true
        for (i, l) in link.levels.enumerated() {
            // Members sharing this level's unit and every inner position form one ring.
            var rings: [[Int]: [Int]] = [:]
            for m in group { rings[[link.position(m) / l.chipletsPerUnit] + (key[m] ?? []), default: []].append(m) }
            let sizes = Set(rings.values.map(\.count))
            guard sizes.count == 1, let f = sizes.first else { uniform = false; break }
            if f > 1 {
                var ringOf: [Int: [Int]] = [:]
                for ring in rings.values {
                    for (pos, m) in ring.enumerated() { ringOf[m] = ring; key[m, default: []].append(pos) }
                }
                levels.append((i, ringOf))
                product *= f
            }
            if product == group.count { break }
        }
        if !uniform || product != group.count {
            let outer = (0..<link.levels.count).first { i in
                Set(group.map { link.position($0) / link.levels[i].chipletsPerUnit }).count == 1
            } ?? link.levels.count - 1
            levels = [(outer, Dictionary(uniqueKeysWithValues: group.map { ($0, group) }))]
        }
    }

    /// The rings `me` takes part in, inner → outer.
    func rings(of me: Int) -> [[Int]] { levels.compactMap { $0.ringOf[me] } }
}
