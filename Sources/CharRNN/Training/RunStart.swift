#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What one `train` invocation asks for, beyond the run's settings: where the run lives, whether
/// it resumes a checkpoint (`--resume`) or continues its own folder (`--continue`), and the
/// budget as given. `start()` decides, once, between a finished run, a resumed one and a new
/// one; `resumedTrainer` and `preflight` do the checks each of those needs, once.
public struct RunInvocation {
    /// The settings given (its `trainFile` is FILE made absolute, or "" with `--resume` alone).
    public var request: TrainingRequest
    /// FILE as given (nil with `--resume` alone).
    public var file: String?
    /// `--resume CKPT`.
    public var resume: String?
    /// `--continue`: resume the run in its own folder when it has one, else start it there.
    public var continuing = false
    /// `--checkpoint-dir` and `--name` as given.
    public var checkpointDirectory: String?, name: String?
    /// `--overwrite`.
    public var overwrite = false
    /// The budget flags as given: steps, epochs, seconds.
    public var steps: Int?, epochs: Double?, seconds: Double?

    public init(request: TrainingRequest) { self.request = request }

    /// The folder runs go in.
    public var folder: String { checkpointDirectory ?? "checkpoints" }
    /// Whether a budget was given.
    public var budgetGiven: Bool { steps != nil || epochs != nil || seconds != nil }
    /// The run's own folder, when named.
    public var runFolder: String? { name.map { folder + "/" + $0 } }

    /// How the invocation starts.
    public enum Start {
        /// `--continue` of a run that has finished its budget: nothing to do.
        case finished(RunResult)
        /// From a checkpoint: `--resume` (a budget given adds to it), or `--continue` (`whole`: a
        /// budget given is the run's whole budget).
        case resume(Checkpoint, path: String, whole: Bool)
        /// A new run (with `--continue`, in its own folder, which holds nothing to resume).
        case new
    }

    /// Decides how the run starts, refusing options that the run to resume cannot take.
    public func start() throws -> Start {
        if let path = resume {
            let ckpt = try Checkpoint.load(path)
            if let s = ckpt.training?.settings { try refuseConflicts(with: s, config: ckpt.config, checkpoint: path) }
            return .resume(ckpt, path: path, whole: false)
        }
        guard continuing, let folder = runFolder else { return .new }
        if let done = try finishedRun(in: folder) { return .finished(done) }
        let path = folder + "/latest.ckpt"
        guard FileManager.default.fileExists(atPath: path) else { return .new }
        let ckpt = try Checkpoint.load(path)
        guard let stored = ckpt.training?.settings else { return .new }
        try refuseConflicts(with: stored, config: ckpt.config, checkpoint: path, continuing: true)
        return .resume(ckpt, path: path, whole: true)
    }

    /// With `--continue`: the run's result when it has finished the budget given (after checking
    /// that the options describe that run); nil when it has not.
    func finishedRun(in folder: String) throws -> RunResult? {
        guard let result = RunResult.load(runDirectory: folder) else { return nil }
        // A larger budget than the one it finished: not finished; it resumes from latest.ckpt.
        let r = result.settings
        if budgetGiven && (steps != r.steps || epochs != r.epochs || seconds != r.timeSeconds) { return nil }
        try refuseConflicts(
            with: result.settings, config: result.config, checkpoint: folder + "/" + RunResult.fileName,
            continuing: true)
        return result
    }

    /// Refuses options that a resumed run cannot take (`RunSetting`): one that would change it,
    /// or one that names or sets up a new run.
    func refuseConflicts(
        with s: TrainingSettings, config c: ModelConfig, checkpoint: String, continuing: Bool = false
    ) throws {
        var r = request
        r.trainFile = s.trainFile
        if let e = r.conflict(with: s, config: c, checkpoint: checkpoint, continuing: continuing) { throw e }
        if !continuing && (name != nil || checkpointDirectory != nil) {
            throw TrainingError.newRunPlacement(checkpoint)
        }
    }

    /// The trainer of a run resumed from `ckpt` (`start()`'s `.resume`): FILE replaces the stored
    /// corpus path, `--keep` the stored one, and a budget given replaces the run's (`applyBudget`),
    /// except that `--continue` with the stored time budget keeps the steps it was turned into.
    public func resumedTrainer(_ ckpt: Checkpoint, path: String, whole: Bool) throws -> Trainer {
        try Trainer(resuming: ckpt, path: path) { s, progress in
            if let f = file { s.trainFile = PathName.absolute(f) }
            let same = whole && seconds != nil && seconds == s.timeSeconds && steps == nil && epochs == s.epochs
            if budgetGiven && !same { applyBudget(to: &s, progress: progress, config: ckpt.config, whole: whole) }
            if let k = request.keep { s.keep = k }
        }
    }

    /// The budget given, on a resumed run, replaces its budget: steps and epochs count the whole
    /// run; a time is that much more with `--resume`, and the whole time with `--continue`
    /// (`whole`), turned into steps at the run's own speed.
    func applyBudget(to s: inout TrainingSettings, progress: TrainingProgress, config: ModelConfig, whole: Bool) {
        s.epochs = epochs
        s.steps = steps
        s.timeSeconds = nil
        guard let seconds else { return }
        let (batch, sequence, precision) = (s.batch, s.sequence, s.resolvedPrecision)
        s.extendBudget(
            bySeconds: max(0, seconds - (whole ? progress.elapsedSeconds : 0)), from: progress,
            stepsPerSecond: AutoConfiguration.measureSpeed(
                config, batch: batch, sequence: sequence, precision: precision) / Double(batch * sequence))
    }

    /// What a new run must pass before anything is measured or trained, leaving nothing behind:
    /// a writable folder, not another run's (unless `--overwrite`, or `--continue`, whose folder
    /// holds only this run's own start), a corpus with a batch in it, and a model that fits in
    /// memory when its size is known. Returns the corpus.
    public func preflight() throws -> TrainingData {
        try RunFolder.checkWritable(runFolder ?? folder)
        if let f = runFolder, !(overwrite || continuing), RunFolder.holdsRun(f) {
            throw TrainingError.runExists(path: f)
        }
        let r = request
        let data = try TrainingData.load(
            trainFile: r.trainFile, validationFile: r.validationFile,
            validationFraction: r.validationFraction ?? TrainingSettings.defaults.validationFraction,
            testFraction: r.testFraction, bytes: r.bytes, vocabulary: r.initFrom?.checkpoint.vocabulary)
        var check = TrainingSettings(trainFile: r.trainFile)
        check.batch = r.resolvedBatch; check.sequence = r.resolvedSequence
        try Trainer.checkData(data, settings: check)
        if let h = r.initFrom?.checkpoint.config.hiddenSize ?? r.hiddenSize {
            // The LSTM when the architecture is left to the study: the larger of the two.
            var config =
                r.initFrom?.checkpoint.config
                ?? ModelConfig(
                    architecture: r.architecture ?? .lstm, vocabularySize: data.vocabulary.count, hiddenSize: h,
                    layers: r.layers ?? 2, embeddingSize: r.embeddingSize ?? 0)
            config.dropout = r.dropout ?? 0
            try MemoryEstimate.checkTraining(
                config: config, batch: check.batch, steps: check.sequence, threads: Threads.count)
        }
        return data
    }

    /// The trainer of a new run as `plan` resolved it, in its folder.
    public func newTrainer(_ plan: TrainingPlan, data: TrainingData) throws -> Trainer {
        let runDirectory = try RunFolder.path(checkpointDirectory: folder, name: plan.runName)
        let overwrite = overwrite || continuing
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
}
