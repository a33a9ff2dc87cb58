/// Positions attended under a sliding or chunked window (Beltagy et al. 2020, Longformer; Mistral 7B
/// §2). A chunk of size W attends to at most W positions, so it is bounded as a window of W is.
enum AttentionWindow {
    static func cap(_ context: Int, _ window: Int?) -> Int {
        guard let window else { return context }
        return min(context, window)
    }

    /// Σ over new tokens i = 1…N of min(prior + i, window): the positions a causal prefill of
    /// `tokens` after `prior` cached ones attends to in total.
    static func prefillPositions(tokens: Int, prior: Int, window: Int?) -> Double {
        let n = Double(tokens), a = Double(prior)
        guard let window, prior + tokens > window else { return n * a + n * (n + 1) / 2 }
        let w = Double(window)
        guard prior < window else { return n * w }
        // Tokens reaching positions a+1…W attend all before them; the rest attend W each.
        let below = w * (w + 1) / 2 - a * (a + 1) / 2
        return below + (a + n - w) * w
    }
}
