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

/// A model's cross-entropy on a text (`Evaluator.evaluate`), in nats, bits and perplexity.
public struct EvaluationResult: Sendable {
    /// Summed cross-entropy over the scored characters (nats).
    public var totalLoss: Double
    public var scored: Int
    /// Characters not scored (outside the vocabulary).
    public var unscored: Int
    /// Mean cross-entropy (nats/char).
    public var meanLoss: Double { scored > 0 ? totalLoss / Double(scored) : .nan }
    /// Mean cross-entropy in bits per character.
    public var bitsPerCharacter: Double { meanLoss / log(2) }
    /// e^(nats/char).
    public var perplexity: Double { exp(meanLoss) }
    /// Loss of each target position 1..<N (NaN where unscored), when requested.
    public var positionLosses: [Float]?
}

/// Scores texts with a model over S parallel streams.
///
/// The N−1 targets are split into S contiguous ranges; stream b starts `burnIn` characters before
/// its range (those are fed but not scored), so each scored character sees at least `burnIn`
/// characters of context — nearly the single-stream result at S times the speed. Characters
/// outside the vocabulary (id −1) are fed as a zero input and not scored.
public final class Evaluator {
    public let model: LanguageModel
    /// Streams, timesteps per call, and characters of context before each stream's part.
    public let streams: Int, chunk: Int, burnIn: Int
    let engine: SequenceEngine

    /// An evaluator of `model`, its products in `precision`.
    public init(
        model: LanguageModel, streams: Int = 64, chunk: Int = 128, burnIn: Int = 200, precision: Precision = .fp32
    ) {
        self.model = model; self.streams = streams; self.chunk = chunk; self.burnIn = burnIn
        engine = SequenceEngine(model: model, batch: streams, steps: chunk, training: false, precision: precision)
    }

    /// Scores `ids` (−1 = outside the vocabulary).
    public func evaluate(_ ids: [Int32], keepPositionLosses: Bool = false) -> EvaluationResult {
        ids.withUnsafeBufferPointer { p in evaluate(count: ids.count, keepPositionLosses: keepPositionLosses) { p[$0] }
        }
    }

    /// What the model did at one character of its own part of the text (after the burn-in): read
    /// character `position`, produced the `logits` for character `position + 1`; `activations`
    /// gives a layer's gates, h and c at that moment.
    public struct Observation {
        /// The character just read (the prediction is for the next one).
        public let position: Int
        /// The next character's logits, [V].
        public let logits: UnsafePointer<Float>
        let engine: SequenceEngine, stream: Int, step: Int

        /// Layer `l` after reading the character: gate activations [G·H] (LSTM i, f, g, o; GRU r, z, n),
        /// hidden state h [H] and (LSTM) cell state c [H]. Valid only during the callback.
        public func activations(
            layer l: Int
        ) -> (
            gates: UnsafePointer<Float>, h: UnsafePointer<Float>, c: UnsafePointer<Float>?
        ) {
            engine.activations(layer: l, stream: stream, step: step)
        }
    }

    /// Scores `count` characters; `token(i)` is the id of character i (−1 outside the vocabulary).
    /// `observe`, if given, sees every character read in the streams' own parts, in no fixed order.
    public func evaluate(
        count n: Int, keepPositionLosses: Bool = false, observe: ((Observation) -> Void)? = nil,
        token ids: (Int) -> Int32
    ) -> EvaluationResult {
        var unscoredTargets = 0
        if n > 1 { for i in 1..<n where ids(i) < 0 { unscoredTargets += 1 } }
        guard n >= 2 else {
            return EvaluationResult(totalLoss: 0, scored: 0, unscored: 0, positionLosses: keepPositionLosses ? [] : nil)
        }
        engine.parametersDidChange()
        engine.resetState()
        let S = min(streams, n - 1)
        let targetsCount = n - 1
        // Stream b scores targets q in [a[b], a[b+1]) and feeds inputs from f[b].
        let a = (0...S).map { 1 + $0 * targetsCount / S }
        let f = (0..<S).map { max(0, a[$0] - 1 - burnIn) }
        let lengths = (0..<S).map { a[$0 + 1] - 1 - f[$0] }
        let maxLen = lengths.max()!
        let B = streams, T = chunk
        var x = [Int32](repeating: -1, count: B * T), y = [Int32](repeating: -1, count: B * T)
        let pl = FloatBuffer(count: B * T)
        let logits = observe == nil ? nil : FloatBuffer(count: B * T * model.config.vocabularySize)
        var positionLosses = keepPositionLosses ? [Float](repeating: .nan, count: targetsCount) : nil
        var total = 0.0, scored = 0
        var rng = RandomGenerator(seed: 0)
        var start = 0
        while start < maxLen {
            for b in 0..<B {
                for t in 0..<T {
                    let i = b * T + t
                    x[i] = -1; y[i] = -1
                    guard b < S else { continue }
                    let p = start + t
                    guard p < lengths[b] else { continue }
                    let pos = f[b] + p
                    x[i] = ids(pos)
                    if pos + 1 >= a[b] { y[i] = ids(pos + 1) }
                }
            }
            let r = engine.run(
                inputs: x, targets: y, backward: false, random: &rng,
                positionLoss: keepPositionLosses ? pl.pointer : nil, logits: logits?.pointer)
            if let see = observe, let z = logits {
                let V = model.config.vocabularySize
                for b in 0..<S {
                    for t in 0..<T where start + t < lengths[b] && f[b] + start + t + 1 >= a[b] {
                        see(
                            Observation(
                                position: f[b] + start + t, logits: z.pointer + (b * T + t) * V, engine: engine,
                                stream: b, step: t))
                    }
                }
            }
            total += r.loss; scored += r.count
            if keepPositionLosses {
                for b in 0..<S {
                    for t in 0..<T where y[b * T + t] >= 0 { positionLosses![f[b] + start + t] = pl[b * T + t] }
                }
            }
            start += T
        }
        return EvaluationResult(
            totalLoss: total, scored: scored, unscored: unscoredTargets, positionLosses: positionLosses)
    }
}
