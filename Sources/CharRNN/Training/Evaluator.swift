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
        let unscoredTargets = n > 1 ? (1..<n).count { ids($0) < 0 } : 0
        guard n >= 2 else {
            return EvaluationResult(totalLoss: 0, scored: 0, unscored: 0, positionLosses: keepPositionLosses ? [] : nil)
        }
        engine.parametersDidChange()
        engine.resetState()
        let split = StreamSplit(count: n, streams: min(streams, n - 1), burnIn: burnIn)
        let B = streams, T = chunk
        var x = [Int32](repeating: -1, count: B * T), y = [Int32](repeating: -1, count: B * T)
        let pl = FloatBuffer(count: B * T)
        let logits = observe == nil ? nil : FloatBuffer(count: B * T * model.config.vocabularySize)
        var positionLosses = keepPositionLosses ? [Float](repeating: .nan, count: n - 1) : nil
        var total = 0.0, scored = 0
        var rng = RandomGenerator(seed: 0)
        for start in stride(from: 0, to: split.longest, by: T) {
            fill(inputs: &x, targets: &y, from: start, split: split, token: ids)
            let r = engine.run(
                inputs: x, targets: y, backward: false, random: &rng,
                positionLoss: keepPositionLosses ? pl.pointer : nil, logits: logits?.pointer)
            if let see = observe, let z = logits { show(logits: z, from: start, split: split, to: see) }
            total += r.loss; scored += r.count
            if keepPositionLosses {
                for b in 0..<split.streams {
                    for t in 0..<T where y[b * T + t] >= 0 {
                        positionLosses![split.readFrom[b] + start + t] = pl[b * T + t]
                    }
                }
            }
        }
        return EvaluationResult(
            totalLoss: total, scored: scored, unscored: unscoredTargets, positionLosses: positionLosses)
    }

    /// The batch [B, T] of the steps `start..<start + T` of every stream's part: what each stream
    /// reads, and the targets it scores (−1 before its own part, after its end, and for unused
    /// streams).
    private func fill(
        inputs x: inout [Int32], targets y: inout [Int32], from start: Int, split: StreamSplit,
        token ids: (Int) -> Int32
    ) {
        let T = chunk
        for b in 0..<streams {
            for t in 0..<T {
                let i = b * T + t
                x[i] = -1; y[i] = -1
                guard b < split.streams, let pos = split.position(stream: b, step: start + t) else { continue }
                x[i] = ids(pos)
                if split.scores(position: pos, stream: b) { y[i] = ids(pos + 1) }
            }
        }
    }

    /// Hands `see` each scored character of the steps from `start`, with its logits.
    private func show(logits z: FloatBuffer, from start: Int, split: StreamSplit, to see: (Observation) -> Void) {
        let T = chunk, V = model.config.vocabularySize
        for b in 0..<split.streams {
            for t in 0..<T {
                guard let pos = split.position(stream: b, step: start + t), split.scores(position: pos, stream: b)
                else { continue }
                see(Observation(position: pos, logits: z.pointer + (b * T + t) * V, engine: engine, stream: b, step: t))
            }
        }
    }
}

/// How the N−1 targets of a text are split between S streams: stream b scores the targets
/// `scoredFrom[b]..<scoredFrom[b + 1]`, and reads from `readFrom[b]`, up to `burnIn` characters
/// earlier, so that its first scored character has context.
private struct StreamSplit {
    let streams: Int
    let scoredFrom: [Int], readFrom: [Int]
    /// Characters each stream reads.
    let lengths: [Int]
    /// The most steps of any stream.
    var longest: Int { lengths.max()! }

    init(count n: Int, streams S: Int, burnIn: Int) {
        streams = S
        let scoredFrom = (0...S).map { 1 + $0 * (n - 1) / S }
        let readFrom = (0..<S).map { max(0, scoredFrom[$0] - 1 - burnIn) }
        lengths = (0..<S).map { scoredFrom[$0 + 1] - 1 - readFrom[$0] }
        self.scoredFrom = scoredFrom; self.readFrom = readFrom
    }

    /// The character that stream `b` reads at step `p` of its part, if it still reads.
    func position(stream b: Int, step p: Int) -> Int? { p < lengths[b] ? readFrom[b] + p : nil }

    /// Whether stream `b` scores its prediction after reading `position` (the next character is in
    /// its own part).
    func scores(position: Int, stream b: Int) -> Bool { position + 1 >= scoredFrom[b] }
}
