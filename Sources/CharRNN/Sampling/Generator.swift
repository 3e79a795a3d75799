#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Generates text from a model: N independent streams at once, each with its own random
/// generator, streamed one character at a time to a callback. The one way charrnn samples (the
/// `sample` command, the study's samples, the benchmark).
///
/// One stream runs on `Sampler` (matrix–vector products, the hidden units split across two
/// cores). Several streams run through the batched forward pass (`SequenceEngine`, one timestep
/// per call), so N streams cost one matrix–matrix product per layer and step instead of N
/// matrix–vector ones.
public final class Generator {
    /// How to draw each character: temperature 0 = argmax; topK 0 = all; topP 1 = all.
    public struct Options: Sendable {
        /// Softmax temperature; 0 takes the most likely character.
        public var temperature: Float = 0.8
        /// Sample among the k most likely characters; 0 = all.
        public var topK = 0
        /// Sample among the most likely characters whose probabilities sum to p; 1 = all.
        public var topP: Float = 1
        /// Drawing options.
        public init(temperature: Float = 0.8, topK: Int = 0, topP: Float = 1) {
            self.temperature = temperature; self.topK = topK; self.topP = topP
        }
    }

    /// What one stream produced.
    public struct Sample: Sendable {
        /// The seed of this stream's generator (`seed + stream`).
        public var seed: UInt64
        /// The generated token ids (the prime not included).
        public var tokens: [Int]
        /// Mean −log p of the generated characters under the model (temperature 1), in nats.
        public var meanSurprisal: Double
    }

    public let model: LanguageModel
    /// Streams generated at once.
    public let streams: Int
    private let single: Sampler?
    private let engine: SequenceEngine?
    private let logits: FloatBuffer
    private var draws: [TokenDraw]

    /// A generator of `streams` samples at once, on up to `threads` threads. With `.bf16`, the
    /// weight matrices are rounded to bf16: one stream reads them as bf16 (half the bytes per
    /// character) and multiplies them with fp32 activations; several streams run bf16 products
    /// (`Precision.bf16`).
    public init(model: LanguageModel, streams: Int = 1, threads: Int = Threads.count, precision: Precision = .fp32) {
        precondition(streams >= 1)
        self.model = model; self.streams = streams
        let V = model.config.vocabularySize
        if streams == 1 {
            single = Sampler(model: model, threads: threads, precision: precision)
            engine = nil
            logits = single!.logits
        } else {
            single = nil
            engine = SequenceEngine(
                model: model, batch: streams, steps: 1, training: false, threads: threads, precision: precision)
            engine!.parametersDidChange()
            logits = FloatBuffer(count: streams * V)
        }
        draws = (0..<streams).map { _ in TokenDraw(vocabularySize: V) }
    }

    /// The token that starts an unprimed sample: a newline where the vocabulary has one (the
    /// model then begins as at the start of a line), else −1 (a zero input).
    public static func startToken(_ vocabulary: Vocabulary) -> Int {
        vocabulary.id(of: 0x0A) ?? -1
    }

    /// Feeds `prime` (ids, −1 = zero input) to every stream, then draws `length` characters per
    /// stream. `emit(stream, token)` is called for each character as it is drawn (all streams'
    /// n-th characters before any (n+1)-th); return false to stop early.
    @discardableResult
    public func generate(
        prime: [Int], length: Int, seed: UInt64, options: Options,
        emit: (Int, Int) -> Bool = { _, _ in true }
    ) -> [Sample] {
        precondition(!prime.isEmpty, "prime with at least one token (see startToken)")
        let V = model.config.vocabularySize, N = streams
        var randoms = (0..<N).map { RandomGenerator(seed: seed &+ UInt64($0)) }
        var samples = (0..<N).map { Sample(seed: seed &+ UInt64($0), tokens: [], meanSurprisal: 0) }
        var surprisal = [Double](repeating: 0, count: N)
        var inputs = [Int32](repeating: -1, count: N), targets = [Int32](repeating: -1, count: N)
        var rng = RandomGenerator(seed: 0)  // the eval engine draws nothing; run() takes one
        func feed(_ tokens: [Int]) {
            if let s = single { s.step(tokens[0]); return }
            for b in 0..<N { inputs[b] = Int32(tokens[b]) }
            engine!.run(inputs: inputs, targets: targets, backward: false, random: &rng, logits: logits.pointer)
        }
        if let s = single { s.reset() } else { engine!.resetState() }
        for t in prime { feed([Int](repeating: t, count: N)) }
        var next = [Int](repeating: 0, count: N)
        generation: for i in 0..<length {
            for b in 0..<N {
                let row = ConstFloatPointer(logits.pointer + b * V)
                next[b] = draws[b].draw(
                    row, temperature: options.temperature, topK: options.topK, topP: options.topP,
                    random: &randoms[b])
                surprisal[b] += TokenDraw.surprisal(row, count: V, token: next[b])
                samples[b].tokens.append(next[b])
                if !emit(b, next[b]) { break generation }
            }
            if i + 1 < length { feed(next) }
        }
        for b in 0..<N {
            samples[b].meanSurprisal = samples[b].tokens.isEmpty ? 0 : surprisal[b] / Double(samples[b].tokens.count)
        }
        return samples
    }
}
