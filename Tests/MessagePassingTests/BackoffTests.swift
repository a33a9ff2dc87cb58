import Testing
@testable import MessagePassing

@Suite struct BackoffTests {
    @Test func yieldsFirstThenDoublesSleepsUpTo100Microseconds() {
        var backoff = Backoff()
        for _ in 0..<Backoff.yields { backoff.pause() }
        #expect(backoff.attempts == 16)
        #expect(backoff.sleepNs == 1_000)
        backoff.pause()
        #expect(backoff.sleepNs == 2_000)
        for _ in 0..<5 { backoff.pause() }
        #expect(backoff.sleepNs == 64_000)
        backoff.pause()
        #expect(backoff.sleepNs == 100_000)  // 128 µs, capped
        backoff.pause()
        #expect(backoff.sleepNs == 100_000)
    }
}

@Suite struct BackoffStepTests {
    @Test func nextYieldsSixteenTimesThenSleepsUpToTheGivenCap() {
        var backoff = Backoff(maxSleepNs: 3_000)
        let steps = (0..<20).map { _ in backoff.next() }
        #expect(steps.prefix(16).allSatisfy { $0 == nil })
        #expect(Array(steps.suffix(4)) == [1_000, 2_000, 3_000, 3_000])
    }

    @Test func aCapBelowTheFirstSleepIsRaisedToIt() {
        #expect(Backoff(maxSleepNs: 10).maxSleepNs == Backoff.firstSleepNs)
    }
}
