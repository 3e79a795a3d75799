import ArgumentParser
import CharRNN
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an LSTM or GRU character model on a text file.",
        discussion: """
        Checkpoints go to CHECKPOINT-DIR/RUN-NAME/: best.ckpt (lowest validation loss), latest.ckpt,
        and metrics.jsonl. Ctrl-C finishes the current step, writes latest.ckpt and exits; a second
        Ctrl-C exits at once. Stop by --epochs, --steps or --time (the first reached); default 10 epochs.
        """)

    @Argument(help: "The training text (UTF-8; or any bytes with --bytes).")
    var file: String?

    @Option(help: "lstm or gru.") var arch: Architecture = .lstm
    @Option(parsing: .unconditional, help: "Recurrent layers (default 2).") var layers: Int?
    @Option(parsing: .unconditional, help: "Hidden units per layer (default: chosen from the corpus, the budget and this machine's speed).") var hidden: Int?
    @Option(parsing: .unconditional, help: "Embedding size; 0 feeds layer 0 the one-hot character (char-rnn).") var embedding: Int = 0
    @Option(parsing: .unconditional, help: "Dropout on every layer's output, 0 ≤ p < 1 (default: chosen from the passes over the data).", transform: finiteNumber) var dropout: Float?

    @Option(parsing: .unconditional, help: "Parallel streams per batch (default 32).") var batch: Int?
    @Option(parsing: .unconditional, help: "Timesteps of truncated backpropagation through time (default 64).") var seq: Int?
    @Option(parsing: .unconditional, help: "Peak Adam learning rate (default 3e-3; 2e-3·512/hidden above 384 units without weight drop).", transform: finiteNumber) var lr: Float?
    @Option(name: .customLong("lr-schedule"), help: "cosine, linear or constant decay over the budget.") var lrSchedule: LearningRateSchedule = .cosine
    @Option(name: .customLong("lr-final"), parsing: .unconditional, help: "Final learning rate as a fraction of --lr.", transform: finiteNumber) var lrFinal: Float = 0.1
    @Option(parsing: .unconditional, help: "Linear learning-rate warm-up steps (default: 1% of the run, 10 to 200).") var warmup: Int?
    @Option(parsing: .unconditional, help: "Clip the global gradient norm to this.", transform: finiteNumber) var clip: Float = 5
    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Decoupled (AdamW) weight decay on matrices (default: 0.1 for runs of 10 passes or more, else 0).", transform: finiteNumber) var weightDecay: Float?
    @Option(name: .customLong("weight-drop"), parsing: .unconditional, help: "Drop each hidden-to-hidden weight with this probability, a new mask per step (DropConnect, AWD-LSTM's weight drop; default: 0.3 LSTM, 0.25 GRU for runs of 10 passes or more, else 0).", transform: finiteNumber) var weightDrop: Float?
    @Option(parsing: .unconditional, help: "Validate, save and sample an exponential moving average of the weights with this decay per step, 0 ≤ d < 1 (0 = off; default: 0.998).", transform: finiteNumber) var ema: Float?
    @Option(name: .customLong("init-one-hot"), parsing: .unconditional, help: "Initialise the one-hot input weights U(-s, s) (default 1; 0 = PyTorch's 1/sqrt(H)).", transform: finiteNumber) var initOneHot: Float?
    @Option(name: .customLong("forget-bias"), parsing: .unconditional, help: "LSTM forget-gate bias at initialisation (default: PyTorch's uniform).", transform: finiteNumber) var forgetBias: Float?

    @Option(name: .customLong("val-fraction"), parsing: .unconditional, help: "Validation = this last fraction of FILE.", transform: finiteNumber) var valFraction: Double = 0.1
    @Option(name: .customLong("val-file"), help: "Validate on this file instead.") var valFile: String?
    @Flag(help: "Train on raw bytes instead of Unicode characters.") var bytes = false

    @Option(parsing: .unconditional, help: "Stop after this many epochs.", transform: finiteNumber) var epochs: Double?
    @Option(parsing: .unconditional, help: "Stop after this many optimizer steps (in total, counting resumed ones).") var steps: Int?
    @Option(help: "Stop after this much training time, e.g. 90s, 10m, 1h (with --resume: this much more).") var time: String?
    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Validate every N steps (default: about 10 times per run).") var evalEvery: Int = 0
    @Option(parsing: .unconditional, help: "Random seed (initialisation, dropout); the same seed repeats a run exactly.") var seed: UInt64 = 1

    @Option(help: "Run name (default: FILE-ARCH-LxH-TIMESTAMP).") var name: String?
    @Option(name: .customLong("checkpoint-dir"), help: "Folder for run folders.") var checkpointDir = "checkpoints"
    @Option(help: "Continue the run saved in this checkpoint.") var resume: String?
    @Flag(help: "No progress output.") var quiet = false

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if file == nil && resume == nil { throw ValidationError("give a training FILE, or --resume CKPT") }
        if let v = layers, v <= 0 { throw ValidationError("--layers must be positive (got \(v))") }
        if let v = hidden, v <= 0 { throw ValidationError("--hidden must be positive (got \(v))") }
        if embedding < 0 { throw ValidationError("--embedding must be 0 (one-hot) or positive (got \(embedding))") }
        if let v = dropout, !(0..<1).contains(v) { throw ValidationError("--dropout must be in [0, 1) (got \(v))") }
        if let v = weightDecay, !(v >= 0) { throw ValidationError("--weight-decay must be 0 or more (got \(v))") }
        if let v = weightDrop, !(0..<1).contains(v) { throw ValidationError("--weight-drop must be in [0, 1) (got \(v))") }
        if let v = ema, !(0..<1).contains(v) { throw ValidationError("--ema must be in [0, 1) (got \(v))") }
        if let v = batch, v <= 0 { throw ValidationError("--batch must be positive (got \(v))") }
        if let v = seq, v <= 0 { throw ValidationError("--seq must be positive (got \(v))") }
        if let v = lr, !(v > 0) { throw ValidationError("--lr must be positive (got \(v))") }
        if !(clip > 0) { throw ValidationError("--clip must be positive (got \(clip))") }
        if !(valFraction > 0 && valFraction < 1) { throw ValidationError("--val-fraction must be between 0 and 1 (got \(valFraction))") }
        if let e = epochs, !(e > 0) { throw ValidationError("--epochs must be positive (got \(e))") }
        if let s = steps, s <= 0 { throw ValidationError("--steps must be positive (got \(s))") }
        if let t = time { try checkDuration(t, flag: "--time") }
        if let n = name { try RunFolder.checkName(n) }
        if checkpointDir.isEmpty { throw ValidationError("--checkpoint-dir: the path is empty") }
        if let v = warmup, v < 0 { throw ValidationError("--warmup must be 0 or more") }
        if let v = initOneHot, !(v >= 0) { throw ValidationError("--init-one-hot must be 0 (PyTorch's initialisation) or positive (got \(v))") }
        if !(0...1).contains(lrFinal) { throw ValidationError("--lr-final must be in [0, 1]") }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let trainer: Trainer
            if let ckpt = resume {
                // --steps and --epochs count the whole run; --time counts from now.
                trainer = try Trainer(resuming: ckpt) { s, progress in
                    if epochs != nil || steps != nil || time != nil { s.epochs = epochs; s.steps = steps; s.timeSeconds = nil }
                    if let t = time, let d = parseDuration(t) { s.timeSeconds = progress.elapsedSeconds + d }
                }
            } else {
                var s = TrainingSettings(trainFile: file!)
                s.validationFile = valFile; s.validationFraction = valFraction; s.bytes = bytes
                s.schedule = lrSchedule
                s.finalLearningRateFraction = lrFinal; s.clip = clip
                s.seed = seed; s.evalEvery = evalEvery
                s.weightDrop = weightDrop
                s.emaDecay = ema.flatMap { $0 > 0 ? $0 : nil }
                let oneHot = initOneHot ?? AutoConfiguration.oneHotScale
                s.initialization = .init(oneHotScale: oneHot > 0 ? oneHot : nil, forgetBias: forgetBias)
                s.epochs = epochs; s.steps = steps; s.timeSeconds = time.flatMap(parseDuration)
                if s.epochs == nil && s.steps == nil && s.timeSeconds == nil { s.epochs = 10 }
                // Refuse an unwritable folder before any measuring or training.
                try RunFolder.prepare(name.map { checkpointDir + "/" + $0 } ?? checkpointDir)
                let data = try TrainingData.load(trainFile: s.trainFile, validationFile: s.validationFile,
                                                 validationFraction: s.validationFraction, bytes: s.bytes)
                s.batch = batch ?? AutoConfiguration.batch
                s.sequence = seq ?? AutoConfiguration.sequence
                s.learningRate = lr ?? AutoConfiguration.learningRate
                s.weightDecay = weightDecay ?? 0
                try Trainer.checkData(data, settings: s)
                let layerCount = layers ?? 2
                if let h = hidden {
                    let config = ModelConfig(architecture: arch, vocabularySize: data.vocabulary.count, hiddenSize: h,
                                             layers: layerCount, embeddingSize: embedding, dropout: dropout ?? 0)
                    try MemoryEstimate.checkTraining(config: config, batch: s.batch, steps: s.sequence, threads: Threads.count)
                }
                var hiddenSize = hidden ?? 0, dropoutRate = dropout ?? 0, warmupSteps = warmup ?? 100
                if hidden == nil || dropout == nil || warmup == nil || lr == nil || weightDecay == nil || weightDrop == nil || ema == nil {
                    // Characters the budget allows, when steps or epochs fix it; a time budget is measured.
                    var budget: Double? = nil
                    if let n = s.steps { budget = Double(n * s.batch * s.sequence) }
                    if let e = s.epochs { budget = min(budget ?? .infinity, e * Double(data.train.count)) }
                    if s.timeSeconds != nil && hidden == nil && !quiet { writeErr("measuring this machine's training speed to choose the model size…\n") }
                    let choice = AutoConfiguration.choose(
                        architecture: arch, vocabularySize: data.vocabulary.count, trainCharacters: data.train.count,
                        layers: layerCount, batch: s.batch, sequence: s.sequence,
                        budgetCharacters: budget, budgetSeconds: s.timeSeconds,
                        fixedHiddenSize: hidden) { config in
                            AutoConfiguration.measureSpeed(config, batch: s.batch, sequence: s.sequence)
                        }
                    hiddenSize = choice.hiddenSize
                    if dropout == nil { dropoutRate = choice.dropout }
                    if warmup == nil { warmupSteps = choice.warmupSteps }
                    if lr == nil { s.learningRate = choice.learningRate }
                    if weightDecay == nil { s.weightDecay = choice.weightDecay }
                    if weightDrop == nil { s.weightDrop = choice.weightDrop > 0 ? choice.weightDrop : nil }
                    if ema == nil { s.emaDecay = choice.emaDecay > 0 ? choice.emaDecay : nil }
                    var given: [String] = []
                    if let h = hidden { given.append("--hidden \(h)") }
                    if let d = dropout { given.append("--dropout \(d)") }
                    if let w = warmup { given.append("--warmup \(w)") }
                    if let v = lr { given.append("--lr \(v)") }
                    if let v = weightDecay { given.append("--weight-decay \(v)") }
                    if let v = weightDrop { given.append("--weight-drop \(v)") }
                    if let v = ema { given.append("--ema \(v)") }
                    let note = given.isEmpty ? "" : " (given on the command line, used instead: \(given.joined(separator: ", ")))"
                    if !quiet { writeErr("auto configuration: \(choice.explanation)\(note)\n") }
                }
                s.warmupSteps = warmupSteps
                let runName = name ?? defaultRunName(layers: layerCount, hidden: hiddenSize)
                let runDirectory = checkpointDir + "/" + runName
                trainer = try Trainer(settings: s, data: data, architecture: arch, layers: layerCount, hiddenSize: hiddenSize,
                                      embeddingSize: embedding, dropout: dropoutRate,
                                      runDirectory: runDirectory, runName: runName)
            }
            trainer.display = ProgressDisplay(quiet: quiet)
            Interrupts.install()
            trainer.shouldStop = { Interrupts.requested }
            let summary = try trainer.run()
            var line = "done: \(summary.steps) steps in \(ProgressDisplay.duration(summary.seconds)), \(Int(summary.charactersPerSecond)) chars/s"
            if let v = summary.finalValidationLoss { line += String(format: "; validation %.4f nats/char (%.4f bits/char, perplexity %.3f)", v, v / log(2), exp(v)) }
            if let b = summary.bestValidationLoss { line += String(format: "; best %.4f", b) }
            writeErr(line + "\n")
            writeErr("checkpoints: \(trainer.bestPath) \(trainer.latestPath)\n")
            if summary.interrupted { throw ExitCode(130) }
        }
    }

    func defaultRunName(layers: Int, hidden: Int) -> String {
        let base = ((file! as NSString).lastPathComponent as NSString).deletingPathExtension
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(base)-\(arch.rawValue)-\(layers)x\(hidden)-\(f.string(from: Date()))"
    }
}

extension Architecture: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
