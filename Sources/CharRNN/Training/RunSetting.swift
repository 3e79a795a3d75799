#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every `charrnn train` flag the library writes, spelled once: the settings' rows of
/// `RunSetting.all`, and the words that place a run (`--checkpoint-dir`, `--name`), resume it and
/// say how it runs. Study manifests, explicit commands and messages all take their flags from here.
public enum TrainFlag: String, CaseIterable, Sendable {
    case valFile = "val-file"
    case valFraction = "val-fraction"
    case testFraction = "test-fraction"
    case bytes
    case arch
    case layers
    case hidden
    case embedding
    case dropout
    case weightDrop = "weight-drop"
    case initOneHot = "init-one-hot"
    case forgetBias = "forget-bias"
    case batch
    case seq
    case lr
    case lrSchedule = "lr-schedule"
    case lrFinal = "lr-final"
    case warmup
    case clip
    case weightDecay = "weight-decay"
    case ema
    case seed
    case steps
    case epochs
    case evalEvery = "eval-every"
    case keep
    case initFrom = "init-from"
    case precision
    case time
    case checkpointDir = "checkpoint-dir"
    case name
    case `continue`
    case quiet
    case threads
    case resume
    case overwrite

    /// The flag as written, e.g. --lr.
    public var text: String { "--" + rawValue }
}

/// One setting of a training run, as the `charrnn train` flag that sets it: the one table from
/// which a run's explicit command is written and by which a resume is checked. A new setting is a
/// field of `TrainingRequest` and `TrainingSettings` (or `ModelConfig`), a flag, and a row here.
///
/// Values are compared as the flag's argument text, so "given" and "stored" mean the same thing
/// everywhere: what the explicit command would say.
public struct RunSetting: Sendable {
    /// The option group the flag belongs to (as `charrnn train --help` shows them).
    public enum Group: String, Sendable, CaseIterable { case corpus, model, optimisation, budget, run }

    /// What a resumed run (`--resume`, `--continue`) does with the flag.
    public enum OnResume: Sendable {
        /// Refused when it differs from the run's: it would make another run.
        case fixed
        /// May change: the budget and what is kept.
        case changeable
        /// Sets up a new run: refused with `--resume` whenever given; with `--continue` (which
        /// may start the run) refused when it differs.
        case newRunOnly
    }

    /// The flag.
    public let key: TrainFlag
    /// The flag as written.
    public var flag: String { key.text }
    public let group: Group
    public let onResume: OnResume
    /// The run's value as the flag's argument ("" for a flag that takes none); nil when unset.
    let stored: @Sendable (TrainingSettings, ModelConfig) -> String?
    /// The value a request gives; nil when left out.
    let requested: @Sendable (TrainingRequest) -> String?
    /// Whether the explicit command writes it (a setting another one makes moot is left out).
    let written: @Sendable (TrainingSettings) -> Bool

    init(
        _ key: TrainFlag, _ group: Group, _ onResume: OnResume,
        stored: @escaping @Sendable (TrainingSettings, ModelConfig) -> String?,
        requested: @escaping @Sendable (TrainingRequest) -> String?,
        written: @escaping @Sendable (TrainingSettings) -> Bool = { _ in true }
    ) {
        self.key = key; self.group = group; self.onResume = onResume
        self.stored = stored; self.requested = requested; self.written = written
    }

    /// The value as the flag's argument.
    static func text<T>(_ value: T?) -> String? { value.map { "\($0)" } }
}

extension RunSetting {
    /// Every setting of a run, in the order the explicit command writes them.
    public static let all: [RunSetting] = [
        RunSetting(.valFile, .corpus, .fixed, stored: { s, _ in s.validationFile }, requested: { $0.validationFile }),
        RunSetting(
            .valFraction, .corpus, .fixed, stored: { s, _ in text(s.validationFraction) },
            requested: { text($0.validationFraction) }, written: { $0.validationFile == nil }),
        RunSetting(
            .testFraction, .corpus, .fixed, stored: { s, _ in text(s.testFraction) },
            requested: { text($0.testFraction) }),
        RunSetting(.bytes, .corpus, .fixed, stored: { s, _ in s.bytes ? "" : nil }, requested: { $0.bytes ? "" : nil }),
        RunSetting(
            .arch, .model, .fixed, stored: { _, c in c.architecture.rawValue },
            requested: { $0.architecture?.rawValue }),
        RunSetting(.layers, .model, .fixed, stored: { _, c in text(c.layers) }, requested: { text($0.layers) }),
        RunSetting(.hidden, .model, .fixed, stored: { _, c in text(c.hiddenSize) }, requested: { text($0.hiddenSize) }),
        RunSetting(
            .embedding, .model, .fixed, stored: { _, c in text(c.embeddingSize) },
            requested: { text($0.embeddingSize) }),
        RunSetting(.dropout, .model, .fixed, stored: { _, c in text(c.dropout) }, requested: { text($0.dropout) }),
        RunSetting(
            .weightDrop, .model, .fixed, stored: { s, _ in text(s.weightDrop ?? 0) },
            requested: { text($0.weightDrop) }),
        RunSetting(
            .initOneHot, .model, .newRunOnly, stored: { s, _ in text(s.initialization?.oneHotScale ?? 0) },
            requested: { text($0.initOneHot) }),
        RunSetting(
            .forgetBias, .model, .newRunOnly, stored: { s, _ in text(s.initialization?.forgetBias) },
            requested: { text($0.forgetBias) }),
        RunSetting(.batch, .optimisation, .fixed, stored: { s, _ in text(s.batch) }, requested: { text($0.batch) }),
        RunSetting(.seq, .optimisation, .fixed, stored: { s, _ in text(s.sequence) }, requested: { text($0.sequence) }),
        RunSetting(
            .lr, .optimisation, .fixed, stored: { s, _ in text(s.learningRate) },
            requested: { text($0.learningRate) }),
        RunSetting(
            .lrSchedule, .optimisation, .fixed, stored: { s, _ in s.schedule.rawValue },
            requested: { $0.schedule?.rawValue }),
        RunSetting(
            .lrFinal, .optimisation, .fixed, stored: { s, _ in text(s.finalLearningRateFraction) },
            requested: { text($0.finalLearningRateFraction) }),
        RunSetting(
            .warmup, .optimisation, .fixed, stored: { s, _ in text(s.warmupSteps) },
            requested: { text($0.warmupSteps) }),
        RunSetting(.clip, .optimisation, .fixed, stored: { s, _ in text(s.clip) }, requested: { text($0.clip) }),
        RunSetting(
            .weightDecay, .optimisation, .fixed, stored: { s, _ in text(s.weightDecay) },
            requested: { text($0.weightDecay) }),
        RunSetting(.ema, .optimisation, .fixed, stored: { s, _ in text(s.emaDecay ?? 0) }, requested: { text($0.ema) }),
        RunSetting(.seed, .optimisation, .fixed, stored: { s, _ in text(s.seed) }, requested: { text($0.seed) }),
        RunSetting(.steps, .budget, .changeable, stored: { s, _ in text(s.steps) }, requested: { text($0.steps) }),
        RunSetting(.epochs, .budget, .changeable, stored: { s, _ in text(s.epochs) }, requested: { text($0.epochs) }),
        RunSetting(
            .evalEvery, .budget, .changeable, stored: { s, _ in s.evalEvery > 0 ? text(s.evalEvery) : nil },
            requested: { text($0.evalEvery) }),
        RunSetting(
            .keep, .run, .changeable, stored: { s, _ in (s.keep ?? 0) > 0 ? text(s.keep) : nil },
            requested: { text($0.keep) }),
        RunSetting(.initFrom, .run, .newRunOnly, stored: { s, _ in s.initFrom }, requested: { $0.initFrom?.path }),
        RunSetting(
            .precision, .run, .fixed, stored: { s, _ in s.resolvedPrecision.rawValue },
            requested: { $0.precision?.resolved.rawValue }),
    ]

    /// The setting of `flag`.
    public static func named(_ flag: String) -> RunSetting? { all.first { $0.flag == flag } }
    /// The setting of `key`.
    public static subscript(_ key: TrainFlag) -> RunSetting? { all.first { $0.key == key } }

    /// The flags and values of a run, as the explicit command writes them.
    static func words(_ s: TrainingSettings, _ c: ModelConfig) -> [String] {
        all.flatMap { setting -> [String] in
            guard setting.written(s), let v = setting.stored(s, c) else { return [] }
            return v.isEmpty ? [setting.flag] : [setting.flag, shellQuote(v)]
        }
    }
}

extension TrainingRequest {
    /// The first setting this request gives that the run stored in `settings` and `config` (at
    /// `checkpoint`) cannot take: a fixed one that differs, or one that sets up a new run. With
    /// `continuing` (`--continue`, which may start the run) a new run's settings are compared too,
    /// and leaving out a test part the run has is a change.
    public func conflict(
        with settings: TrainingSettings, config: ModelConfig, checkpoint: String, continuing: Bool
    ) -> TrainingError? {
        for setting in RunSetting.all {
            let given = setting.requested(self), stored = setting.stored(settings, config)
            switch setting.onResume {
            case .changeable: continue
            case .newRunOnly where !continuing:
                if given != nil { return .newRunOption(flag: setting.flag) }
                continue
            case .fixed, .newRunOnly:
                let absentTest = setting.key == .testFraction && continuing && given == nil && stored != nil
                guard absentTest || (given != nil && given != stored) else { continue }
                return .resumeConflict(flag: setting.flag, given: given, stored: stored, checkpoint: checkpoint)
            }
        }
        return nil
    }
}
