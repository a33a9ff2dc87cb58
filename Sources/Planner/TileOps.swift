import CostModel
import ModelGraph

/// How one chiplet's shard of one op is cut into tiles that fit on-chip memory.
public struct Tiling: Codable, Sendable, Equatable {
    /// Weight-block edges (K × N elements); activation rows are not tiled.
    public var tileK: Int
    public var tileN: Int
    public var tiles: Int
    /// Extra work from padding the shard up to whole tiles and the TP split up to whole rows,
    /// as a fraction of the useful work.
    public var paddingWaste: Double

    public init(tileK: Int, tileN: Int, tiles: Int, paddingWaste: Double) {
        self.tileK = tileK; self.tileN = tileN; self.tiles = tiles; self.paddingWaste = paddingWaste
    }
}

/// Tile edges are multiples of this many elements: the 128×128 systolic/MMA granularity of
/// TPUs and Hopper tensor cores (assumed for every chip here).
public let tileAlignment = 128

/// On-chip buffer assumed for chips whose files list no SRAM tier (GPUs): about the size of an
/// H100's 50 MB L2, rounded down (assumed).
public let defaultOnChipBytes = 32.0 * 1_048_576

/// Cuts the K × N weight matrix of one op shard into the largest square-ish tiles whose weight
/// block plus `rows` rows of input and output fit half of `bufferBytes` (the other half
/// double-buffers the next tile).
public func tile(k: Int, n: Int, fullN: Int, tp: Int, rows: Int, weightBytes: Double,
          activationBytes: Double, bufferBytes: Double) -> Tiling {
    guard k > 0, n > 0 else { return Tiling(tileK: 0, tileN: 0, tiles: 0, paddingWaste: 0) }
    let budget = bufferBytes / 2
    func fits(_ tk: Int, _ tn: Int) -> Bool {
        Double(tk * tn) * weightBytes + Double(rows * (tk + tn)) * activationBytes <= budget
    }
    func round(_ x: Int) -> Int { max(tileAlignment, (x + tileAlignment - 1) / tileAlignment * tileAlignment) }
    var tk = round(k), tn = round(n)
    // Halve the longer edge until the tile fits; stop at the alignment floor.
    while !fits(tk, tn) && (tk > tileAlignment || tn > tileAlignment) {
        if tk >= tn { tk = round(tk / 2) } else { tn = round(tn / 2) }
    }
    let tilesK = (k + tk - 1) / tk, tilesN = (n + tn - 1) / tn
    let useful = Double(k) * Double(fullN) / Double(tp)
    let padded = Double(tilesK * tk) * Double(tilesN * tn)
    return Tiling(tileK: tk, tileN: tn, tiles: tilesK * tilesN, paddingWaste: max(0, padded / useful - 1))
}
