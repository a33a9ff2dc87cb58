/// The numbers a loader derives from an input it accepted (totals, rates, capacities, the values it
/// read), each under a name. An accepted input must give finite figures that are not negative: a
/// loader that lets 1e300 through to an `inf` total, or a NaN to a rate, fails like a crash
/// (issue 15: "numbers that parse but mean nothing").
public struct Figures: Sendable {
    public private(set) var values: [(name: String, value: Double)] = []
    /// How many numbers one walk may collect: a bound on the work a huge accepted input can cause.
    static let limit = 200_000

    public init() {}

    public mutating func add(_ name: String, _ value: Double) {
        if values.count < Self.limit { values.append((name, value)) }
    }

    public mutating func add(_ name: String, _ value: Int) { add(name, Double(value)) }

    /// Every number stored in `value` (struct fields, enum payloads, array and dictionary elements,
    /// optionals), named by its path: the values a loader read, without listing each field by hand.
    public mutating func addAll(_ name: String, in value: Any, depth: Int = 0) {
        guard values.count < Self.limit, depth < 16 else { return }
        switch value {
        case let d as Double: add(name, d)
        case let f as Float: add(name, Double(f))
        case let i as Int: add(name, i)
        case let i as Int32: add(name, Int(i))
        case let i as Int64: add(name, Double(i))
        case is String, is Bool: return
        default:
            let mirror = Mirror(reflecting: value)
            // Classes (handles to C objects) are not walked: they are not values a file held.
            guard mirror.displayStyle != .class else { return }
            for (i, child) in mirror.children.enumerated() {
                let label = mirror.displayStyle == .dictionary ? Self.key(child.value)
                    : child.label.map { $0 == "some" ? "" : "." + $0 } ?? "[\(i)]"
                addAll(name + label, in: mirror.displayStyle == .dictionary ? Self.element(child.value) : child.value,
                       depth: depth + 1)
            }
        }
    }

    /// The first figure that is NaN, infinite or negative, as `name = value`.
    public var firstImpossible: String? {
        values.first { !$0.value.isFinite || $0.value < 0 }.map { "\($0.name) = \($0.value)" }
    }

    static func key(_ pair: Any) -> String {
        let parts = Array(Mirror(reflecting: pair).children)
        return parts.count == 2 ? "[\(parts[0].value)]" : "[?]"
    }

    static func element(_ pair: Any) -> Any {
        let parts = Array(Mirror(reflecting: pair).children)
        return parts.count == 2 ? parts[1].value : pair
    }
}
