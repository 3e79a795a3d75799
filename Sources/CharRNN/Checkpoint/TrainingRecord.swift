import Foundation

// The state of a training run as a checkpoint stores it: its settings, where it stands, and its
// metric history. They live with the format, not with the trainer, so that the checkpoint code
// depends on nothing in Training/ (the trainer depends on these).

/// Hyper-parameters of a training run (stored in checkpoints so `--resume` continues it exactly).
public struct TrainingSettings: Codable, Equatable, Sendable {
    public var trainFile: String
    public var validationFile: String?
    public var validationFraction: Double = 0.1
    public var bytes: Bool = false
    public var batch: Int = 32
    public var sequence: Int = 64
    public var learningRate: Float = 2e-3
    /// Final learning rate as a fraction of `learningRate` (cosine decay over the budget).
    public var finalLearningRateFraction: Float = 0.1
    public var warmupSteps: Int = 100
    public var schedule: LearningRateSchedule = .cosine
    public var clip: Float = 5
    public var weightDecay: Float = 0
    public var seed: UInt64 = 1
    public var evalEvery: Int = 0
    public var epochs: Double?
    public var steps: Int?
    public var timeSeconds: Double?
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
    /// The explicit command line that repeats this run without measuring speed (every choice of
    /// the automatic configuration written out).
    public var command: String?

    public init(trainFile: String) { self.trainFile = trainFile }
}

public enum LearningRateSchedule: String, Codable, Sendable, CaseIterable {
    case constant, cosine, linear
}

/// Where a run stands: enough to continue it bit-exactly.
public struct TrainingProgress: Codable, Equatable, Sendable {
    public var step = 0
    public var epoch = 0
    public var batchInEpoch = 0
    public var charactersSeen = 0
    public var elapsedSeconds = 0.0
    /// The run's random generator: four 64-bit words in hex.
    public var random: [String] = []
    public var bestValidationLoss: Double?
    public var bestStep: Int?
    public var lastValidationLoss: Double?
    public var lastTrainingLoss: Double?
    /// Multiplier on the learning rate (lowered after a divergence).
    public var learningRateScale: Float = 1
    /// Identifies the validation text that `bestValidationLoss` was measured on (its length and
    /// a hash of its characters); a resumed run on other validation text starts its best afresh.
    public var validationFingerprint: String?
    public init() {}
}

public struct TrainingRecord: Codable, Equatable, Sendable {
    public var settings: TrainingSettings
    public var progress: TrainingProgress
    public var runName: String
    public init(settings: TrainingSettings, progress: TrainingProgress, runName: String) {
        self.settings = settings; self.progress = progress; self.runName = runName
    }
}

/// One line of the JSONL metrics log (and of the history inside checkpoints).
public struct MetricRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var epoch: Double
    public var characters: Int
    public var seconds: Double
    public var trainLoss: Double
    public var validationLoss: Double?
    public var learningRate: Float
    public var charactersPerSecond: Double?
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
    public var hexState: [String] { stateWords.map { String($0, radix: 16) } }
    public init?(hexState: [String]) {
        let words = hexState.compactMap { UInt64($0, radix: 16) }
        guard words.count == 4, words.contains(where: { $0 != 0 }) else { return nil }
        self.init(state: words)
    }
}
