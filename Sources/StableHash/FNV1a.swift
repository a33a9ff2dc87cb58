/// FNV-1a, 64 bits (Fowler, Noll & Vo): a hash that is the same on every run and every host, for
/// fingerprints of inputs, plan hashes compared across ranks and seeds derived from names.
/// Not for security: it is fast and stable, not collision-resistant against an adversary.
public struct FNV1a: Sendable, Equatable {
    /// The 64-bit offset basis.
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// The 64-bit FNV prime.
    public static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// The hash of everything mixed in so far.
    public private(set) var value: UInt64 = FNV1a.offsetBasis

    public init() {}

    /// Mixes in `bytes`, one byte at a time.
    public mutating func mix<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes { value = (value ^ UInt64(byte)) &* Self.prime }
    }

    /// The hash of `bytes` alone.
    public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hasher = FNV1a()
        hasher.mix(bytes)
        return hasher.value
    }
}
