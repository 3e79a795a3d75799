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

/// The training loop: truncated BPTT over B streams, Adam with global-norm clipping and a
/// learning-rate schedule, periodic validation, `best` and `latest` checkpoints, a JSONL metrics log.
public final class Trainer {
    /// The run's settings.
    public let settings: TrainingSettings
    /// The run's folder.
    public let runDirectory: String
    /// The run's name.
    public let runName: String
    /// The training and validation text.
    public let data: TrainingData
    /// The model being trained (the raw weights; checkpoints hold their average).
    public let model: LanguageModel
    public internal(set) var progress: TrainingProgress
    public internal(set) var metrics: [MetricRecord]
    let engine: SequenceEngine
    let adam: Adam
    let evaluator: Evaluator
    let batcher: StreamBatcher
    var random: RandomGenerator
    /// Receives the run's progress, notes and warnings (the trainer itself prints nothing).
    public var onEvent: (TrainingEvent) -> Void = { _ in }
    /// Called once per step; returning true stops the run after that step (Ctrl-C).
    public var shouldStop: () -> Bool = { false }
    /// Tests only: called with the step about to be taken and the gradients, before clipping
    /// (to inject a NaN or an infinity).
    public var faultInjector: ((Int, FloatBuffer) -> Void)?
    /// The last state that validated with a finite loss: parameters, Adam moments and step.
    var goodParameters: [Float] = [], goodM: [Float] = [], goodV: [Float] = [], goodAdamStep = 0,
        goodAverage: [Float] = []
    /// The moving average of the weights (`TrainingSettings.emaDecay`), and room to set the raw
    /// weights aside while the average is validated.
    let average: FloatBuffer?, setAside: FloatBuffer?
    /// Consecutive failed steps after which the run stops.
    public static let divergenceLimit = 5
    /// The carried state before the current step (restored when a step fails).
    let savedStateH: FloatBuffer, savedStateC: FloatBuffer
    lazy var metricsLog = MetricsLog(path: metricsPath)
    /// A resumed run whose validation text differs from the one its best loss was measured on
    /// (the best is then measured afresh).
    public internal(set) var validationTextChanged = false
    /// Held from creation to the end of `run` (and again during any later `run`): no second
    /// trainer trains in the same folder.
    var lock: RunLock?

    /// The best checkpoint's path.
    public var bestPath: String { runDirectory + "/best.ckpt" }
    /// The latest checkpoint's path.
    public var latestPath: String { runDirectory + "/latest.ckpt" }
    /// The metrics log's path.
    public var metricsPath: String { runDirectory + "/metrics.jsonl" }

    /// A new run. An existing run folder (with checkpoints) is refused unless `overwrite`.
    public convenience init(
        settings: TrainingSettings, architecture: Architecture, layers: Int, hiddenSize: Int,
        embeddingSize: Int, dropout: Float, runDirectory: String, runName: String, overwrite: Bool = false
    ) throws {
        let data = try TrainingData.load(
            trainFile: settings.trainFile, validationFile: settings.validationFile,
            validationFraction: settings.validationFraction, testFraction: settings.testFraction,
            bytes: settings.bytes)
        try self.init(
            settings: settings, data: data, architecture: architecture, layers: layers, hiddenSize: hiddenSize,
            embeddingSize: embeddingSize, dropout: dropout, runDirectory: runDirectory, runName: runName,
            overwrite: overwrite)
    }

    /// A new run on already loaded data.
    public convenience init(
        settings: TrainingSettings, data: TrainingData, architecture: Architecture, layers: Int, hiddenSize: Int,
        embeddingSize: Int, dropout: Float, runDirectory: String, runName: String, overwrite: Bool = false
    ) throws {
        var random = RandomGenerator(seed: settings.seed)
        let config = ModelConfig(
            architecture: architecture, vocabularySize: data.vocabulary.count, hiddenSize: hiddenSize,
            layers: layers, embeddingSize: embeddingSize, dropout: dropout)
        try MemoryEstimate.checkTraining(
            config: config, batch: settings.batch, steps: settings.sequence, threads: Threads.count)
        let model = LanguageModel(config: config, random: &random, initialization: settings.initialization ?? .pytorch)
        try self.init(
            settings: settings, data: data, model: model, random: random, progress: TrainingProgress(),
            metrics: [], runDirectory: runDirectory, runName: runName, newRun: true, overwrite: overwrite)
    }

    /// A new run that starts from the weights of `checkpoint` (fine-tuning, as `init_from` in
    /// char-rnn and nanoGPT): its architecture, sizes and vocabulary, new optimizer state.
    /// `data` must have been loaded with the checkpoint's vocabulary. Any dtype loads.
    public convenience init(
        initFrom checkpoint: Checkpoint, settings: TrainingSettings, data: TrainingData, dropout: Float,
        runDirectory: String, runName: String, overwrite: Bool = false
    ) throws {
        guard data.vocabulary == checkpoint.vocabulary else {
            throw TrainingError.resumeMismatch("\(settings.trainFile): its vocabulary differs from the checkpoint's")
        }
        var config = checkpoint.config
        config.dropout = dropout
        try MemoryEstimate.checkTraining(
            config: config, batch: settings.batch, steps: settings.sequence, threads: Threads.count)
        let model = LanguageModel(config: config, parameters: FloatBuffer(checkpoint.parameters))
        try self.init(
            settings: settings, data: data, model: model, random: RandomGenerator(seed: settings.seed),
            progress: TrainingProgress(), metrics: [], runDirectory: runDirectory, runName: runName,
            newRun: true, overwrite: overwrite)
    }

    /// Continues the run saved in `checkpoint` (weights, optimizer moments, step, data position,
    /// carried state and random state); `override` may replace the stopping conditions, given
    /// where the run stands.
    public convenience init(resuming path: String, override: (inout TrainingSettings, TrainingProgress) -> Void) throws
    {
        try self.init(resuming: Checkpoint.load(path), path: path, override: override)
    }

    /// Continues the run saved in `ckpt`, already loaded from `path` (the run's folder is its folder).
    public convenience init(
        resuming ckpt: Checkpoint, path: String, override: (inout TrainingSettings, TrainingProgress) -> Void
    ) throws {
        guard let record = ckpt.training, let opt = ckpt.optimizer else {
            throw TrainingError.resumeMismatch(
                "\(path): has no training state to resume (it was exported without optimizer state)")
        }
        var settings = record.settings
        override(&settings, record.progress)
        if let t = settings.timeSeconds, settings.steps == nil {
            // A time budget given on resume (or stored by a run from before time budgets became
            // steps): the time left, as steps at the run's own speed.
            let s = settings
            settings.extendBudget(
                bySeconds: max(0, t - record.progress.elapsedSeconds), from: record.progress,
                stepsPerSecond: AutoConfiguration.measureSpeed(
                    ckpt.config, batch: s.batch, sequence: s.sequence, precision: s.resolvedPrecision)
                    / Double(s.batch * s.sequence))
        }
        let data = try TrainingData.load(
            trainFile: settings.trainFile, validationFile: settings.validationFile,
            validationFraction: settings.validationFraction, testFraction: settings.testFraction,
            bytes: settings.bytes)
        guard data.vocabulary == ckpt.vocabulary else {
            throw TrainingError.resumeMismatch(
                "\(settings.trainFile): its vocabulary differs from the checkpoint's; resume needs the same "
                    + "training text"
            )
        }
        guard let random = RandomGenerator(hexState: record.progress.random) else {
            throw CheckpointError.inconsistent(
                path: path, detail: "training.progress.random is not a valid generator state")
        }
        let dir = PathName.deletingLastComponent(path)
        try RunFolder.checkOwnership(
            dir.isEmpty ? "." : dir, runName: record.runName, runID: record.progress.runID, checkpoint: path)
        // A checkpoint of an averaging run holds the average as its parameters and the raw weights
        // with the optimizer state.
        let model = LanguageModel(config: ckpt.config, parameters: FloatBuffer(opt.weights ?? ckpt.parameters))
        try self.init(
            settings: settings, data: data, model: model, random: random, progress: record.progress,
            metrics: ckpt.metrics, runDirectory: dir.isEmpty ? "." : dir, runName: record.runName,
            newRun: false, overwrite: false)
        if let a = average, opt.weights != nil { a.copy(from: ckpt.parameters) }
        adam.step = opt.step
        adam.m.copy(from: opt.m)
        adam.v.copy(from: opt.v)
        if let s = ckpt.carriedState, s.batch == settings.batch {
            engine.stateH.copy(from: s.h)
            if !s.c.isEmpty { engine.stateC.copy(from: s.c) }
        }
    }

    /// `newRun`: the folder must not hold another run's checkpoints unless `overwrite`, which
    /// removes them once the folder is locked.
    init(
        settings: TrainingSettings, data: TrainingData, model: LanguageModel, random: RandomGenerator,
        progress: TrainingProgress, metrics: [MetricRecord], runDirectory: String, runName: String,
        newRun: Bool, overwrite: Bool
    ) throws {
        try Self.checkData(data, settings: settings)
        var settings = settings
        let folder = PathName.deletingLastComponent(runDirectory)
        settings.command = settings.explicitCommand(
            config: model.config, checkpointDirectory: PathName.absolute(folder.isEmpty ? "." : folder),
            runName: runName)
        self.settings = settings; self.data = data; self.model = model; self.random = random
        self.progress = progress; self.metrics = metrics
        validationTextChanged = Self.noteValidationText(data.validation, in: &self.progress)
        if newRun { self.progress.runID = RunFolder.newRunID() }
        self.runDirectory = runDirectory; self.runName = runName
        lock = try Self.claim(runDirectory, newRun: newRun, overwrite: overwrite)
        engine = SequenceEngine(
            model: model, batch: settings.batch, steps: settings.sequence, training: true,
            precision: settings.resolvedPrecision)
        engine.weightDrop = settings.weightDrop ?? 0
        adam = Adam(layout: model.layout, learningRate: settings.learningRate, weightDecay: settings.weightDecay)
        evaluator = Evaluator(
            model: model, streams: min(64, max(1, data.validation.count / 1000)), chunk: 128, burnIn: 200,
            precision: settings.resolvedPrecision)
        batcher = StreamBatcher(count: data.train.count, batch: settings.batch, steps: settings.sequence)
        savedStateH = FloatBuffer(count: engine.stateH.count)
        savedStateC = FloatBuffer(count: engine.stateC.count)
        if let d = settings.emaDecay, d > 0 {
            average = FloatBuffer(model.parameters.array)
            setAside = FloatBuffer(count: model.parameters.count)
        } else {
            average = nil; setAside = nil
        }
    }

    /// Records the validation text's fingerprint in `progress`. When a resumed run validates on
    /// another text than before, its best loss no longer compares: it is forgotten, and this
    /// returns true.
    private static func noteValidationText(_ validation: TokenView, in progress: inout TrainingProgress) -> Bool {
        let fingerprint = Self.fingerprint(validation, limit: validationLimit)
        defer { progress.validationFingerprint = fingerprint }
        guard let old = progress.validationFingerprint, old != fingerprint, progress.bestValidationLoss != nil
        else { return false }
        progress.bestValidationLoss = nil
        progress.bestStep = nil
        return true
    }

    /// Makes the run folder and locks it. A new run refuses a folder that holds another run's
    /// checkpoints unless `overwrite`, which removes them once the folder is locked.
    private static func claim(_ runDirectory: String, newRun: Bool, overwrite: Bool) throws -> RunLock {
        if newRun && !overwrite && RunFolder.holdsRun(runDirectory) {
            throw TrainingError.runExists(path: runDirectory)
        }
        try RunFolder.prepare(runDirectory)
        let lock = try RunLock(folder: runDirectory)
        RunFolder.removeStaleTemporaryFiles(runDirectory)
        if newRun && overwrite { RunFolder.clearRun(runDirectory) }
        return lock
    }

    /// The model's configuration.
    public var config: ModelConfig { model.config }
    /// The run's vocabulary.
    public var vocabulary: Vocabulary { data.vocabulary }
    var epochProgress: Double {
        Double(progress.epoch) + Double(progress.batchInEpoch) / Double(max(1, batcher.batchesPerEpoch))
    }

    /// What a call of `run` did.
    public struct Summary {
        /// Optimizer steps taken.
        public var steps: Int
        /// Training seconds.
        public var seconds: Double
        /// Throughput.
        public var charactersPerSecond: Double
        /// Lowest validation loss of the run.
        public var bestValidationLoss: Double?
        /// The last validation loss.
        public var finalValidationLoss: Double?
        /// The test part's loss under best.ckpt (runs with a test part that used up their budget).
        public var testLoss: Double?
        /// Whether `shouldStop` ended the call before the budget.
        public var interrupted: Bool
    }

    /// The state of one call of `run`: buffers for a batch, clocks, and the running figures
    /// the loop reports and judges divergence by.
    struct Session {
        var x: [Int32], y: [Int32]
        let start = Date()
        let elapsedAtStart: Double, stepAtStart: Int
        var evalEvery: Int
        var lossSinceLog = 0.0, stepsSinceLog = 0
        var charactersAtRate: Int, timeAtRate = Date(), rate = 0.0
        var consecutiveFailures = 0
        /// The lowest training loss of a step so far: a loss far above it counts as divergence.
        var bestStepLoss = Double.infinity
        var elapsed: Double { elapsedAtStart + Date().timeIntervalSince(start) }
    }

    /// How far above the best loss a loss must be to count as diverged: more than a uniform guess
    /// over the vocabulary costs (ln V nats), which a finite explosion (4e30 after --lr 1e9) is.
    var divergenceMargin: Double { max(1, log(Double(vocabulary.count))) }

    func diverged(_ loss: Double, best: Double) -> Bool { !loss.isFinite || loss > best + divergenceMargin }

    /// Trains until the budget (steps, epochs or time) is used or `shouldStop` returns true:
    /// `step` takes one optimizer step, `recover` handles a step that diverged, and
    /// `validateAndSave` runs at every validation.
    public func run() throws -> Summary {
        if lock == nil { lock = try RunLock(folder: runDirectory) }
        defer { lock = nil }
        var session = startSession()
        var interrupted = false
        // Training past an earlier budget: the old result no longer describes the run.
        if !budgetDone(session) { try? FileManager.default.removeItem(atPath: runDirectory + "/" + RunResult.fileName) }
        while !budgetDone(session) {
            guard let (loss, lr, fraction) = step(&session) else {
                if session.consecutiveFailures >= Self.divergenceLimit {
                    try saveLatest()
                    throw TrainingError.diverged(step: progress.step, checkpoint: latestPath)
                }
                continue
            }
            let stopping = budgetDone(session) || shouldStop()
            let validation = progress.step % session.evalEvery == 0 || stopping ? validate() : nil
            report(&session, loss: loss, learningRate: lr, fraction: fraction, validation: validation)
            if let v = validation { try validateAndSave(&session, loss: v) }
            if stopping {
                interrupted = !budgetDone(session)
                break
            }
        }
        onEvent(.finished(step: progress.step, interrupted: interrupted, latestPath: latestPath))
        var testLoss: Double?
        if !interrupted {
            let result = try finish()
            testLoss = result.testLoss
        }
        let seconds = progress.elapsedSeconds - session.elapsedAtStart, steps = progress.step - session.stepAtStart
        return Summary(
            steps: steps, seconds: seconds,
            charactersPerSecond: Double(steps * settings.batch * settings.sequence) / max(seconds, 1e-9),
            bestValidationLoss: progress.bestValidationLoss, finalValidationLoss: progress.lastValidationLoss,
            testLoss: testLoss, interrupted: interrupted)
    }

    /// The budget is used up: scores the test part (if any) with best.ckpt, once, and writes
    /// result.json.
    func finish() throws -> RunResult {
        var result = RunResult(
            runName: runName, config: model.config, parameters: model.config.parameterCount, settings: settings,
            steps: progress.step, seconds: progress.elapsedSeconds, charactersSeen: progress.charactersSeen,
            bestValidationLoss: progress.bestValidationLoss, bestStep: progress.bestStep,
            finalValidationLoss: progress.lastValidationLoss)
        if let test = data.test, test.count >= 2 {
            let best = try Checkpoint.load(bestPath).makeModel()
            let r = Evaluator(
                model: best, streams: min(64, max(1, test.count / 1000)), precision: settings.resolvedPrecision
            )
            .evaluate(count: test.count) { Int32(test[$0]) }
            result.testLoss = r.meanLoss
            result.testCharacters = r.scored
            onEvent(.tested(loss: r.meanLoss, characters: r.scored))
        }
        try result.write(runDirectory: runDirectory)
        return result
    }

    func startSession() -> Session {
        let n = settings.batch * settings.sequence
        var evalEvery = settings.evalEvery
        if evalEvery <= 0 {
            if let s = settings.steps {
                evalEvery = max(1, (s - progress.step) / 10)
            } else if let e = settings.epochs {
                evalEvery = max(1, Int(e * Double(batcher.batchesPerEpoch)) / 10)
            } else {
                evalEvery = 1000
            }
        }
        let session = Session(
            x: [Int32](repeating: 0, count: n), y: [Int32](repeating: 0, count: n),
            elapsedAtStart: progress.elapsedSeconds, stepAtStart: progress.step,
            evalEvery: evalEvery,
            charactersAtRate: progress.charactersSeen)
        rememberGoodState()
        if progress.step > 0 {
            metricsLog.rewind(to: metrics, command: settings.command, runID: progress.runID)
        } else {
            logCommand()
        }
        if validationTextChanged {
            onEvent(
                .note(
                    "the validation text differs from the one this run's best loss was measured on; "
                        + "the best starts afresh"))
        }
        onEvent(
            .started(
                "training \(config.architecture.displayName) \(config.layers)×\(config.hiddenSize) "
                    + "(\(model.parameterCount) parameters, vocabulary \(vocabulary.count)) on \(data.train.count) "
                    + "characters, validating on \(data.validation.count); run folder \(runDirectory); "
                    + "\(KernelVariant.current) kernels" + productsNote))
        return session
    }

    func budgetDone(_ session: Session) -> Bool {
        if let s = settings.steps, progress.step >= s { return true }
        if let e = settings.epochs, epochProgress >= e { return true }
        return false
    }

    /// One optimizer step: forward and backward over the next batch, clipping, Adam, the weight
    /// average. Returns the loss, the learning rate and the share of the budget used, or nil when
    /// the step diverged and was undone (`recover`).
    func step(_ session: inout Session) -> (loss: Double, learningRate: Float, fraction: Double?)? {
        if progress.batchInEpoch >= batcher.batchesPerEpoch {
            progress.batchInEpoch = 0
            progress.epoch += 1
        }
        if progress.batchInEpoch == 0 { engine.resetState() }
        batcher.fill(data.train, index: progress.batchInEpoch, x: &session.x, y: &session.y)
        engine.parametersDidChange()
        savedStateH.copy(from: engine.stateH); savedStateC.copy(from: engine.stateC)
        let r = engine.run(inputs: session.x, targets: session.y, backward: true, random: &random)
        let loss = r.loss / Double(r.count)
        faultInjector?(progress.step + 1, engine.gradients)
        let norm = clipGlobalNorm(engine.gradients, maxNorm: settings.clip)
        let elapsed = session.elapsed
        if diverged(loss, best: session.bestStepLoss) || !norm.isFinite {
            recover(&session, loss: loss, norm: norm)
            return nil
        }
        session.consecutiveFailures = 0
        session.bestStepLoss = min(session.bestStepLoss, loss)
        let fraction = settings.budgetFraction(step: progress.step, batchesPerEpoch: batcher.batchesPerEpoch)
        let lr = settings.learningRate(step: progress.step, fraction: fraction) * progress.learningRateScale
        adam.learningRate = lr
        adam.update(parameters: model.parameters, gradients: engine.gradients)
        updateAverage()
        progress.step += 1
        progress.batchInEpoch += 1
        progress.charactersSeen += settings.batch * settings.sequence
        progress.elapsedSeconds = elapsed
        progress.lastTrainingLoss = loss
        return (loss, lr, fraction)
    }

    /// A step whose loss or gradients diverged: the update is skipped, the carried state and the
    /// weights go back to the last good state, the learning rate halves, and the batch is passed.
    func recover(_ session: inout Session, loss: Double, norm: Double) {
        session.consecutiveFailures += 1
        engine.stateH.copy(from: savedStateH); engine.stateC.copy(from: savedStateC)
        rollBack()
        progress.learningRateScale *= 0.5
        let what =
            !loss.isFinite
            ? "non-finite loss"
            : !norm.isFinite
                ? "non-finite gradients"
                : "loss \(String(printf: "%.4g", loss)) far above the best "
                    + "\(String(printf: "%.4f", session.bestStepLoss))"
        onEvent(
            .warning(
                "\(what) at step \(progress.step + 1); update skipped, rolled back to the last good state, "
                    + "learning rate scaled by \(progress.learningRateScale)"))
        progress.batchInEpoch += 1
    }

    /// After a validation: a diverged validation loss rolls back like a diverged step; then
    /// best.ckpt (if this is the best so far) and latest.ckpt are written.
    func validateAndSave(_ session: inout Session, loss v: Double) throws {
        if !diverged(v, best: min(progress.bestValidationLoss ?? .infinity, session.bestStepLoss)) {
            rememberGoodState()
        } else {
            session.consecutiveFailures += 1
            rollBack()
            progress.learningRateScale *= 0.5
            onEvent(
                .warning(
                    "validation loss \(String(printf: "%.4g", v)) at step \(progress.step) (diverged); "
                        + "rolled back to the last good state, learning rate scaled by \(progress.learningRateScale)"))
        }
        try saveCheckpoints()
    }

    /// The metrics log (every 10 steps and at each validation) and the progress event.
    func report(_ session: inout Session, loss: Double, learningRate lr: Float, fraction: Double?, validation: Double?)
    {
        session.lossSinceLog += loss; session.stepsSinceLog += 1
        let now = Date()
        if now.timeIntervalSince(session.timeAtRate) >= 1 || session.rate == 0 {
            session.rate =
                Double(progress.charactersSeen - session.charactersAtRate)
                / max(1e-9, now.timeIntervalSince(session.timeAtRate))
            session.charactersAtRate = progress.charactersSeen; session.timeAtRate = now
        }
        if progress.step % 10 == 0 || validation != nil {
            let record = MetricRecord(
                step: progress.step, epoch: epochProgress, characters: progress.charactersSeen,
                seconds: progress.elapsedSeconds,
                trainLoss: session.lossSinceLog / Double(session.stepsSinceLog),
                validationLoss: validation, learningRate: lr, charactersPerSecond: session.rate)
            metrics.append(record)
            metricsLog.append(record)
            session.lossSinceLog = 0; session.stepsSinceLog = 0
        }
        let remaining: Double? = fraction.map { _ in
            let done =
                settings.budgetFraction(step: progress.step, batchesPerEpoch: batcher.batchesPerEpoch) ?? 0
            return done > 0 ? progress.elapsedSeconds / done * (1 - done) : 0
        }
        onEvent(
            .step(
                .init(
                    step: progress.step, epoch: epochProgress, loss: loss, validationLoss: progress.lastValidationLoss,
                    charactersPerSecond: session.rate, fraction: fraction, remainingSeconds: remaining),
                validated: validation != nil))
    }

    /// The first line of a new run's log: the explicit command that repeats it.
    func logCommand() {
        guard progress.step == 0, let command = settings.command else { return }
        metricsLog.appendCommand(command, runID: progress.runID)
    }

}

extension Trainer {
    /// ", bf16 products on amx" (or on the fp32 kernels where the CPU has no bf16 instruction);
    /// nothing for fp32.
    var productsNote: String {
        guard settings.resolvedPrecision == .bf16 else { return "" }
        return ", bf16 products on " + (Precision.bf16Kernels ? KernelVariant.bf16Path : "the fp32 kernels")
    }
}
