import Testing
@testable import MessagePassing

@Suite struct BackoffTests {
    @Test func yieldsFirstThenDoublesSleepsUpToOneMillisecond() {
        var backoff = Backoff()
        for _ in 0..<Backoff.yields { backoff.pause() }
        #expect(backoff.attempts == 16)
        #expect(backoff.sleepNs == 1_000)
        backoff.pause()
        #expect(backoff.sleepNs == 2_000)
        for _ in 0..<9 { backoff.pause() }
        #expect(backoff.sleepNs == 1_000_000)  // 1 µs doubled 10 times is 1.024 ms, capped
        backoff.pause()
        #expect(backoff.sleepNs == 1_000_000)
    }
}
