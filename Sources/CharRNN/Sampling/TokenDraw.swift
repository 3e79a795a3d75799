#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch

/// Drawing one token from a row of logits: temperature, top-k and top-p (nucleus) sampling, as
/// char-rnn, torch-rnn and nanoGPT do. Shared by the single-stream sampler and the batched
/// generator, so both draw the same token from the same logits and generator state.
struct TokenDraw {
    let count: Int
    private let probabilities: FloatBuffer
    private var order: [Int]

    init(vocabularySize v: Int) {
        count = v
        probabilities = FloatBuffer(count: v)
        order = Array(0..<v)
    }

    /// The most likely token (the first of equals).
    func argmax(_ lg: ConstFloatPointer) -> Int {
        var best = 0
        for j in 1..<count where lg[j] > lg[best] { best = j }
        return best
    }

    /// temperature 0 = argmax; topK 0 = off; topP 1 = off.
    mutating func draw(
        _ lg: ConstFloatPointer, temperature: Float, topK: Int, topP: Float,
        random: inout RandomGenerator
    ) -> Int {
        let V = count
        if temperature <= 0 { return argmax(lg) }
        let p = probabilities.pointer
        var finite = true
        for j in 0..<V {
            p[j] = lg[j] / temperature
            finite = finite && p[j].isFinite
        }
        // A temperature so small that logits/T overflows is the limit T → 0: the argmax.
        if !finite { return argmax(lg) }
        _ = softmaxInPlace(p, count: V)
        if (topK > 0 && topK < V) || topP < 1 { return drawTruncated(topK: topK, topP: topP, random: &random) }
        var u = Float(random.nextDouble())
        for j in 0..<V {
            u -= p[j]
            if u <= 0 { return j }
        }
        // Rounding left a sliver of probability: return the last non-zero class.
        for j in stride(from: V - 1, through: 0, by: -1) where p[j] > 0 { return j }
        return V - 1
    }

    /// Draws from the most likely tokens only: the `topK` most likely (0 = all), cut further to the
    /// fewest whose probabilities sum to `topP`, renormalised. `probabilities` holds the softmax.
    private mutating func drawTruncated(topK: Int, topP: Float, random: inout RandomGenerator) -> Int {
        let p = probabilities.pointer, V = count
        order.sort { p[$0] > p[$1] }
        var keep = topK > 0 ? min(topK, V) : V
        if topP < 1 {
            var cum: Float = 0
            for (i, j) in order.prefix(keep).enumerated() {
                cum += p[j]
                if cum >= topP { keep = i + 1; break }
            }
        }
        var total: Float = 0
        for j in order.prefix(keep) { total += p[j] }
        var u = Float(random.nextDouble()) * total
        for j in order.prefix(keep) {
            u -= p[j]
            if u <= 0 { return j }
        }
        return order[keep - 1]
    }

    /// −log p(token) under the model's own distribution (temperature 1), in nats.
    static func surprisal(_ lg: ConstFloatPointer, count V: Int, token: Int) -> Double {
        var mx = -Float.infinity
        for j in 0..<V where lg[j] > mx { mx = lg[j] }
        var s = 0.0
        for j in 0..<V { s += exp(Double(lg[j] - mx)) }
        return log(s) + Double(mx) - Double(lg[token])
    }
}
