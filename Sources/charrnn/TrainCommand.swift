import ArgumentParser
import CharRNN
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

    @Argument(
        help: "The training text (UTF-8, or any bytes with --bytes; - reads standard input)", completion: .file())
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
            if output.continueRun, let done = try finishedRun() {
                var line = "\(done.runName): finished already (\(done.steps) steps"
                if let b = done.bestValidationLoss { line += String(printf: ", best validation %.4f", b) }
                if let t = done.testLoss { line += String(printf: ", test %.4f", t) }
                writeErr(line + " nats/char); nothing to do\n")
                return
            }
            let trainer = try output.resume.map(resumedTrainer) ?? continuedTrainer() ?? newTrainer()
            let display = ProgressDisplay(quiet: output.quiet)
            trainer.onEvent = { display.render($0) }
            Interrupts.install()
            trainer.shouldStop = { Interrupts.requested }
            let summary = try trainer.run()
            var line =
                "done: \(summary.steps) steps in \(formatDuration(summary.seconds)), "
                + "\(Int(summary.charactersPerSecond)) chars/s"
            if let v = summary.finalValidationLoss {
                line += String(
                    printf: "; validation %.4f nats/char (%.4f bits/char, perplexity %.3f)", v, v / log(2), exp(v))
            }
            if let b = summary.bestValidationLoss { line += String(printf: "; best %.4f", b) }
            writeErr(line + "\n")
            writeErr("checkpoints: \(trainer.bestPath) \(trainer.latestPath)\n")
            if summary.interrupted {
                writeErr("continue it with: charrnn train --resume \(shellQuote(trainer.latestPath))\n")
                throw ExitCode(130)
            }
            writeErr("sample it with: charrnn sample \(shellQuote(trainer.bestPath)) --length 500\n")
            if let command = trainer.settings.command { writeErr("repeat it exactly with: \(command)\n") }
        }
    }

    // MARK: resume

    /// Continues a run. Options that would change the run (its model, its batch shape, its
    /// optimizer) are refused when they differ from the stored ones; FILE replaces the stored
    /// corpus path when its vocabulary is the same.
    func resumedTrainer(_ path: String) throws -> Trainer {
        let ckpt = try Checkpoint.load(path)
        if let s = ckpt.training?.settings { try refuseConflicts(with: s, config: ckpt.config, checkpoint: path) }
        return try Trainer(resuming: ckpt, path: path) { s, progress in
            if let f = file { s.trainFile = absolutePath(f) }
            if budget.given { applyBudget(to: &s, progress: progress, config: ckpt.config, whole: false) }
            if let k = output.keep { s.keep = k }
        }
    }

    // MARK: continue

    /// The folder `--continue` works in.
    var continuedFolder: String { output.folder + "/" + output.name! }

    /// With `--continue`: the run's result when it has finished (after checking that the options
    /// given describe that run).
    func finishedRun() throws -> RunResult? {
        guard let result = RunResult.load(runDirectory: continuedFolder) else { return nil }
        // A larger budget than the one it finished: not finished; it resumes from latest.ckpt.
        let r = result.settings
        if budget.given && (budget.steps != r.steps || budget.epochs != r.epochs || budget.seconds != r.timeSeconds) {
            return nil
        }
        try refuseConflicts(
            with: result.settings, config: result.config, checkpoint: continuedFolder + "/" + RunResult.fileName,
            continuing: true)
        return result
    }

    /// With `--continue`: the run resumed from its latest.ckpt, or nil when it has none (a new run
    /// then starts in its folder). The budget given is the run's whole budget, not more of it.
    func continuedTrainer() throws -> Trainer? {
        guard output.continueRun else { return nil }
        let path = continuedFolder + "/latest.ckpt"
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let ckpt = try Checkpoint.load(path)
        guard let stored = ckpt.training?.settings else { return nil }
        try refuseConflicts(with: stored, config: ckpt.config, checkpoint: path, continuing: true)
        writeErr("continuing \(output.name!) from step \(ckpt.training?.progress.step ?? 0) (\(path))\n")
        return try Trainer(resuming: ckpt, path: path) { s, progress in
            if let f = file { s.trainFile = absolutePath(f) }
            // The same time budget as the stored one keeps the steps it was turned into.
            let same =
                budget.seconds != nil && budget.seconds == s.timeSeconds && budget.steps == nil
                && budget.epochs == s.epochs
            if budget.given && !same { applyBudget(to: &s, progress: progress, config: ckpt.config, whole: true) }
            if let k = output.keep { s.keep = k }
        }
    }

    /// The budget options on a resumed run, which replace its budget: --steps and --epochs count
    /// the whole run; --time is that much more with --resume, and the whole time with --continue
    /// (`whole`). A time budget becomes steps at the run's own speed.
    func applyBudget(to s: inout TrainingSettings, progress: TrainingProgress, config: ModelConfig, whole: Bool) {
        s.epochs = budget.epochs
        s.steps = budget.steps
        s.timeSeconds = nil
        guard let seconds = budget.seconds else { return }
        let (batch, sequence) = (s.batch, s.sequence)
        s.extendBudget(
            bySeconds: max(0, seconds - (whole ? progress.elapsedSeconds : 0)), from: progress,
            stepsPerSecond: AutoConfiguration.measureSpeed(config, batch: batch, sequence: sequence)
                / Double(batch * sequence))
    }

    /// The request the options make (the corpus file aside).
    func request(trainFile: String) -> TrainingRequest {
        var r = TrainingRequest(trainFile: trainFile)
        corpus.apply(to: &r); model.apply(to: &r); optimisation.apply(to: &r); budget.apply(to: &r)
        r.keep = output.keep
        return r
    }

    /// Refuses options that a resumed run cannot take (`RunSetting`): one that would change it,
    /// or one that names or sets up a new run.
    func refuseConflicts(
        with s: TrainingSettings, config c: ModelConfig, checkpoint: String, continuing: Bool = false
    ) throws {
        let r = request(trainFile: s.trainFile)
        if let e = r.conflict(with: s, config: c, checkpoint: checkpoint, continuing: continuing) { throw e }
        if !continuing && (output.name != nil || output.checkpointDir != nil) {
            throw CLIError(
                "--name and --checkpoint-dir name a new run; a resumed run stays in the folder of \(checkpoint)")
        }
    }

    // MARK: new run

    func newTrainer() throws -> Trainer {
        var request = request(trainFile: absolutePath(file!))
        if let f = output.initFrom {
            let c = try Checkpoint.load(f)
            try refuseModelOptions(for: c, path: f)
            request.initFrom = (absolutePath(f), c)
        }

        let data = try preflight(request)
        let overwrite = output.overwrite || output.continueRun
        let check = (batch: request.resolvedBatch, sequence: request.resolvedSequence)

        if TrainingPlan.measuresSpeed(request) && !output.quiet {
            writeErr("measuring this machine's training speed to choose the model size…\n")
        }
        // Each model measured once (`--arch auto` asks again for the size it chose).
        var measured: [String: Double] = [:]
        func once(_ what: String, _ c: ModelConfig, _ measure: () -> Double) -> Double {
            let key = "\(what)-\(c.architecture)-\(c.layers)x\(c.hiddenSize)-\(c.embeddingSize)"
            if let s = measured[key] { return s }
            measured[key] = measure()
            return measured[key]!
        }
        let validationCharacters = min(data.validation.count, Trainer.validationLimit)
        let plan = TrainingPlan.resolve(
            request, data: data, checkpointDirectory: absolutePath(output.folder),
            runName: { output.name ?? defaultRunName($0) },
            validationSeconds: { c in
                once("validation", c) {
                    AutoConfiguration.measureValidationSeconds(c, characters: validationCharacters)
                }
            }
        ) { c in
            once("training", c) { AutoConfiguration.measureSpeed(c, batch: check.batch, sequence: check.sequence) }
        }
        if !output.quiet {
            writeErr("auto configuration: \(plan.explanation)\n")
            writeErr("repeat this run exactly, without measuring speed: \(plan.settings.command!)\n")
        }
        let runDirectory = try RunFolder.path(checkpointDirectory: output.folder, name: plan.runName)
        if let (_, c) = request.initFrom {
            return try Trainer(
                initFrom: c, settings: plan.settings, data: data, dropout: plan.config.dropout,
                runDirectory: runDirectory, runName: plan.runName, overwrite: overwrite)
        }
        let c = plan.config
        return try Trainer(
            settings: plan.settings, data: data, architecture: c.architecture, layers: c.layers,
            hiddenSize: c.hiddenSize, embeddingSize: c.embeddingSize, dropout: c.dropout,
            runDirectory: runDirectory, runName: plan.runName, overwrite: overwrite)
    }

    /// Refuses what cannot work before measuring or training anything, and leaves nothing behind:
    /// an unwritable or taken run folder, a corpus too small for one batch, a model that does not
    /// fit in memory. Returns the corpus.
    func preflight(_ request: TrainingRequest) throws -> TrainingData {
        let runFolderGiven = output.name.map { output.folder + "/" + $0 }
        try RunFolder.checkWritable(runFolderGiven ?? output.folder)
        // --continue with no checkpoint to resume from: the folder holds only this run's own start.
        let overwrite = output.overwrite || output.continueRun
        if let f = runFolderGiven, !overwrite, RunFolder.holdsRun(f) { throw TrainingError.runExists(path: f) }
        let data = try TrainingData.load(
            trainFile: request.trainFile, validationFile: request.validationFile,
            validationFraction: request.validationFraction ?? TrainingSettings.defaults.validationFraction,
            testFraction: request.testFraction,
            bytes: request.bytes,
            vocabulary: request.initFrom?.checkpoint.vocabulary)
        var check = TrainingSettings(trainFile: request.trainFile)
        check.batch = request.resolvedBatch; check.sequence = request.resolvedSequence
        try Trainer.checkData(data, settings: check)
        if let h = request.initFrom?.checkpoint.config.hiddenSize ?? request.hiddenSize {
            var config =
                request.initFrom?.checkpoint.config
                ?? ModelConfig(
                    architecture: request.architecture ?? .lstm, vocabularySize: data.vocabulary.count,
                    hiddenSize: h, layers: request.layers ?? 2, embeddingSize: request.embeddingSize ?? 0)
            config.dropout = request.dropout ?? 0
            try MemoryEstimate.checkTraining(
                config: config, batch: check.batch, steps: check.sequence, threads: Threads.count)
        }
        return data
    }

    /// A fine-tuned run takes its model from the checkpoint: refuse sizes that say otherwise.
    func refuseModelOptions(for c: Checkpoint, path: String) throws {
        let given: [(String, Bool)] = [
            ("--arch", model.arch?.architecture.map { $0 != c.config.architecture } ?? false),
            ("--layers", model.layers.map { $0 != c.config.layers } ?? false),
            ("--hidden", model.hidden.map { $0 != c.config.hiddenSize } ?? false),
            ("--embedding", model.embedding.map { $0 != c.config.embeddingSize } ?? false),
            ("--bytes", corpus.bytes != (c.vocabulary.kind == .bytes)),
        ]
        if let (flag, _) = given.first(where: { $0.1 }) {
            throw CLIError(
                "\(flag) conflicts with \(path): --init-from takes the model's architecture, sizes and vocabulary "
                    + "from it"
            )
        }
    }

    func defaultRunName(_ c: ModelConfig) -> String {
        let base = PathName.deletingExtension(PathName.lastComponent(file!))
        var now = time(nil), local = tm()
        localtime_r(&now, &local)
        var stamp = [CChar](repeating: 0, count: 32)
        let n = strftime(&stamp, stamp.count, "%Y%m%d-%H%M%S", &local)
        return
            "\(base == "-" ? "stdin" : base)-\(c.architecture.rawValue)-\(c.layers)x\(c.hiddenSize)-"
            + String(decoding: stamp.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension Architecture: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension Precision: ExpressibleByArgument {}
