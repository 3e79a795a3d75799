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

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's configuration, vocabulary, training state and parameters.")

    @Argument(help: "A checkpoint file", completion: .file(extensions: ["ckpt"])) var checkpoint: String
    @Option(help: "text or json") var format: OutputFormat = .text

    func validate() throws { try format.check([.text, .json]) }

    /// The JSON form: everything the text shows.
    struct Description: Encodable {
        struct Tensor: Encodable { var name: String; var shape: [Int]; var count: Int }
        var checkpoint: String
        var config: ModelConfig
        var vocabularyKind: String
        var vocabulary: [UInt32]
        var dtype: String
        var optimizerStep: Int?
        var parameters: [Tensor]
        var parameterCount: Int
        var runName: String?
        var settings: TrainingSettings?
        var progress: TrainingProgress?
        var metricRecords: Int
    }

    func run() throws {
        try reportingErrors {
            let c = try Checkpoint.load(checkpoint)
            let cfg = c.config
            if format == .json {
                printJSON(
                    Description(
                        checkpoint: checkpoint, config: cfg, vocabularyKind: c.vocabulary.kind.rawValue,
                        vocabulary: c.vocabulary.symbols, dtype: c.dtype.rawValue, optimizerStep: c.optimizer?.step,
                        parameters: ParameterLayout(cfg).entries.map {
                            .init(name: $0.name, shape: $0.shape, count: $0.count)
                        },
                        parameterCount: c.parameterCount, runName: c.training?.runName, settings: c.training?.settings,
                        progress: c.training?.progress, metricRecords: c.metrics.count))
                return
            }
            describeModel(c)
            if let t = c.training {
                describeTraining(t, metrics: c.metrics.count)
            } else {
                print("training:     none (weights only)")
            }
        }
    }

    /// The model, its storage, vocabulary and parameters.
    func describeModel(_ c: Checkpoint) {
        let cfg = c.config
        print("checkpoint:   \(checkpoint)")
        print("model:        \(c.summary)")
        print(
            "architecture: \(cfg.architecture.rawValue), layers \(cfg.layers), hidden \(cfg.hiddenSize), "
                + (cfg.usesEmbedding ? "embedding \(cfg.embeddingSize)" : "one-hot input")
                + ", dropout \(cfg.dropout)")
        print(
            "storage:      \(c.dtype.rawValue)"
                + (c.optimizer == nil
                    ? ", weights only"
                    : ", with Adam moments (step \(c.optimizer!.step))"
                        + (c.optimizer!.weights == nil
                            ? "" : " and the raw weights (the parameters are their moving average)"))
        )
        print(
            "vocabulary:   \(c.vocabulary.count) \(c.vocabulary.kind == .bytes ? "bytes" : "characters"): "
                + vocabularyPreview(c.vocabulary))
        print("parameters:")
        let layout = ParameterLayout(cfg)
        for e in layout.entries {
            print(
                "  \(e.name.padded(to: 20)) "
                    + "[\(e.shape.map(String.init).joined(separator: ", "))]  \(formatCount(e.count))"
            )
        }
        print("  total                \(formatCount(c.parameterCount))")
    }

    /// How far the run got, its validation losses, settings, budget and repeat command.
    func describeTraining(_ t: TrainingRecord, metrics: Int) {
        let p = t.progress, s = t.settings
        print(
            "training:     run \(t.runName), step \(p.step), epoch \(p.epoch) (batch \(p.batchInEpoch)), "
                + "\(formatCount(p.charactersSeen)) characters seen, \(formatDuration(p.elapsedSeconds))"
        )
        if let v = p.lastValidationLoss {
            print(
                String(
                    printf: "validation:   %.4f nats/char, %.4f bits/char, perplexity %.3f", v, v / log(2),
                    exp(v)))
        }
        if let b = p.bestValidationLoss {
            print(String(printf: "best:         %.4f nats/char at step %d", b, p.bestStep ?? 0))
        }
        var stop: [String] = []
        if let e = s.epochs { stop.append("\(e) epochs") }
        if let n = s.steps {
            stop.append(
                "\(n) steps" + (s.timeSeconds.map { " (from a time budget of \(formatDuration($0)))" } ?? ""))
        } else if let sec = s.timeSeconds {
            stop.append(formatDuration(sec))
        }
        let validation =
            s.validationFile.map { " (validation \($0))" }
            ?? " (validation last \(s.validationFraction))"
        var line = "settings:     data \(s.trainFile)\(validation), batch \(s.batch), seq \(s.sequence), "
        line += "lr \(s.learningRate) \(s.schedule.rawValue) → ×\(s.finalLearningRateFraction), "
        line += "warmup \(s.warmupSteps), clip \(s.clip), weight decay \(s.weightDecay)"
        line += s.weightDrop.map { ", weight drop \($0)" } ?? ""
        line += s.emaDecay.map { ", weight average (EMA) decay \($0)" } ?? ""
        line += ", precision \(s.resolvedPrecision.rawValue)"
        print(line + ", seed \(s.seed), budget \(stop.joined(separator: ", "))")
        if let command = s.command { print("command:      \(command)") }
        print("metrics:      \(metrics) records")
    }

    func vocabularyPreview(_ v: Vocabulary) -> String {
        let shown = v.symbols.prefix(96).map { s -> String in
            if v.kind == .bytes { return String(printf: "%02x", s) }
            guard let u = Unicode.Scalar(s) else { return "?" }
            switch u {
            case "\n": return "\\n"
            case "\r": return "\\r"
            case "\t": return "\\t"
            case " ": return "␠"
            default: return u.properties.generalCategory == .control ? String(printf: "\\u{%X}", s) : String(u)
            }
        }
        return shown.joined(separator: v.kind == .bytes ? " " : "") + (v.count > 96 ? " …" : "")
    }
}
