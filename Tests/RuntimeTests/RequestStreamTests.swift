import Foundation
import Testing
@testable import Runtime

@Suite struct RequestStreamTests {
    /// Seeded: the same stream twice, and arrivals only grow; at 100 requests/s the mean gap of
    /// 10,000 requests is within 3% of 10 ms (the exponential's standard error there is 1%).
    @Test func poissonArrivalsAreSeededAndHaveTheRate() {
        let a = RequestStream.poisson(count: 10_000, ratePerS: 100, inputTokens: 128, outputTokens: 16, seed: 3)
        #expect(a == RequestStream.poisson(count: 10_000, ratePerS: 100, inputTokens: 128, outputTokens: 16, seed: 3))
        #expect(a != RequestStream.poisson(count: 10_000, ratePerS: 100, inputTokens: 128, outputTokens: 16, seed: 4))
        #expect(zip(a, a.dropFirst()).allSatisfy { $0.arrivalS <= $1.arrivalS })
        let meanGap = a.last!.arrivalS / Double(a.count)
        #expect(abs(meanGap - 0.01) < 0.0003)
        #expect(a.allSatisfy { $0.inputTokens == 128 && $0.outputTokens == 16 })
    }

    @Test func aTraceIsReadInArrivalOrder() throws {
        let text = "# comment\narrival_s,input_tokens,output_tokens\n0.5,10,2\n0.25,20,3\n\n0.5,30,4\n"
        let r = try RequestStream.load(csv: text, file: "t.csv")
        #expect(r == [ServingRequest(id: 0, arrivalS: 0.25, inputTokens: 20, outputTokens: 3),
                      ServingRequest(id: 1, arrivalS: 0.5, inputTokens: 10, outputTokens: 2),
                      ServingRequest(id: 2, arrivalS: 0.5, inputTokens: 30, outputTokens: 4)])
    }

    @Test(arguments: [
        ("arrival,input,output\n", "t.csv:1: expected the header arrival_s,input_tokens,output_tokens, got arrival,input,output"),
        ("arrival_s,input_tokens,output_tokens\n-1,10,2\n", "t.csv:2: arrival_s: expected seconds from 0 to 1e9, got -1"),
        ("arrival_s,input_tokens,output_tokens\n1,0,2\n", "t.csv:2: input_tokens: expected a whole number from 1 to 100000000, got 0"),
        ("arrival_s,input_tokens,output_tokens\n1,5\n", "t.csv:2: expected 3 columns, got 2"),
        ("", "t.csv:1: empty: expected a header and requests"),
    ])
    func badTracesAreOneLineErrors(text: String, expected: String) {
        #expect(throws: RequestTraceError.self) { try RequestStream.load(csv: text, file: "t.csv") }
        do { _ = try RequestStream.load(csv: text, file: "t.csv") } catch { #expect(error.description == expected) }
    }

    /// The committed ShareGPT-like trace reads: 200 requests, mean prompt and output near the
    /// generator's 161 and 338 tokens (measured 131.7 and 347.6 after clipping).
    @Test func theShippedShareGPTLikeTraceReads() throws {
        let path = Fixtures.path("Experiments/requests/sharegpt-like.csv")
        let r = try RequestStream.load(csv: try String(contentsOfFile: path, encoding: .utf8), file: path)
        #expect(r.count == 200)
        let input = Double(r.reduce(0) { $0 + $1.inputTokens }) / 200, output = Double(r.reduce(0) { $0 + $1.outputTokens }) / 200
        #expect(abs(input - 131.67) < 0.01 && abs(output - 347.625) < 0.001)
    }
}
