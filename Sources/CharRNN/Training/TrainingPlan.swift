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

/// What a user asks of a new training run: every field optional, so the automatic
/// configuration can fill in exactly what was left out. The `train` command builds one from its
/// flags; a program can build one directly.
public struct TrainingRequest {
    /// The training text.
    public var trainFile: String
    /// A separate validation text.
    public var validationFile: String?
    /// Validation = this last fraction (default 0.1).
    public var validationFraction: Double?
    /// The last fraction held out as a test set (default: none).
    public var testFraction: Double?
    public var bytes = false
    /// LSTM or GRU (nil: the one the published study favours at the run's size and budget,
    /// `ArchitectureEvidence`).
    public var architecture: Architecture?
    /// Sizes (default: 2 layers, the rule's hidden size, one-hot input).
    public var layers: Int?, hiddenSize: Int?, embeddingSize: Int?
    /// Regularisation and initialisation (default: the rule's).
    public var dropout: Float?, weightDrop: Float?, initOneHot: Float?, forgetBias: Float?
    /// Batch shape (default 32 × 64).
    public var batch: Int?, sequence: Int?
    /// Learning rate and its schedule (default: the rule's rate, cosine to 0.1).
    public var learningRate: Float?, schedule: LearningRateSchedule?, finalLearningRateFraction: Float?
    /// Warm-up, clipping, weight decay, weight averaging and seed (default: the rule's, 5, 1).
    public var warmupSteps: Int?, clip: Float?, weightDecay: Float?, ema: Float?, seed: UInt64?
    /// Budget (default: 10 epochs) and validation interval.
    public var epochs: Double?, steps: Int?, timeSeconds: Double?, evalEvery: Int?
    /// Validated checkpoints kept as history.
    public var keep: Int?
    /// fp32 or bf16 products (default: auto, `Precision.automatic`).
    public var precision: PrecisionRequest?
    /// Fine-tuning: the model (architecture, sizes, vocabulary) comes from this checkpoint.
    public var initFrom: (path: String, checkpoint: Checkpoint)?
    /// A request to train on `trainFile` with every choice left to the defaults.
    public init(trainFile: String) { self.trainFile = trainFile }

    /// Batch shape as given or by default (what the data must hold at least one batch of).
    public var resolvedBatch: Int { batch ?? AutoConfiguration.batch }
    /// The precision asked for, `auto` resolved on this CPU.
    public var resolvedPrecision: Precision { (precision ?? .auto).resolved }
    /// Timesteps per batch as given or by default.
    public var resolvedSequence: Int { sequence ?? AutoConfiguration.sequence }
}

/// A request resolved to a complete run: every setting, the model's configuration, the reasons
/// for the automatic choices, and the explicit command line that repeats the run without
/// measuring this machine's speed (a time budget turned into the step count it allows).
public struct TrainingPlan: Sendable {
    public var settings: TrainingSettings
    public var config: ModelConfig
    /// The automatic configuration's reasons, and the options given that replaced its choices.
    public var explanation: String
    public var runName: String
    /// Whether choosing the size needs the speed of this machine (a time budget without --hidden).
    public static func measuresSpeed(_ r: TrainingRequest) -> Bool {
        r.timeSeconds != nil && r.hiddenSize == nil && r.initFrom == nil
    }

    /// Resolves `request` on `data` (loaded with the request's corpus options). `speed` measures a
    /// configuration's training chars/s; it is called only when `measuresSpeed` is true.
    /// `runName` names the run from its configuration (a default name shows the chosen size).
    /// `validationSeconds`, when given, measures what one validation of a configuration takes here
    /// (`AutoConfiguration.measureValidationSeconds`), for a time budget.
    public static func resolve(
        _ r: TrainingRequest, data: TrainingData, checkpointDirectory: String,
        runName: (ModelConfig) -> String, validationSeconds: ((ModelConfig) -> Double)? = nil,
        speed: (ModelConfig) -> Double
    ) -> TrainingPlan {
        var s = givenSettings(r)
        let (arch, choice, archReason) = chooseModel(
            r, settings: s, data: data, speed: speed, validationSeconds: validationSeconds)
        s.learningRate = r.learningRate ?? choice.learningRate
        s.weightDecay = r.weightDecay ?? choice.weightDecay
        let weightDrop = r.weightDrop ?? choice.weightDrop
        s.weightDrop = weightDrop > 0 ? weightDrop : nil
        let ema = r.ema ?? choice.emaDecay
        s.emaDecay = ema > 0 ? ema : nil
        s.warmupSteps = r.warmupSteps ?? choice.warmupSteps
        let source = r.initFrom?.checkpoint.config
        let config = ModelConfig(
            architecture: arch, vocabularySize: data.vocabulary.count, hiddenSize: choice.hiddenSize,
            layers: source?.layers ?? r.layers ?? 2, embeddingSize: source?.embeddingSize ?? r.embeddingSize ?? 0,
            dropout: r.dropout ?? choice.dropout)
        if s.timeSeconds != nil {
            // A time budget becomes the steps it allows at the measured speed, once, here: the run
            // does exactly those steps, so the explicit command repeats it.
            let steps = max(1, Int((choice.characters / Double(s.batch * s.sequence)).rounded()))
            s.steps = min(s.steps ?? .max, steps)
        }
        var plan = TrainingPlan(settings: s, config: config, explanation: "", runName: runName(config))
        plan.explanation = explanation(r, plan: plan, choice: choice, archReason: archReason, data: data, speed: speed)
        plan.settings.command = plan.settings.explicitCommand(
            config: config, checkpointDirectory: checkpointDirectory, runName: plan.runName)
        return plan
    }

    /// Resolves `request` as `resolve` does, measuring on this machine, where the rule needs them,
    /// each model's training speed and what one validation of it takes: each model once (`--arch
    /// auto` asks again for the size it chose).
    public static func resolveMeasuring(
        _ r: TrainingRequest, data: TrainingData, checkpointDirectory: String, runName: (ModelConfig) -> String
    ) -> TrainingPlan {
        var measured: [String: Double] = [:]
        func once(_ what: String, _ c: ModelConfig, _ measure: () -> Double) -> Double {
            let key = "\(what)-\(c.architecture)-\(c.layers)x\(c.hiddenSize)-\(c.embeddingSize)"
            if let s = measured[key] { return s }
            let s = measure()
            measured[key] = s
            return s
        }
        let validationCharacters = min(data.validation.count, Trainer.validationLimit)
        let (batch, sequence, precision) = (r.resolvedBatch, r.resolvedSequence, r.resolvedPrecision)
        return resolve(
            r, data: data, checkpointDirectory: checkpointDirectory, runName: runName,
            validationSeconds: { c in
                once("validation", c) {
                    AutoConfiguration.measureValidationSeconds(
                        c, characters: validationCharacters, precision: precision)
                }
            }
        ) { c in
            once("training", c) {
                AutoConfiguration.measureSpeed(c, batch: batch, sequence: sequence, precision: precision)
            }
        }
    }

    /// The settings the automatic rule does not choose: given, or by default.
    static func givenSettings(_ r: TrainingRequest) -> TrainingSettings {
        let d = TrainingSettings.defaults
        var s = TrainingSettings(trainFile: r.trainFile)
        s.validationFile = r.validationFile
        s.precision = r.resolvedPrecision
        s.validationFraction = r.validationFraction ?? d.validationFraction
        s.testFraction = r.testFraction
        s.bytes = r.bytes
        s.schedule = r.schedule ?? d.schedule
        s.finalLearningRateFraction = r.finalLearningRateFraction ?? d.finalLearningRateFraction
        s.clip = r.clip ?? d.clip
        s.seed = r.seed ?? d.seed
        s.evalEvery = r.evalEvery ?? d.evalEvery
        s.keep = r.keep
        s.epochs = r.epochs; s.steps = r.steps; s.timeSeconds = r.timeSeconds
        s.initFrom = r.initFrom?.path
        if r.epochs == nil && r.steps == nil && r.timeSeconds == nil { s.epochs = 10 }
        s.batch = r.resolvedBatch
        s.sequence = r.resolvedSequence
        let oneHot = r.initOneHot ?? AutoConfiguration.oneHotScale
        s.initialization = .init(oneHotScale: oneHot > 0 ? oneHot : nil, forgetBias: r.forgetBias)
        return s
    }

    /// The architecture (given, the fine-tuned checkpoint's, or `automaticArchitecture`'s, with
    /// its reason) and the automatic rule's choice for it.
    static func chooseModel(
        _ r: TrainingRequest, settings s: TrainingSettings, data: TrainingData, speed: (ModelConfig) -> Double,
        validationSeconds: ((ModelConfig) -> Double)?
    ) -> (Architecture, AutoConfiguration.Choice, String?) {
        let source = r.initFrom?.checkpoint.config
        let layers = source?.layers ?? r.layers ?? 2
        var budget: Double?
        if let n = s.steps { budget = Double(n * s.batch * s.sequence) }
        if let e = s.epochs { budget = min(budget ?? .infinity, e * Double(data.train.count)) }
        func choose(_ arch: Architecture) -> AutoConfiguration.Choice {
            AutoConfiguration.choose(
                architecture: arch, vocabularySize: data.vocabulary.count, trainCharacters: data.train.count,
                layers: layers, batch: s.batch, sequence: s.sequence, budgetCharacters: budget,
                budgetSeconds: s.timeSeconds, fixedHiddenSize: source?.hiddenSize ?? r.hiddenSize,
                validationCharacters: min(data.validation.count, Trainer.validationLimit), speed: speed,
                validationSeconds: validationSeconds)
        }
        if let given = source?.architecture ?? r.architecture { return (given, choose(given), nil) }
        let both = [Architecture.lstm, .gru].map { a in
            let c = choose(a)
            let model = ModelConfig(
                architecture: a, vocabularySize: data.vocabulary.count, hiddenSize: c.hiddenSize, layers: layers,
                embeddingSize: r.embeddingSize ?? 0)
            return (a, model, c)
        }
        let (arch, reason) = automaticArchitecture(
            both.map { ($0.0, $0.1, $0.2.characters) }, measured: s.timeSeconds != nil, speed: speed)
        return (arch, both.first { $0.0 == arch }!.2, reason)
    }

    /// What the rule chose and why, the options given instead, and what the budget means here.
    static func explanation(
        _ r: TrainingRequest, plan: TrainingPlan, choice: AutoConfiguration.Choice, archReason: String?,
        data: TrainingData, speed: (ModelConfig) -> Double
    ) -> String {
        var text = (archReason.map { $0 + "; " } ?? "") + choice.explanation
        let ruleChoices: [TrainFlag] = [.hidden, .dropout, .warmup, .lr, .weightDecay, .weightDrop, .ema]
        let given = ruleChoices.compactMap { flag in RunSetting[flag]?.requested(r).map { "\(flag.text) \($0)" } }
        if !given.isEmpty { text += " (given on the command line, used instead: \(given.joined(separator: ", ")))" }
        if let t = plan.settings.timeSeconds {
            text += "; the \(formatDuration(t)) budget is \(plan.settings.steps!) steps at the measured speed (the run "
            text += "does exactly those, so the command below repeats it)"
        }
        if r.epochs == nil && r.steps == nil && r.timeSeconds == nil {
            // Say up front what "no budget" means here, at this machine's measured speed.
            let characters = 10 * Double(data.train.count)
            let duration = formatDuration(characters / max(speed(plan.config), 1))
            text += "; no budget given, so 10 epochs (" + String(printf: "%.1fM", characters / 1e6)
            text += " characters), about \(duration) here (choose with \(TrainFlag.time.text), "
            text += "\(TrainFlag.steps.text) or \(TrainFlag.epochs.text))"
        }
        return text
    }

    /// `--arch auto`: the architecture the published study favours near this run's size and
    /// budget (`ArchitectureEvidence`), given each architecture's automatic model and characters;
    /// where it favours neither, the faster here at the same size (measured, when the size was
    /// chosen by speed: characters per second × parameters, as each character costs about one
    /// multiply-add per weight; faster only by `ArchitectureEvidence.clearlyFaster`); otherwise the
    /// one with fewer multiply-adds per character.
    static func automaticArchitecture(
        _ both: [(Architecture, ModelConfig, Double)], measured: Bool, speed: (ModelConfig) -> Double
    ) -> (Architecture, String) {
        let parameters = Statistics.geometricMean(both.map { max(Double($0.1.parameterCount), 1) })
        let characters = Statistics.geometricMean(both.map { max($0.2, 1) })
        var faster: (Architecture?, String)
        if measured {
            let rates = both.map { b in
                let s = speed(b.1), p = Double(b.1.parameterCount)
                return (arch: b.0, speed: s, parameters: p, work: s * p)  // work per second
            }.sorted { $0.work > $1.work }
            let ratio = rates[0].work / max(rates[1].work, 1)
            let said = rates.map {
                "\(Int($0.speed / 1000))K chars/s at \(formatQuantity(ArchitectureEvidence.twoFigures($0.parameters))) parameters"
            }
            faster = (
                ratio >= ArchitectureEvidence.clearlyFaster ? rates[0].arch : nil,
                "\(rates[0].arch.displayName) \(said[0]) against the \(rates[1].arch.displayName)'s \(said[1])"
                    + String(printf: ", %.2f× the work per second", ratio)
            )
        } else {
            let sorted = both.sorted { $0.1.parameterCount < $1.1.parameterCount }
            faster = (sorted[0].0, "fewer multiply-adds per character at these sizes")
        }
        let c = ArchitectureEvidence.choose(parameters: parameters, characters: characters, faster: faster)
        return (c.architecture, "architecture " + c.reason + " (choose with --arch)")
    }
}
