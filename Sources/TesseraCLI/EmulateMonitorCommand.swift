import ArgumentParser
import RuntimeMPI

/// `tessera emulate-monitor BOARD RANKS` (hidden): the process the first rank of each host starts
/// to name a rank that is lost (see `RankMonitor`). Not for users; `tessera emulate` runs it.
struct EmulateMonitorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate-monitor", abstract: "Watch the ranks of one host (started by emulate).", shouldDisplay: false)

    @Argument var board: String
    @Argument var localRanks: Int

    func validate() throws {
        guard board.hasPrefix("/tessera-ranks-") else { throw ValidationError("expected a board name /tessera-ranks-…, got \(board)") }
        guard (2...RankBoard.maxLocalRanks).contains(localRanks) else {
            throw ValidationError("expected 2 to \(RankBoard.maxLocalRanks) local ranks, got \(localRanks)")
        }
    }

    func run() { RankMonitor.run(name: board, localRanks: localRanks) }
}
