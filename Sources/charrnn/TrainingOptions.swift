import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

// The option groups of `train` (and the names `study` shares). Every option is optional, so a
// command can tell what was given from what was left to the defaults: `--resume` refuses a given
// option that conflicts with the run it continues, and the automatic configuration fills in only
// what was left out.

/// The text: `--val-file`, `--val-fraction`, `--bytes`.
struct CorpusOptions: ParsableArguments {
    @Option(
        name: .customLong("val-fraction"), parsing: .unconditional,
        help: "Validation = this last fraction of FILE (default: \(TrainingSettings.defaults.validationFraction))",
        transform: finiteNumber)
    var valFraction: Double?
    @Option(
        name: .customLong("val-file"), help: "Validate on this file instead of the end of FILE", completion: .file())
    var valFile: String?
    @Option(
        name: .customLong("test-fraction"), parsing: .unconditional,
        help: "Hold out this last fraction of FILE as a test set, scored once by best.ckpt at the end (default: none)",
        transform: finiteNumber)
    var testFraction: Double?
    @Flag(help: "Train on raw bytes instead of Unicode characters")
    var bytes = false

    /// The corpus part of a run's request.
    func apply(to r: inout TrainingRequest) {
        r.validationFile = valFile.map(absolutePath); r.validationFraction = valFraction
        r.testFraction = testFraction; r.bytes = bytes
    }

    func validate() throws {
        if let v = valFraction, !(v > 0 && v < 1) {
            throw ValidationError("--val-fraction must be between 0 and 1 (got \(v))")
        }
        if let t = testFraction {
            if valFile != nil {
                throw ValidationError("--test-fraction splits FILE; it cannot be used with --val-file")
            }
            if !(t > 0 && t + (valFraction ?? TrainingSettings.defaults.validationFraction) < 0.9) {
                throw ValidationError(
                    "--test-fraction must be positive and leave most of FILE for training (got \(t))")
            }
        }
    }
}

/// The network: `--arch`, `--layers`, `--hidden`, `--embedding`, `--dropout`, `--weight-drop`,
/// and its initialisation.
struct ModelOptions: ParsableArguments {
    @Option(
        help: """
            lstm, gru or auto: the one the published LSTM-or-GRU study favours at this run's size and budget, \
            or the faster where it found no difference (default: auto)
            """)
    var arch: ArchitectureOption?
    @Option(parsing: .unconditional, help: "Recurrent layers (default: 2)")
    var layers: Int?
    @Option(
        parsing: .unconditional,
        help: "Hidden units per layer (default: chosen from the corpus, the budget and this machine's speed)")
    var hidden: Int?
    @Option(parsing: .unconditional, help: "Embedding size; 0 feeds layer 0 the one-hot character (default: 0)")
    var embedding: Int?
    @Option(
        parsing: .unconditional,
        help: "Dropout on every layer's output, 0 <= p < 1 (default: chosen from the passes over the data)",
        transform: finiteNumber)
    var dropout: Float?
    @Option(
        name: .customLong("weight-drop"), parsing: .unconditional,
        help: """
            Drop each hidden-to-hidden weight with this probability, a new mask per step (DropConnect) \
            (default: 0.3 for an LSTM, 0.25 for a GRU, in runs of 10 passes or more; else 0)
            """,
        transform: finiteNumber)
    var weightDrop: Float?
    @Option(
        name: .customLong("init-one-hot"), parsing: .unconditional,
        help: "Initialise the one-hot input weights U(-s, s); 0 = PyTorch's 1/sqrt(H) (default: 1)",
        transform: finiteNumber)
    var initOneHot: Float?
    @Option(
        name: .customLong("forget-bias"), parsing: .unconditional,
        help: "LSTM forget-gate bias at initialisation (default: PyTorch's uniform)", transform: finiteNumber)
    var forgetBias: Float?

    /// The model part of a run's request.
    func apply(to r: inout TrainingRequest) {
        r.architecture = arch?.architecture; r.layers = layers; r.hiddenSize = hidden; r.embeddingSize = embedding
        r.dropout = dropout; r.weightDrop = weightDrop; r.initOneHot = initOneHot; r.forgetBias = forgetBias
    }

    func validate() throws {
        if let v = layers, v <= 0 { throw ValidationError("--layers must be positive (got \(v))") }
        if let v = hidden, v <= 0 { throw ValidationError("--hidden must be positive (got \(v))") }
        if let v = embedding, v < 0 {
            throw ValidationError("--embedding must be 0 (one-hot) or positive (got \(v))")
        }
        if let v = dropout, !(0..<1).contains(v) { throw ValidationError("--dropout must be in [0, 1) (got \(v))") }
        if let v = weightDrop, !(0..<1).contains(v) {
            throw ValidationError("--weight-drop must be in [0, 1) (got \(v))")
        }
        if let v = initOneHot, !(v >= 0) {
            throw ValidationError("--init-one-hot must be 0 (PyTorch's initialisation) or positive (got \(v))")
        }
    }
}

/// How the weights move: batch shape, learning rate and its schedule, clipping, decay, averaging,
/// seed.
struct OptimisationOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Parallel streams per batch (default: \(TrainingSettings.defaults.batch))")
    var batch: Int?
    @Option(
        parsing: .unconditional,
        help: "Timesteps of truncated backpropagation through time (default: \(TrainingSettings.defaults.sequence))")
    var seq: Int?
    @Option(
        parsing: .unconditional,
        help: "Peak Adam learning rate (default: 3e-3; 2e-3*512/hidden above 384 units without weight drop)",
        transform: finiteNumber)
    var lr: Float?
    @Option(
        name: .customLong("lr-schedule"),
        help:
            "cosine, linear or constant decay over the budget (default: \(TrainingSettings.defaults.schedule.rawValue))"
    )
    var lrSchedule: LearningRateSchedule?
    @Option(
        name: .customLong("lr-final"), parsing: .unconditional,
        help:
            "Final learning rate as a fraction of --lr (default: \(TrainingSettings.defaults.finalLearningRateFraction))",
        transform: finiteNumber)
    var lrFinal: Float?
    @Option(parsing: .unconditional, help: "Linear learning-rate warm-up steps (default: 1% of the run, 10 to 200)")
    var warmup: Int?
    @Option(
        parsing: .unconditional,
        help: "Clip the global gradient norm to this (default: \(TrainingSettings.defaults.clip))",
        transform: finiteNumber)
    var clip: Float?
    @Option(
        name: .customLong("weight-decay"), parsing: .unconditional,
        help: "Decoupled (AdamW) weight decay on matrices (default: 0.1 in runs of 10 passes or more; else 0)",
        transform: finiteNumber)
    var weightDecay: Float?
    @Option(
        parsing: .unconditional,
        help:
            """
            Validate, save and sample a moving average of the weights with this decay per step; 0 = off \
            (default: 0.998)
            """,
        transform: finiteNumber)
    var ema: Float?
    @Option(
        parsing: .unconditional,
        help:
            "Random seed (initialisation, dropout); the same seed repeats a run exactly (default: \(TrainingSettings.defaults.seed))"
    )
    var seed: UInt64?

    /// The optimisation part of a run's request.
    func apply(to r: inout TrainingRequest) {
        r.batch = batch; r.sequence = seq; r.learningRate = lr; r.schedule = lrSchedule
        r.finalLearningRateFraction = lrFinal; r.warmupSteps = warmup; r.clip = clip; r.weightDecay = weightDecay
        r.ema = ema; r.seed = seed
    }

    func validate() throws {
        if let v = batch, v <= 0 { throw ValidationError("--batch must be positive (got \(v))") }
        if let v = seq, v <= 0 { throw ValidationError("--seq must be positive (got \(v))") }
        if let v = lr, !(v > 0) { throw ValidationError("--lr must be positive (got \(v))") }
        if let v = lrFinal, !(0...1).contains(v) { throw ValidationError("--lr-final must be in [0, 1] (got \(v))") }
        if let v = warmup, v < 0 { throw ValidationError("--warmup must be 0 or more (got \(v))") }
        if let v = clip, !(v > 0) { throw ValidationError("--clip must be positive (got \(v))") }
        if let v = weightDecay, !(v >= 0) { throw ValidationError("--weight-decay must be 0 or more (got \(v))") }
        if let v = ema, !(0..<1).contains(v) { throw ValidationError("--ema must be in [0, 1) (got \(v))") }
    }
}

/// When to stop and how often to validate.
struct BudgetOptions: ParsableArguments {
    @Option(
        parsing: .unconditional, help: "Stop after this many epochs (default: 10 when no budget is given)",
        transform: finiteNumber)
    var epochs: Double?
    @Option(parsing: .unconditional, help: "Stop after this many optimizer steps (in total, counting resumed ones)")
    var steps: Int?
    @Option(help: "Stop after this much training time, e.g. 90s, 10m, 1h30m (with --resume: this much more)")
    var time: String?
    @Option(
        name: .customLong("eval-every"), parsing: .unconditional,
        help: "Validate every N steps (default: about 10 times per run)")
    var evalEvery: Int?

    var seconds: Double? { time.flatMap(parseDuration) }
    var given: Bool { epochs != nil || steps != nil || time != nil }

    /// The budget part of a run's request.
    func apply(to r: inout TrainingRequest) {
        r.epochs = epochs; r.steps = steps; r.timeSeconds = seconds; r.evalEvery = evalEvery
    }

    func validate() throws {
        if let e = epochs, !(e > 0) { throw ValidationError("--epochs must be positive (got \(e))") }
        if let s = steps, s <= 0 { throw ValidationError("--steps must be positive (got \(s))") }
        if let t = time { try checkDuration(t, flag: "--time") }
        if let v = evalEvery, v < 0 { throw ValidationError("--eval-every must be 0 or more (got \(v))") }
    }
}

/// Where the run goes and where it comes from.
struct RunOptions: ParsableArguments {
    @Option(help: "Run name: one folder name (default: FILE-ARCH-LAYERSxHIDDEN-TIMESTAMP)")
    var name: String?
    @Option(name: .customLong("checkpoint-dir"), help: "Folder for run folders (default: checkpoints)")
    var checkpointDir: String?
    @Flag(help: "Replace the checkpoints and log of an existing run folder of the same name")
    var overwrite = false
    @Option(parsing: .unconditional, help: "Also keep the last N validated checkpoints as step-STEP.ckpt (default: 0)")
    var keep: Int?
    @Option(
        help: "Continue the run saved in this checkpoint (FILE, if given, replaces its stored corpus path)",
        completion: .file(extensions: ["ckpt"]))
    var resume: String?
    @Option(
        name: .customLong("init-from"),
        help: "Start a new run from this checkpoint's weights (fine-tuning; any f32, f16 or bf16 checkpoint)",
        completion: .file(extensions: ["ckpt"]))
    var initFrom: String?
    @Flag(
        name: .customLong("continue"),
        help: ArgumentHelp(
            "Make the run named by --name happen once: start it, resume it from its latest.ckpt, or do nothing "
                + "if it has finished (for manifests and schedulers)"))
    var continueRun = false
    @Flag(help: "No progress output")
    var quiet = false
    @Option(
        help: ArgumentHelp(
            precisionHelp.abstract + " (default: auto; a resumed run keeps its own)"))
    var precision: PrecisionRequest?

    var folder: String { checkpointDir ?? "checkpoints" }

    func validate() throws {
        if let n = name { try RunFolder.checkName(n) }
        if checkpointDir?.isEmpty == true { throw ValidationError("--checkpoint-dir: the path is empty") }
        if let k = keep, k < 0 { throw ValidationError("--keep must be 0 or more (got \(k))") }
        if resume != nil && initFrom != nil { throw ValidationError("give --resume or --init-from, not both") }
        if resume != nil && overwrite {
            throw ValidationError("--overwrite starts a new run; it cannot be used with --resume")
        }
        if continueRun {
            if name == nil { throw ValidationError("--continue needs --name: it continues that run folder") }
            if resume != nil || overwrite || initFrom != nil {
                throw ValidationError("--continue cannot be used with --resume, --overwrite or --init-from")
            }
        }
    }
}

/// A path as given, made absolute against the working directory (stored paths then work from anywhere).
func absolutePath(_ path: String) -> String { PathName.absolute(path) }

/// `--arch`: an architecture, or `auto` (the library's choice, `TrainingRequest.architecture` nil).
enum ArchitectureOption: String, ExpressibleByArgument, CaseIterable {
    case lstm, gru, auto

    var architecture: Architecture? { Architecture(rawValue: rawValue) }
}
