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
