import ArgumentParser
import CharRNN
import Foundation

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an LSTM or GRU character model on a text file.",
        discussion: """
        Checkpoints go to CHECKPOINT-DIR/RUN-NAME/: best.ckpt (lowest validation loss), latest.ckpt \
        and metrics.jsonl. An existing run folder is refused unless --overwrite is given. Ctrl-C \
        finishes the current step, writes latest.ckpt and exits; a second Ctrl-C exits at once. Stop \
        by --epochs, --steps or --time (the first reached); without any, 10 epochs. Options left out \
        are chosen by the automatic configuration, which prints the explicit command that repeats \
        the run without measuring this machine's speed.
        """)

    @Argument(help: "The training text (UTF-8, or any bytes with --bytes; - reads standard input)")
    var file: String?

    @OptionGroup(title: "Corpus") var corpus: CorpusOptions
    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Optimisation") var optimisation: OptimisationOptions
    @OptionGroup(title: "Budget") var budget: BudgetOptions
    @OptionGroup(title: "Run") var output: RunOptions
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if file == nil && output.resume == nil { throw ValidationError("give a training FILE, or --resume CKPT") }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let trainer = try output.resume.map(resumedTrainer) ?? newTrainer()
            let display = ProgressDisplay(quiet: output.quiet)
            trainer.onEvent = { display.render($0) }
            Interrupts.install()
            trainer.shouldStop = { Interrupts.requested }
            let summary = try trainer.run()
            var line = "done: \(summary.steps) steps in \(formatDuration(summary.seconds)), "
                + "\(Int(summary.charactersPerSecond)) chars/s"
            if let v = summary.finalValidationLoss {
                line += String(format: "; validation %.4f nats/char (%.4f bits/char, perplexity %.3f)", v, v / log(2), exp(v))
            }
            if let b = summary.bestValidationLoss { line += String(format: "; best %.4f", b) }
            writeErr(line + "\n")
            writeErr("checkpoints: \(trainer.bestPath) \(trainer.latestPath)\n")
            if summary.interrupted { throw ExitCode(130) }
        }
    }

    // MARK: resume

    /// Continues a run. Options that would change the run (its model, its batch shape, its
    /// optimizer) are refused when they differ from the stored ones; FILE replaces the stored
    /// corpus path when its vocabulary is the same.
    func resumedTrainer(_ path: String) throws -> Trainer {
        let ckpt = try Checkpoint.load(path)
        if let s = ckpt.training?.settings { try refuseConflicts(with: s, config: ckpt.config, checkpoint: path) }
        return try Trainer(resuming: path) { s, progress in
            if let f = file { s.trainFile = absolutePath(f) }
            if budget.given { s.epochs = budget.epochs; s.steps = budget.steps; s.timeSeconds = nil }
            if let d = budget.seconds { s.timeSeconds = progress.elapsedSeconds + d }
            if let k = output.keep { s.keep = k }
        }
    }

    func refuseConflicts(with s: TrainingSettings, config c: ModelConfig, checkpoint: String) throws {
        func check<T: Equatable>(_ flag: String, _ given: T?, _ stored: T) throws {
            if let g = given, g != stored {
                throw CLIError("\(flag) \(g) conflicts with \(checkpoint), which was trained with \(flag) \(stored); "
                               + "a resumed run keeps its settings (use --init-from to start a new run from its weights)")
            }
        }
        try check("--arch", model.arch, c.architecture)
        try check("--layers", model.layers, c.layers)
        try check("--hidden", model.hidden, c.hiddenSize)
        try check("--embedding", model.embedding, c.embeddingSize)
        try check("--dropout", model.dropout, c.dropout)
        try check("--weight-drop", model.weightDrop, s.weightDrop ?? 0)
        try check("--batch", optimisation.batch, s.batch)
        try check("--seq", optimisation.seq, s.sequence)
        try check("--lr", optimisation.lr, s.learningRate)
        try check("--lr-schedule", optimisation.lrSchedule, s.schedule)
        try check("--lr-final", optimisation.lrFinal, s.finalLearningRateFraction)
        try check("--warmup", optimisation.warmup, s.warmupSteps)
        try check("--clip", optimisation.clip, s.clip)
        try check("--weight-decay", optimisation.weightDecay, s.weightDecay)
        try check("--ema", optimisation.ema, s.emaDecay ?? 0)
        try check("--seed", optimisation.seed, s.seed)
        try check("--val-fraction", corpus.valFraction, s.validationFraction)
        try check("--val-file", corpus.valFile.map(absolutePath), s.validationFile.map(absolutePath) ?? "")
        try check("--bytes", corpus.bytes ? true : nil, s.bytes)
        if model.initOneHot != nil || model.forgetBias != nil {
            throw CLIError("--init-one-hot and --forget-bias set up a new model; a resumed run keeps its weights")
        }
        if output.name != nil || output.checkpointDir != nil {
            throw CLIError("--name and --checkpoint-dir name a new run; a resumed run stays in the folder of \(checkpoint)")
        }
    }

    // MARK: new run

    func newTrainer() throws -> Trainer {
        let source = try output.initFrom.map { try Checkpoint.load($0) }
        if let c = source, let f = output.initFrom {
            try refuseModelOptions(for: c, path: f)
        }
        var s = TrainingSettings(trainFile: absolutePath(file!))
        s.validationFile = corpus.valFile.map(absolutePath)
        s.validationFraction = corpus.valFraction ?? 0.1
        s.bytes = corpus.bytes
        s.schedule = optimisation.lrSchedule ?? .cosine
        s.finalLearningRateFraction = optimisation.lrFinal ?? 0.1
        s.clip = optimisation.clip ?? 5
        s.seed = optimisation.seed ?? 1
        s.evalEvery = budget.evalEvery ?? 0
        s.keep = output.keep
        s.epochs = budget.epochs; s.steps = budget.steps; s.timeSeconds = budget.seconds
        if !budget.given { s.epochs = 10 }
        s.batch = optimisation.batch ?? AutoConfiguration.batch
        s.sequence = optimisation.seq ?? AutoConfiguration.sequence
        let oneHot = model.initOneHot ?? AutoConfiguration.oneHotScale
        s.initialization = .init(oneHotScale: oneHot > 0 ? oneHot : nil, forgetBias: model.forgetBias)

        // Refuse what cannot work before measuring or training anything, and leave nothing behind.
        let runFolderGiven = output.name.map { output.folder + "/" + $0 }
        try RunFolder.checkWritable(runFolderGiven ?? output.folder)
        if let f = runFolderGiven, !output.overwrite, RunFolder.holdsRun(f) { throw TrainingError.runExists(path: f) }
        let data = try TrainingData.load(trainFile: s.trainFile, validationFile: s.validationFile,
                                         validationFraction: s.validationFraction, bytes: s.bytes,
                                         vocabulary: source?.vocabulary)
        try Trainer.checkData(data, settings: s)

        let arch = source?.config.architecture ?? model.arch ?? .lstm
        let layers = source?.config.layers ?? model.layers ?? 2
        let embedding = source?.config.embeddingSize ?? model.embedding ?? 0
        let fixedHidden = source?.config.hiddenSize ?? model.hidden
        if let h = fixedHidden {
            let config = ModelConfig(architecture: arch, vocabularySize: data.vocabulary.count, hiddenSize: h,
                                     layers: layers, embeddingSize: embedding, dropout: model.dropout ?? 0)
            try MemoryEstimate.checkTraining(config: config, batch: s.batch, steps: s.sequence, threads: Threads.count)
        }

        // The automatic configuration fills in whatever was left out.
        var budgetCharacters: Double?
        if let n = s.steps { budgetCharacters = Double(n * s.batch * s.sequence) }
        if let e = s.epochs { budgetCharacters = min(budgetCharacters ?? .infinity, e * Double(data.train.count)) }
        if s.timeSeconds != nil && fixedHidden == nil && !output.quiet {
            writeErr("measuring this machine's training speed to choose the model size…\n")
        }
        let choice = AutoConfiguration.choose(
            architecture: arch, vocabularySize: data.vocabulary.count, trainCharacters: data.train.count,
            layers: layers, batch: s.batch, sequence: s.sequence,
            budgetCharacters: budgetCharacters, budgetSeconds: s.timeSeconds, fixedHiddenSize: fixedHidden) { config in
                AutoConfiguration.measureSpeed(config, batch: s.batch, sequence: s.sequence)
            }
        let dropout = model.dropout ?? choice.dropout
        s.learningRate = optimisation.lr ?? choice.learningRate
        s.weightDecay = optimisation.weightDecay ?? choice.weightDecay
        let weightDrop = model.weightDrop ?? choice.weightDrop
        s.weightDrop = weightDrop > 0 ? weightDrop : nil
        let ema = optimisation.ema ?? choice.emaDecay
        s.emaDecay = ema > 0 ? ema : nil
        s.warmupSteps = optimisation.warmup ?? choice.warmupSteps
        if !output.quiet { writeErr("auto configuration: \(choice.explanation)\(givenNote)\n") }

        let runName = output.name ?? defaultRunName(arch: arch, layers: layers, hidden: choice.hiddenSize)
        let runDirectory = try RunFolder.path(checkpointDirectory: output.folder, name: runName)
        s.command = explicitCommand(settings: s, arch: arch, layers: layers, hidden: choice.hiddenSize,
                                    embedding: embedding, dropout: dropout, plannedSteps: choice.characters,
                                    runName: runName)
        if !output.quiet { writeErr("repeat this run exactly, without measuring speed: \(s.command!)\n") }
        if let c = source {
            return try Trainer(initFrom: c, settings: s, data: data, dropout: dropout, runDirectory: runDirectory,
                               runName: runName, overwrite: output.overwrite)
        }
        return try Trainer(settings: s, data: data, architecture: arch, layers: layers, hiddenSize: choice.hiddenSize,
                           embeddingSize: embedding, dropout: dropout, runDirectory: runDirectory, runName: runName,
                           overwrite: output.overwrite)
    }

    /// A fine-tuned run takes its model from the checkpoint: refuse sizes that say otherwise.
    func refuseModelOptions(for c: Checkpoint, path: String) throws {
        let given: [(String, Bool)] = [
            ("--arch", model.arch.map { $0 != c.config.architecture } ?? false),
            ("--layers", model.layers.map { $0 != c.config.layers } ?? false),
            ("--hidden", model.hidden.map { $0 != c.config.hiddenSize } ?? false),
            ("--embedding", model.embedding.map { $0 != c.config.embeddingSize } ?? false),
            ("--bytes", corpus.bytes != (c.vocabulary.kind == .bytes)),
        ]
        if let (flag, _) = given.first(where: { $0.1 }) {
            throw CLIError("\(flag) conflicts with \(path): --init-from takes the model's architecture, sizes and vocabulary from it")
        }
    }

    /// Which options were given and so used instead of the automatic choice.
    var givenNote: String {
        var given: [String] = []
        if let h = model.hidden { given.append("--hidden \(h)") }
        if let d = model.dropout { given.append("--dropout \(d)") }
        if let w = optimisation.warmup { given.append("--warmup \(w)") }
        if let v = optimisation.lr { given.append("--lr \(v)") }
        if let v = optimisation.weightDecay { given.append("--weight-decay \(v)") }
        if let v = model.weightDrop { given.append("--weight-drop \(v)") }
        if let v = optimisation.ema { given.append("--ema \(v)") }
        return given.isEmpty ? "" : " (given on the command line, used instead: \(given.joined(separator: ", ")))"
    }

    /// Every choice written out: a time budget becomes the step count the measured speed allows.
    func explicitCommand(settings s: TrainingSettings, arch: Architecture, layers: Int, hidden: Int, embedding: Int,
                         dropout: Float, plannedSteps characters: Double, runName: String) -> String {
        var words = ["charrnn", "train", shellQuote(s.trainFile)]
        func add(_ flag: String, _ value: String) { words += [flag, value] }
        if let v = s.validationFile { add("--val-file", shellQuote(v)) } else { add("--val-fraction", "\(s.validationFraction)") }
        if s.bytes { words.append("--bytes") }
        add("--arch", arch.rawValue); add("--layers", "\(layers)"); add("--hidden", "\(hidden)")
        add("--embedding", "\(embedding)"); add("--dropout", "\(dropout)"); add("--weight-drop", "\(s.weightDrop ?? 0)")
        add("--init-one-hot", "\(s.initialization?.oneHotScale ?? 0)")
        if let f = s.initialization?.forgetBias { add("--forget-bias", "\(f)") }
        add("--batch", "\(s.batch)"); add("--seq", "\(s.sequence)"); add("--lr", "\(s.learningRate)")
        add("--lr-schedule", s.schedule.rawValue); add("--lr-final", "\(s.finalLearningRateFraction)")
        add("--warmup", "\(s.warmupSteps)"); add("--clip", "\(s.clip)"); add("--weight-decay", "\(s.weightDecay)")
        add("--ema", "\(s.emaDecay ?? 0)"); add("--seed", "\(s.seed)")
        if s.timeSeconds != nil {
            add("--steps", "\(max(1, Int((characters / Double(s.batch * s.sequence)).rounded())))")
        } else {
            if let n = s.steps { add("--steps", "\(n)") }
            if let e = s.epochs { add("--epochs", "\(e)") }
        }
        if s.evalEvery > 0 { add("--eval-every", "\(s.evalEvery)") }
        if let k = s.keep, k > 0 { add("--keep", "\(k)") }
        if let f = output.initFrom { add("--init-from", shellQuote(absolutePath(f))) }
        add("--checkpoint-dir", shellQuote(absolutePath(output.folder))); add("--name", shellQuote(runName))
        return words.joined(separator: " ")
    }

    func defaultRunName(arch: Architecture, layers: Int, hidden: Int) -> String {
        let base = ((file! as NSString).lastPathComponent as NSString).deletingPathExtension
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        return "\(base == "-" ? "stdin" : base)-\(arch.rawValue)-\(layers)x\(hidden)-\(f.string(from: Date()))"
    }
}

/// A word for a POSIX shell: as is when safe, else in single quotes.
func shellQuote(_ s: String) -> String {
    let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%")
    if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

extension Architecture: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
