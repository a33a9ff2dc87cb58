import ArgumentParser

/// A number flag must be finite and inside its range: `nan`, `inf` and absurd values parse as a
/// Double but mean nothing, and once past the flags they trap or print `TTFT inf` downstream.
/// `why` says where the largest supported value comes from.
func checkFlag(_ flag: String, _ value: Double?, zeroAllowed: Bool = false, atMost high: Double, unit: String, why: String) throws {
    guard let value else { return }
    guard value.isFinite else { throw ValidationError("\(flag): expected a finite number of \(unit), got \(value)") }
    guard value > 0 || (zeroAllowed && value == 0) else {
        throw ValidationError("\(flag): expected \(zeroAllowed ? "0 or more" : "more than 0") \(unit), got \(value.formatted)")
    }
    guard value <= high else {
        throw ValidationError("\(flag): expected at most \(high.formatted) \(unit) (\(why)), got \(value.formatted)")
    }
}

extension Double {
    /// Whole numbers without a trailing ".0"; others as Swift prints them.
    var formatted: String { self == rounded() && abs(self) < 1e15 ? String(Int64(self)) : "\(self)" }
}
