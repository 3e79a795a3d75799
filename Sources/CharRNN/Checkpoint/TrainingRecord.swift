#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The state of a training run as a checkpoint stores it: its settings, where it stands, and its
// metric history. They live with the format, not with the trainer, so that the checkpoint code
// depends on nothing in Training/ (the trainer depends on these).

/// Hyper-parameters of a training run (stored in checkpoints so `--resume` continues it exactly).
public struct TrainingSettings: Codable, Equatable, Sendable {
    /// The training text (an absolute path for runs started by the CLI).
    public var trainFile: String
    /// A separate validation text, if any.
    public var validationFile: String?
    /// Validation = this last fraction of the training text when there is no validation file.
    public var validationFraction: Double = 0.1
    /// The last fraction of the training text held out as a test set (nil = none): never trained
    /// on or used to choose a checkpoint, and scored once by best.ckpt when the budget is used up.
    public var testFraction: Double?
    /// Train on raw bytes instead of Unicode characters.
    public var bytes: Bool = false
    /// Parallel streams per batch.
    public var batch: Int = 32
    /// Timesteps of truncated backpropagation through time.
    public var sequence: Int = 64
    /// Peak learning rate (the automatic rule's base rate).
    public var learningRate: Float = 3e-3
    /// Final learning rate as a fraction of `learningRate` (cosine decay over the budget).
    public var finalLearningRateFraction: Float = 0.1
    /// Linear warm-up steps before the schedule.
    public var warmupSteps: Int = 100
    /// How the learning rate decays over the budget.
    public var schedule: LearningRateSchedule = .cosine
    /// Global gradient-norm clipping threshold.
    public var clip: Float = 5
    /// Decoupled (AdamW) weight decay on matrices.
    public var weightDecay: Float = 0
    /// The seed of initialisation, dropout and weight drop.
    public var seed: UInt64 = 1
    /// Validate every this many steps (0 = about ten times per run).
    public var evalEvery: Int = 0
    /// Budget in passes over the training text.
    public var epochs: Double?
    /// Budget in optimizer steps (counting resumed ones).
    public var steps: Int?
    /// The time budget asked for, in seconds (counting resumed time). A run turns it into `steps`
    /// once, from the speed it measures, and does exactly those steps, so that its explicit
    /// command repeats it; the seconds stay here to describe the run.
    public var timeSeconds: Double?
    /// Initialisation options (nil = PyTorch's).
    public var initialization: LanguageModel.Initialization?
    /// Weight drop on the hidden-to-hidden weights (nil = none; see `SequenceEngine.weightDrop`).
    public var weightDrop: Float?
    /// Decay of the exponential moving average of the weights (nil or 0 = none). When set,
    /// validation, `best.ckpt`, sampling and evaluation use the average; the optimizer keeps
    /// updating the raw weights. Update n mixes in the new weights with weight
    /// 1 − min(decay, (1 + n)/(10 + n)), so early on the average follows the weights closely.
    public var emaDecay: Float?
    /// Validated checkpoints kept as history (`step-N.ckpt`) besides best and latest (nil or 0 = none).
    public var keep: Int?
    /// The numbers the products take (nil: fp32, as every run before bf16 did).
    public var precision: Precision?
    /// The checkpoint whose weights a fine-tuned run (`--init-from`) started from.
    public var initFrom: String?
    /// The explicit command line that repeats this run without measuring speed (every choice of
    /// the automatic configuration written out).
    public var command: String?

    /// The precision the run computes in.
    public var resolvedPrecision: Precision { precision ?? .fp32 }

    /// Settings with the defaults for `trainFile`.
    public init(trainFile: String) { self.trainFile = trainFile }

    /// The one table of a run's defaults: the values above, which a run takes for whatever neither
    /// its request nor the automatic rule (`AutoConfiguration`) sets.
    public static let defaults = TrainingSettings(trainFile: "")
}

/// How the learning rate falls from its peak to `finalLearningRateFraction` of it over the budget.
public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    case constant, cosine, linear
}

/// Where a run stands: enough to continue it bit-exactly.
public struct TrainingProgress: Codable, Equatable, Sendable {
    /// Optimizer steps taken.
    public var step = 0
    /// Completed passes over the training text.
    public var epoch = 0
    /// Batch index within the current pass.
    public var batchInEpoch = 0
    /// Characters trained on so far.
    public var charactersSeen = 0
    /// Training time so far, in seconds.
    public var elapsedSeconds = 0.0
    /// The run's random generator: four 64-bit words in hex.
    public var random: [String] = []
    /// Lowest validation loss so far (nats/char).
    public var bestValidationLoss: Double?
    /// The step of `bestValidationLoss`.
    public var bestStep: Int?
    /// The latest validation loss (nats/char).
    public var lastValidationLoss: Double?
    /// The latest step's training loss (nats/char).
    public var lastTrainingLoss: Double?
    /// Multiplier on the learning rate (lowered after a divergence).
    public var learningRateScale: Float = 1
    /// Identifies the validation text that `bestValidationLoss` was measured on (its length and
    /// a hash of its characters); a resumed run on other validation text starts its best afresh.
    public var validationFingerprint: String?
    /// A random identity given when the run starts (absent in checkpoints from before
    /// 2026-12-02). The run's checkpoints and the first line of its log carry it, so that a resume
    /// can tell its own folder from another run's.
    public var runID: String?
    /// A run that has not started.
    public init() {}
}

extension TrainingProgress {
    /// The first counter that is negative (or a time that is not a finite non-negative number).
    var negativeCounter: String? {
        if step < 0 { return "step" }
        if epoch < 0 { return "epoch" }
        if batchInEpoch < 0 { return "batchInEpoch" }
        if charactersSeen < 0 { return "charactersSeen" }
        if !(elapsedSeconds >= 0) || !elapsedSeconds.isFinite { return "elapsedSeconds" }
        if let b = bestStep, b < 0 { return "bestStep" }
        return nil
    }
}

/// What a training checkpoint stores of its run: settings, progress and name.
public struct TrainingRecord: Codable, Equatable, Sendable {
    /// How the run was configured.
    public var settings: TrainingSettings
    /// Where the run stands.
    public var progress: TrainingProgress
    /// The run's name (its folder's name).
    public var runName: String
    /// A record of a run.
    public init(settings: TrainingSettings, progress: TrainingProgress, runName: String) {
        self.settings = settings; self.progress = progress; self.runName = runName
    }
}

/// One line of the JSONL metrics log (and of the history inside checkpoints).
public struct MetricRecord: Codable, Equatable, Sendable {
    /// Optimizer steps taken.
    public var step: Int
    /// Passes over the training text, fractional.
    public var epoch: Double
    /// Characters trained on so far.
    public var characters: Int
    /// Training time so far, in seconds.
    public var seconds: Double
    /// Mean training loss since the previous record (nats/char).
    public var trainLoss: Double
    /// Validation loss, when this record is a validation (nats/char).
    public var validationLoss: Double?
    /// The learning rate of this step.
    public var learningRate: Float
    /// Training throughput around this step.
    public var charactersPerSecond: Double?
    /// A metric record.
    public init(
        step: Int, epoch: Double, characters: Int, seconds: Double, trainLoss: Double,
        validationLoss: Double?, learningRate: Float, charactersPerSecond: Double?
    ) {
        self.step = step; self.epoch = epoch; self.characters = characters; self.seconds = seconds
        self.trainLoss = trainLoss; self.validationLoss = validationLoss; self.learningRate = learningRate
        self.charactersPerSecond = charactersPerSecond
    }
}

extension RandomGenerator {
    /// The generator's state as four hexadecimal words (as checkpoints store it).
    public var hexState: [String] { stateWords.map { String($0, radix: 16) } }
    /// A generator from `hexState`; nil if the words are not four valid hexadecimal numbers.
    public init?(hexState: [String]) {
        let words = hexState.compactMap { UInt64($0, radix: 16) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        self.init(state: words)
    }
}
