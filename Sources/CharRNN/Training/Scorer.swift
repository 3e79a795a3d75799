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

/// A checkpoint's cross-entropy on a text file, as `eval`, `compare`, `sample --eval` and the
/// study report it: nats, bits and perplexity per character, over the characters the model can
/// score. Built on `Evaluator`, which the trainer's validation uses too.
public struct Score: Codable, Sendable {
    public var checkpoint: String
    /// "lstm" or "gru".
    public var architecture: String
    public var layers: Int
    /// Units per layer.
    public var hiddenSize: Int
    public var parameters: Int
    /// Mean cross-entropy (nats/char).
    public var natsPerCharacter: Double
    /// The same in bits per character.
    public var bitsPerCharacter: Double
    /// e^(nats/char).
    public var perplexity: Double
    public var charactersScored: Int
    /// Characters not scored (outside the vocabulary).
    public var charactersNotScored: Int

    /// A text with nothing to score.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case nothingToScore(text: String)
        case nothingKnown(text: String, characters: Int, checkpoint: String)
        case noRecord(checkpoint: String)
        case noTestPart(checkpoint: String)
        case corpusChanged(corpus: String, checkpoint: String)
        /// One line naming the text.
        public var description: String {
            switch self {
            case .nothingToScore(let t):
                return "\(t): nothing to score (a text needs at least 2 characters; the first is only context)"
            case .nothingKnown(let t, let n, let c):
                return "\(t): none of its \(n) scored characters is in the vocabulary of \(c)"
            case .noRecord(let c):
                return "\(c): has no training record, so no split of its corpus (exported with --weights-only); "
                    + "give --text"
            case .noTestPart(let c): return "\(c): its run held out no test part (train with --test-fraction)"
            case .corpusChanged(let corpus, let c):
                return "\(corpus): differs from the corpus \(c) was trained on; its split cannot be found again"
            }
        }
    }

    /// Scores the checkpoint at `path` on the text file `text` (read with the checkpoint's own
    /// vocabulary kind; `-` is standard input). `streams`: parallel streams (default one per 1000
    /// characters, at most 64; 1 = exactly one pass from the start). With `positions`, also the
    /// loss of every character (NaN where not scored), for paired comparisons.
    /// Throws `Failure` when nothing can be scored: there is no mean of nothing to report.
    public static func score(
        checkpoint path: String, text: String, streams: Int? = nil,
        positions: Bool = false, precision: Precision = .fp32
    ) throws -> (score: Score, losses: [Float]) {
        let ckpt = try Checkpoint.load(path)
        let t = try ScoringText.load(text, vocabulary: ckpt.vocabulary)
        let s = streams ?? min(64, max(1, t.count / 1000))
        let r = Evaluator(model: ckpt.makeModel(), streams: s, burnIn: s == 1 ? 0 : 200, precision: precision)
            .evaluate(count: t.count, keepPositionLosses: positions) { t.id($0) }
        let score = Score(
            checkpoint: path, architecture: ckpt.config.architecture.rawValue, layers: ckpt.config.layers,
            hiddenSize: ckpt.config.hiddenSize, parameters: ckpt.parameterCount,
            natsPerCharacter: r.meanLoss, bitsPerCharacter: r.bitsPerCharacter, perplexity: r.perplexity,
            charactersScored: r.scored, charactersNotScored: r.unscored)
        if r.scored == 0 {
            if r.unscored == 0 { throw Failure.nothingToScore(text: text) }
            throw Failure.nothingKnown(text: text, characters: r.unscored, checkpoint: path)
        }
        return (score, r.positionLosses ?? [])
    }

    /// A part of the corpus the checkpoint's run trained on.
    public enum Split: String, CaseIterable, Sendable {
        /// The validation part (the end of the corpus, or the run's --val-file).
        case validation
        /// The held-out test part (runs trained with --test-fraction).
        case test
    }

    /// Scores the checkpoint at `path` on a split of its own run's corpus (`HeldOutText`).
    public static func score(
        checkpoint path: String, split: Split, streams: Int? = nil, precision: Precision = .fp32
    ) throws -> Score {
        let ckpt = try Checkpoint.load(path)
        let part = try HeldOutText.load(ckpt, path: path, split: split)
        return try score(ckpt, path: path, text: part, streams: streams, precision: precision).score
    }

    /// Scores the checkpoint at `path` on `text` (the held-out part of this or another run; its
    /// characters outside the checkpoint's vocabulary are not scored). With `positions`, also the
    /// loss of every character, as the file variant gives it.
    public static func score(
        checkpoint path: String, text: HeldOutText, streams: Int? = nil, positions: Bool = false,
        precision: Precision = .fp32
    ) throws -> (score: Score, losses: [Float]) {
        try score(
            Checkpoint.load(path), path: path, text: text, streams: streams, positions: positions,
            precision: precision)
    }

    static func score(
        _ ckpt: Checkpoint, path: String, text: HeldOutText, streams: Int?, positions: Bool = false,
        precision: Precision
    ) throws -> (score: Score, losses: [Float]) {
        let index = Dictionary(uniqueKeysWithValues: ckpt.vocabulary.symbols.enumerated().map { ($1, Int32($0)) })
        // Bytes and Unicode scalars are different characters: none is known across kinds.
        let same = text.kind == ckpt.vocabulary.kind
        let ids = text.symbols.map { same ? index[$0] ?? -1 : -1 }
        let n = streams ?? min(64, max(1, ids.count / 1000))
        let r = Evaluator(model: ckpt.makeModel(), streams: n, burnIn: n == 1 ? 0 : 200, precision: precision).evaluate(
            ids, keepPositionLosses: positions)
        if r.scored == 0 {
            if r.unscored == 0 { throw Failure.nothingToScore(text: text.name) }
            throw Failure.nothingKnown(text: text.name, characters: r.unscored, checkpoint: path)
        }
        let score = Score(
            checkpoint: path, architecture: ckpt.config.architecture.rawValue, layers: ckpt.config.layers,
            hiddenSize: ckpt.config.hiddenSize, parameters: ckpt.parameterCount,
            natsPerCharacter: r.meanLoss, bitsPerCharacter: r.bitsPerCharacter, perplexity: r.perplexity,
            charactersScored: r.scored, charactersNotScored: r.unscored)
        return (score, r.positionLosses ?? [])
    }

    /// The score over the positions where `keep` is true, from the per-character losses.
    public func restricted(to keep: [Bool], losses: [Float]) -> Score {
        var total = 0.0, n = 0
        for (k, l) in zip(keep, losses) where k { total += Double(l); n += 1 }
        var s = self
        s.natsPerCharacter = n > 0 ? total / Double(n) : .nan
        s.bitsPerCharacter = s.natsPerCharacter / log(2)
        s.perplexity = exp(s.natsPerCharacter)
        s.charactersNotScored += s.charactersScored - n
        s.charactersScored = n
        return s
    }

    /// The raw logits of one stream read from the start of `text`, [characters, V] row-major
    /// (position i holds the logits after reading characters 0…i), for comparing with another
    /// implementation of the same model.
    public static func logits(checkpoint path: String, text: String) throws -> [Float] {
        let ckpt = try Checkpoint.load(path)
        let t = try ScoringText.load(text, vocabulary: ckpt.vocabulary)
        let V = ckpt.config.vocabularySize, T = 256
        let engine = SequenceEngine(model: ckpt.makeModel(), batch: 1, steps: T, training: false)
        engine.parametersDidChange()
        var out = [Float](repeating: 0, count: t.count * V)
        var rng = RandomGenerator(seed: 0)
        var x = [Int32](repeating: -1, count: T)
        let y = [Int32](repeating: -1, count: T)
        var chunk = [Float](repeating: 0, count: T * V)
        var start = 0
        while start < t.count {
            let n = min(T, t.count - start)
            for i in 0..<T { x[i] = i < n ? t.id(start + i) : -1 }
            engine.run(inputs: x, targets: y, backward: false, random: &rng, logits: &chunk)
            for i in 0..<(n * V) { out[start * V + i] = chunk[i] }
            start += n
        }
        return out
    }
}
