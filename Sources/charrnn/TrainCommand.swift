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
            let invocation = try self.invocation()
            let trainer: Trainer
            switch try invocation.start() {
            case .finished(let done):
                var line = "\(done.runName): finished already (\(done.steps) steps"
                if let b = done.bestValidationLoss { line += String(printf: ", best validation %.4f", b) }
                if let t = done.testLoss { line += String(printf: ", test %.4f", t) }
                writeErr(line + " nats/char); nothing to do\n")
                return
            case .resume(let ckpt, let path, let whole):
                if whole {
                    writeErr("continuing \(output.name!) from step \(ckpt.training?.progress.step ?? 0) (\(path))\n")
                }
                trainer = try invocation.resumedTrainer(ckpt, path: path, whole: whole)
            case .new:
                trainer = try newTrainer(invocation)
            }
            announce(trainer.settings.resolvedPrecision)
            try train(trainer)
        }
    }

    /// Trains, showing progress, and says where the checkpoints are and how to go on.
    func train(_ trainer: Trainer) throws {
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

    /// What the options ask for.
    func invocation() throws -> RunInvocation {
        var r = TrainingRequest(trainFile: file.map(absolutePath) ?? "")
        corpus.apply(to: &r); model.apply(to: &r); optimisation.apply(to: &r); budget.apply(to: &r)
        r.keep = output.keep; r.precision = output.precision
        var i = RunInvocation(request: r)
        i.file = file; i.resume = output.resume; i.continuing = output.continueRun
        i.checkpointDirectory = output.checkpointDir; i.name = output.name; i.overwrite = output.overwrite
        i.steps = budget.steps; i.epochs = budget.epochs; i.seconds = budget.seconds
        return i
    }

    // MARK: new run

    func newTrainer(_ invocation: RunInvocation) throws -> Trainer {
        var invocation = invocation
        if let f = output.initFrom {
            let c = try Checkpoint.load(f)
            try refuseModelOptions(for: c, path: f)
            invocation.request.initFrom = (absolutePath(f), c)
        }
        let request = invocation.request
        let data = try invocation.preflight()
        if TrainingPlan.measuresSpeed(request) && !output.quiet {
            writeErr("measuring this machine's training speed to choose the model size…\n")
        }
        let plan = TrainingPlan.resolveMeasuring(
            request, data: data, checkpointDirectory: absolutePath(invocation.folder),
            runName: { output.name ?? defaultRunName($0) })
        if !output.quiet {
            writeErr("auto configuration: \(plan.explanation)\n")
            writeErr("precision: \(precisionReason(request.precision, plan.settings.resolvedPrecision))\n")
            writeErr("repeat this run exactly, without measuring speed: \(plan.settings.command!)\n")
        }
        return try invocation.newTrainer(plan, data: data)
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

/// "bf16 (this CPU has AMX-BF16)", or "fp32 (--precision)" when given.
func precisionReason(_ requested: PrecisionRequest?, _ used: Precision) -> String {
    guard requested == nil || requested == .auto else { return "\(used.rawValue) (\(TrainFlag.precision.text))" }
    return "\(used.rawValue) (auto: \(Precision.automatic.reason))"
}
