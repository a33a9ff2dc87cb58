/// Doubles and integers carried losslessly in a `[Float]` payload (two 32-bit halves each), so
/// results travel over the same fabric as activations.
struct FloatWriter {
    var floats: [Float] = []

    mutating func put(_ d: Double) {
        let bits = d.bitPattern
        floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: bits >> 32)))
        floats.append(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
    }

    mutating func put(_ i: Int) { put(Double(bitPattern: UInt64(bitPattern: Int64(i)))) }
}

struct FloatReader {
    let floats: [Float]
    var at = 0

    init(_ floats: [Float]) { self.floats = floats }

    mutating func double() throws -> Double {
        guard at + 2 <= floats.count else {
            throw FabricError.resultTruncated(floats: floats.count)
        }
        let hi = UInt64(floats[at].bitPattern), lo = UInt64(floats[at + 1].bitPattern)
        at += 2
        return Double(bitPattern: hi << 32 | lo)
    }

    mutating func int() throws -> Int { Int(Int64(bitPattern: try double().bitPattern)) }
}

extension ChipletFigures {
    func encoded() -> [Float] {
        var w = FloatWriter()
        w.put(chiplet); w.put(prefillEndS); w.put(decodeEndS); w.put(computeS)
        for x in idleS { w.put(x) }
        for x in queuedS { w.put(x) }
        for x in hostWaitS { w.put(x) }
        w.put(messages); w.put(bytes); w.put(kvHandOffBytes)
        if let i = interruption {
            w.put(1); w.put(i.lostAtS); w.put(i.detectS); w.put(i.reloadS); w.put(i.redoS); w.put(i.step &+ 1)
        } else {
            w.put(0)
        }
        return w.floats
    }

    init(decoding floats: [Float]) throws {
        var r = FloatReader(floats)
        self.init()
        chiplet = try r.int(); prefillEndS = try r.double(); decodeEndS = try r.double(); computeS = try r.double()
        for i in idleS.indices { idleS[i] = try r.double() }
        for i in queuedS.indices { queuedS[i] = try r.double() }
        for i in hostWaitS.indices { hostWaitS[i] = try r.double() }
        messages = try r.int(); bytes = try r.double(); kvHandOffBytes = try r.double()
        if try r.int() == 1 {
            interruption = Interruption(lostAtS: try r.double(), detectS: try r.double(), reloadS: try r.double(),
                                        redoS: try r.double(), step: try r.int() &- 1)
        }
    }
}

extension TraceRecord {
    static func encoded(_ records: [TraceRecord]) -> [Float] {
        var w = FloatWriter()
        w.floats.reserveCapacity(records.count * 10)
        for t in records {
            w.put(Int(t.segment)); w.put(Int(t.step)); w.put(Int(t.index)); w.put(t.startS); w.put(t.endS)
        }
        return w.floats
    }

    static func decoded(_ floats: [Float]) throws -> [TraceRecord] {
        var r = FloatReader(floats), out: [TraceRecord] = []
        while r.at < floats.count {
            out.append(TraceRecord(segment: Int32(try r.int()), step: Int32(try r.int()), index: Int32(try r.int()),
                                   startS: try r.double(), endS: try r.double()))
        }
        return out
    }
}

/// Several payloads carried as one: each is its length, then its floats.
enum FloatFrames {
    static func join(_ parts: [[Float]]) -> [Float] {
        var w = FloatWriter()
        for part in parts { w.put(part.count); w.floats += part }
        return w.floats
    }

    static func split(_ floats: [Float], count: Int, source: Int) throws -> [[Float]] {
        var r = FloatReader(floats), parts: [[Float]] = []
        while parts.count < count {
            let n = try r.int()
            guard n >= 0, n <= floats.count - r.at else {
                throw FabricError.gatherPartTooLong(source: source, part: parts.count, claims: n,
                                                    remaining: floats.count - r.at)
            }
            parts.append(Array(floats[r.at..<(r.at + n)]))
            r.at += n
        }
        guard r.at == floats.count else {
            throw FabricError.gatherLength(source: source, floats: floats.count, parts: count, endsAt: r.at)
        }
        return parts
    }
}
