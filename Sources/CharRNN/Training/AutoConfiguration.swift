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

/// Chooses the model size, batch, sequence length, learning rate and dropout that `charrnn train`
/// uses when they are not given, from the corpus size, the budget and the measured speed of this
/// machine. The rule (README, "Defaults that pick themselves"):
///
/// 1. The budget in characters C: `--steps` × batch × seq, `--epochs` × corpus, or, for `--time`,
///    the budget × the measured training speed of each candidate size (timed here, ~0.3 s each).
/// 2. Two layers; the hidden size is the largest candidate whose parameter count P satisfies
///    C ≥ ρ·P (ρ = `charactersPerParameter`) — compute-optimal sizing: a bigger model that sees
///    too few characters ends worse than a smaller one that sees more.
/// 3. Regularisation from the number of passes over the data E = C / corpus: dropout none for
///    E ≤ 1, 0.05 per doubling up to 8 passes (0.15); beyond, 0.1 per doubling, at most 0.2
///    (reached at 11 passes). From `longRunPasses` passes on also weight
///    drop on the hidden-to-hidden weights (LSTM 0.3, GRU 0.25) and AdamW weight
///    decay 0.1: without them long runs memorise the corpus and validation turns up after ~8 passes.
/// 4. Batch 32 × seq 64 (truncated BPTT over 64 characters covers the context a character model
///    uses; 32 streams keep both cores' products efficient); learning rate 3e-3 (for layers above
///    384 units without weight drop 2e-3·512/H: they stall or diverge at 3e-3); 1% warm-up and
///    cosine decay to 10%; one-hot input weights initialised U(−1, 1); validation, checkpoints
///    and sampling use a moving average of the weights (decay 0.998).
///
/// ρ = 4.5 and the dropout slope up to 8 passes come from 3-minute runs on tiny Shakespeare
/// (README): the best LSTM (2×320) and GRU (2×384) there each saw ≈ 4.7–4.8 characters per
/// parameter. The long-run part comes from 15-minute runs of 2×512 models (README).
public enum AutoConfiguration {
    /// ρ: the characters a model must see per parameter to be chosen.
    public static let charactersPerParameter = 4.5
    /// Weight decay (AdamW) and weight drop for runs of at least `longRunPasses` passes over the data.
    public static let longRunWeightDecay: Float = 0.1, longRunPasses = 10.0
    /// Weight drop of long runs.
    public static func longRunWeightDrop(_ a: Architecture) -> Float { a == .lstm ? 0.3 : 0.25 }
    /// The largest dropout the rule chooses.
    public static let maximumDropout: Float = 0.2
    /// Hidden sizes the rule chooses among.
    public static let candidateHiddenSizes = [128, 192, 256, 320, 384, 448, 512, 640, 768, 1024]
    /// Batch shape of automatic runs.
    public static let batch = TrainingSettings.defaults.batch, sequence = TrainingSettings.defaults.sequence
    /// Peak learning rate of automatic runs.
    public static let learningRate = TrainingSettings.defaults.learningRate
    /// Decay of the weight average that validation, checkpoints and sampling use.
    public static let emaDecay: Float = 0.998
    /// One-hot models start their input table at U(−1, 1) (see `LanguageModel.Initialization`).
    public static let oneHotScale: Float = 1

    /// The rule's choices and its reasons.
    public struct Choice: Equatable {
        /// Size and batch shape.
        public var hiddenSize: Int, layers: Int, batch: Int, sequence: Int
        /// Optimisation and regularisation.
        public var learningRate: Float, dropout: Float, weightDrop: Float, weightDecay: Float, emaDecay: Float,
            warmupSteps: Int
        /// Expected characters seen and passes over the corpus under this choice.
        public var characters: Double, epochs: Double
        /// The reasons, in one line.
        public var explanation: String
    }

    /// - Parameters:
    ///   - budgetCharacters: the character budget that steps or epochs set, if any.
    ///   - budgetSeconds: the time budget, if any; then `speed` measures training chars/s.
    ///   - validationCharacters: what one validation reads (it takes time from a time budget).
    ///   - validationSeconds: what one validation of a model takes here, with its checkpoints
    ///     (`measureValidationSeconds`); nil: `validationCharacters` at `evaluationSpeedup` × the
    ///     training speed.
    public static func choose(
        architecture: Architecture, vocabularySize: Int, trainCharacters: Int, layers: Int = 2,
        batch: Int = batch, sequence: Int = sequence,
        budgetCharacters: Double?, budgetSeconds: Double?, fixedHiddenSize: Int? = nil,
        validationCharacters: Int = 0, speed: (ModelConfig) -> Double,
        validationSeconds: ((ModelConfig) -> Double)? = nil
    ) -> Choice {
        func config(_ h: Int) -> ModelConfig {
            ModelConfig(architecture: architecture, vocabularySize: vocabularySize, hiddenSize: h, layers: layers)
        }
        var chosen = candidateHiddenSizes[0]
        var chars = budgetCharacters ?? 0
        var measured: [String] = []
        for h in fixedHiddenSize.map({ [$0] }) ?? candidateHiddenSizes {
            let (c, s) = characters(
                seenBy: config(h), budgetCharacters: budgetCharacters, budgetSeconds: budgetSeconds,
                validationCharacters: validationCharacters, speed: speed, validationSeconds: validationSeconds)
            if let s { measured.append("\(h): \(Int(s / 1000))K chars/s") }
            guard
                fixedHiddenSize != nil || c >= charactersPerParameter * Double(config(h).parameterCount)
                    || h == candidateHiddenSizes[0]
            else { break }
            chosen = h; chars = c
        }
        let epochs = chars / Double(max(1, trainCharacters))
        let longRun = epochs >= longRunPasses
        let weightDrop: Float = longRun ? longRunWeightDrop(architecture) : 0
        var choice = Choice(
            hiddenSize: chosen, layers: layers, batch: batch, sequence: sequence,
            learningRate: learningRate(hiddenSize: chosen, weightDrop: weightDrop),
            dropout: (dropoutRate(passes: epochs) * 100).rounded() / 100, weightDrop: weightDrop,
            weightDecay: longRun ? longRunWeightDecay : 0, emaDecay: emaDecay,
            warmupSteps: max(10, min(200, Int(chars / Double(batch * sequence) / 100))), characters: chars,
            epochs: epochs, explanation: "")
        let size: SizeReason =
            fixedHiddenSize != nil
            ? .given
            : chars < charactersPerParameter * Double(config(chosen).parameterCount) ? .smallest : .largest
        choice.explanation = explanation(of: choice, size: size, measured: measured)
        return choice
    }

    /// The characters a model of `config` sees: the character budget or what the time budget
    /// leaves after the run's validations, whichever is less; and its speed, when a time budget
    /// made the rule measure it.
    private static func characters(
        seenBy config: ModelConfig, budgetCharacters: Double?, budgetSeconds: Double?, validationCharacters: Int,
        speed: (ModelConfig) -> Double, validationSeconds: ((ModelConfig) -> Double)?
    ) -> (characters: Double, speed: Double?) {
        let c = budgetCharacters ?? .infinity
        guard let t = budgetSeconds else { return (c, nil) }
        let s = speed(config)
        let validating =
            validationsPerRun * (validationSeconds?(config) ?? Double(validationCharacters) / (evaluationSpeedup * s))
        return (min(c, s * max(t - validating, t / 2)), s)
    }

    /// Why the rule chose its size: as given, the largest that sees enough, or the smallest because
    /// none does.
    private enum SizeReason { case given, largest, smallest }

    /// The rule's reasons in one line.
    private static func explanation(of choice: Choice, size: SizeReason, measured: [String]) -> String {
        let rho = String(printf: "%.1f", charactersPerParameter)
        let shape = "\(choice.layers)×\(choice.hiddenSize)"
        var why: String
        switch size {
        case .given: why = "\(shape) as given "
        case .smallest:
            why = "\(shape): the smallest size (the budget is too small for \(rho) characters per parameter) "
        case .largest: why = "\(shape): the largest size that sees ≥ \(rho) characters per parameter "
        }
        why += String(
            printf: "(%.1fM characters, %.1f passes over the corpus); dropout %.2f", choice.characters / 1e6,
            choice.epochs, choice.dropout)
        if choice.weightDrop > 0 {
            why += String(printf: ", weight drop %.2f, weight decay %.2f", choice.weightDrop, choice.weightDecay)
        }
        why += "; learning rate \(choice.learningRate); weight average decay \(choice.emaDecay)"
        if !measured.isEmpty { why += "; measured " + measured.joined(separator: ", ") }
        return why
    }

    /// Dropout for E passes: 0 up to 1 pass, +0.05 per doubling up to 8 passes, then +0.1 per
    /// doubling, at most `maximumDropout`.
    public static func dropoutRate(passes e: Double) -> Float {
        guard e > 1 else { return 0 }
        let d = e <= 8 ? 0.05 * log2(e) : 0.15 + 0.1 * log2(e / 8)
        return min(maximumDropout, Float(d))
    }

    /// Peak Adam learning rate: 3e-3; for layers above 384 units without weight drop, 2e-3·512/H.
    public static func learningRate(hiddenSize h: Int, weightDrop: Float) -> Float {
        h <= 384 || weightDrop > 0 ? learningRate : 2e-3 * 512 / Float(h)
    }

    /// Training chars/s of a configuration on this machine: timed steps on random tokens (at
    /// least `steps`, and at least `seconds` of them), its products in `precision`.
    public static func measureSpeed(
        _ config: ModelConfig, batch: Int, sequence: Int, steps: Int = 2, seconds: Double = 0.3,
        precision: Precision = .fp32
    ) -> Double {
        TrainingProbe(config: config, batch: batch, steps: sequence, precision: precision)
            .charactersPerSecond(steps: steps, seconds: seconds)
    }

    /// Seconds one validation of `characters` takes here: the evaluator's forward passes over its
    /// streams (burn-in included), timed on random tokens for at least 0.3 s, and compressing the
    /// checkpoint it writes (weights, Adam moments and raw weights: 16 bytes a parameter) at
    /// `checkpointBytesPerSecond`.
    public static func measureValidationSeconds(
        _ config: ModelConfig, characters: Int, precision: Precision = .fp32
    ) -> Double {
        let streams = min(64, max(1, characters / 1000)), chunk = 128, burnIn = 200
        var rng = RandomGenerator(seed: 1)
        let model = LanguageModel(config: config, random: &rng)
        let engine = SequenceEngine(
            model: model, batch: streams, steps: chunk, training: false, precision: precision)
        var r = RandomGenerator(seed: 3)
        let x = (0..<streams * chunk).map { _ in Int32(r.nextInt(below: config.vocabularySize)) }
        _ = engine.run(inputs: x, targets: x, backward: false, random: &rng)
        let start = Date()
        var done = 0
        while done < 2 || Date().timeIntervalSince(start) < 0.3 {
            _ = engine.run(inputs: x, targets: x, backward: false, random: &rng)
            done += 1
        }
        let perPass = Date().timeIntervalSince(start) / Double(done)
        let passes = (characters / streams + burnIn + chunk - 1) / chunk
        return Double(passes) * perPass + 16 * Double(config.parameterCount) / checkpointBytesPerSecond
    }

    /// How fast a checkpoint is compressed (gzip level 1, which dominates writing it: 14 MB took
    /// 0.7 s on a busy 2-core Intel Xeon, and writing it with fsync 0.08 s).
    public static let checkpointBytesPerSecond = 20e6

    /// How many times faster than training a validation reads a character (a forward pass, without
    /// the backward one and the optimizer, on 64 streams: 3.5–4× at 2×512 and 5–7× at 2×128,
    /// Intel Xeon; the smaller figure, so that a time budget is overrun less often).
    public static let evaluationSpeedup = 4.0
    /// Validations in a run whose interval is left to the default: ten at the interval, and the last.
    public static let validationsPerRun = 11.0
}
