import Foundation

/// A fair LSTM-versus-GRU comparison: matched parameter counts, one split (train / validation /
/// test, the test part used only at the end), the same seeds, budgets and other
/// hyper-parameters for both; every run's learning curve kept; test losses per character for
/// paired statistics.
public final class Study {
    /// What to study.
    public struct Options {
        /// The text; its last `testFraction` is the test set.
        public var file: String
        /// Training time per run.
        public var budgetSeconds: Double?
        /// Characters per run (instead of time).
        public var characters: Int?
        /// Target parameter count of both models.
        public var parameters: Int = 1_000_000
        /// Seeds per architecture.
        public var seeds: Int = 3
        /// Output folder.
        public var out: String
        /// Shape of both models and their batches.
        public var layers = 2, batch = 32, sequence = 64
        /// Peak learning rate of both.
        public var learningRate: Float = AutoConfiguration.learningRate
        /// Dropout of both.
        public var dropout: Float = 0.1
        /// Validation and test parts of the file.
        public var validationFraction = 0.1, testFraction = 0.1
        /// Train on raw bytes.
        public var bytes = false
        /// Replace the runs of an earlier study in `out` (otherwise an existing study is refused).
        public var overwrite = false
        /// Keep the runs of an earlier study in `out` that finished their budget with these
        /// settings, and train only the others (an unfinished run starts again).
        public var resume = false
        /// Options for `file`, written to `out`.
        public init(file: String, out: String) { self.file = file; self.out = out }
    }

    /// One finished run of the study.
    public struct Run: Codable {
        /// LSTM or GRU.
        public var architecture: Architecture
        /// Its seed.
        public var seed: UInt64
        /// Hidden units per layer.
        public var hiddenSize: Int
        /// Parameters.
        public var parameters: Int
        /// Optimizer steps.
        public var steps: Int
        /// Training seconds.
        public var seconds: Double
        /// Training throughput.
        public var charactersPerSecond: Double
        /// Best validation loss (nats/char).
        public var bestValidationLoss: Double
        /// Test loss of the best checkpoint (nats/char).
        public var testLoss: Double
        /// Its folder.
        public var runDirectory: String
    }

    /// The study's options.
    public let options: Options
    /// Progress lines (one per finished run, with the time left); nothing by default.
    public var log: (String) -> Void = { _ in }
    /// A study with `options`.
    public init(_ options: Options) { self.options = options }

    /// The summary of a run in `dir` that finished the budget of `settings` with these settings,
    /// read from its latest checkpoint; nil when there is none (missing, unfinished or different).
    static func finishedRun(_ dir: String, settings s: TrainingSettings, hiddenSize: Int) -> Trainer.Summary? {
        guard let latest = try? Checkpoint.load(dir + "/latest.ckpt"), let record = latest.training,
              FileManager.default.fileExists(atPath: dir + "/best.ckpt"), latest.config.hiddenSize == hiddenSize
        else { return nil }
        let p = record.progress, r = record.settings
        guard r.seed == s.seed, r.batch == s.batch, r.sequence == s.sequence, r.learningRate == s.learningRate,
              r.steps == s.steps, r.timeSeconds == s.timeSeconds else { return nil }
        let done = s.steps.map { p.step >= $0 } ?? s.timeSeconds.map { p.elapsedSeconds >= $0 } ?? false
        guard done else { return nil }
        return Trainer.Summary(steps: p.step, seconds: p.elapsedSeconds,
                               charactersPerSecond: Double(p.charactersSeen) / max(p.elapsedSeconds, 1e-9),
                               bestValidationLoss: p.bestValidationLoss, finalValidationLoss: p.lastValidationLoss,
                               interrupted: false)
    }

    /// The hidden size whose parameter count is closest to `target`.
    public static func hiddenSize(for target: Int, architecture: Architecture, vocabularySize: Int, layers: Int) -> Int
    {
        var best = 1, bestGap = Int.max
        for h in 1...4096 {
            let p = ModelConfig(
                architecture: architecture, vocabularySize: vocabularySize, hiddenSize: h, layers: layers
            ).parameterCount
            if abs(p - target) < bestGap { best = h; bestGap = abs(p - target) }
            if p > target { break }
        }
        return best
    }

    /// Trains every run, scores the test set and writes the report, figures and results.
    public func run() throws -> StudyReport {
        let o = options
        try FileManager.default.createDirectory(atPath: o.out, withIntermediateDirectories: true)
        // One split for every run: train | validation | test (the last testFraction).
        let all = try TrainingData.load(
            trainFile: o.file, validationFile: nil, validationFraction: o.validationFraction + o.testFraction,
            bytes: o.bytes)
        let tokens = all.train.tokens, n = tokens.count
        let testCount = Int((Double(n) * o.testFraction).rounded()),
            valCount = Int((Double(n) * o.validationFraction).rounded())
        let trainCount = n - testCount - valCount
        let data = TrainingData(
            vocabulary: all.vocabulary, train: TokenView(tokens, start: 0, count: trainCount),
            validation: TokenView(tokens, start: trainCount, count: valCount))
        let test = TokenView(tokens, start: trainCount + valCount, count: testCount)
        var check = TrainingSettings(trainFile: o.file)
        check.batch = o.batch; check.sequence = o.sequence
        try Trainer.checkData(data, settings: check)
        if test.count < 2 { throw TrainingError.validationTooSmall(characters: test.count) }
        let V = all.vocabulary.count
        var hidden: [Architecture: Int] = [:], counts: [Architecture: Int] = [:]
        for arch in Architecture.allCases {
            hidden[arch] = Self.hiddenSize(for: o.parameters, architecture: arch, vocabularySize: V, layers: o.layers)
            counts[arch] =
                ModelConfig(architecture: arch, vocabularySize: V, hiddenSize: hidden[arch]!, layers: o.layers)
                .parameterCount
        }
        let gap = abs(Double(counts[.lstm]! - counts[.gru]!)) / Double(o.parameters)
        log(
            String(
                format:
                    "study: LSTM %d×%d (%d parameters) vs GRU %d×%d (%d parameters), %.2f%% apart; %d seeds; train "
                        + "%d / validation %d / test %d characters",
                o.layers, hidden[.lstm]!, counts[.lstm]!, o.layers, hidden[.gru]!, counts[.gru]!, 100 * gap, o.seeds,
                trainCount, valCount, testCount))
        var runs: [Run] = []
        var positionLosses: [Architecture: [[Float]]] = [:]
        let total = o.seeds * Architecture.allCases.count
        let started = Date()
        for seed in 1...UInt64(o.seeds) {
            for arch in Architecture.allCases {
                var s = TrainingSettings(trainFile: o.file)
                s.validationFraction = o.validationFraction; s.bytes = o.bytes
                s.batch = o.batch; s.sequence = o.sequence; s.learningRate = o.learningRate
                s.seed = seed; s.timeSeconds = o.budgetSeconds
                s.warmupSteps = 100
                s.initialization = .init(oneHotScale: AutoConfiguration.oneHotScale)
                if let c = o.characters { s.steps = max(1, c / (o.batch * o.sequence)) }
                let name = "\(arch.rawValue)-seed\(seed)"
                let dir = o.out + "/runs/" + name
                let summary: Trainer.Summary
                if o.resume, let finished = Self.finishedRun(dir, settings: s, hiddenSize: hidden[arch]!) {
                    summary = finished
                } else {
                    let trainer = try Trainer(
                        settings: s, data: data, architecture: arch, layers: o.layers, hiddenSize: hidden[arch]!,
                        embeddingSize: 0, dropout: o.dropout, runDirectory: dir, runName: name,
                        overwrite: o.overwrite || o.resume)
                    summary = try trainer.run()
                }
                let best = try Checkpoint.load(dir + "/best.ckpt")
                let r = Evaluator(model: best.makeModel(), streams: min(64, max(1, test.count / 1000)))
                    .evaluate(count: test.count, keepPositionLosses: true) { Int32(test[$0]) }
                positionLosses[arch, default: []].append(r.positionLosses!)
                runs.append(
                    Run(
                        architecture: arch, seed: seed, hiddenSize: hidden[arch]!, parameters: counts[arch]!,
                        steps: summary.steps,
                        seconds: summary.seconds, charactersPerSecond: summary.charactersPerSecond,
                        bestValidationLoss: summary.bestValidationLoss ?? .nan, testLoss: r.meanLoss, runDirectory: dir)
                )
                let done = runs.count, elapsed = Date().timeIntervalSince(started)
                let left = elapsed / Double(done) * Double(total - done)
                log(
                    String(
                        format:
                            "[%d/%d] %@: test %.4f nats/char (best validation %.4f), %d steps, %.0f chars/s; ETA %@",
                        done, total, name, r.meanLoss, summary.bestValidationLoss ?? .nan, summary.steps,
                        summary.charactersPerSecond, done == total ? "done" : formatDuration(left)))
            }
        }
        // Samples from each architecture's best model (lowest test loss).
        var samples: [Architecture: String] = [:]
        for arch in Architecture.allCases {
            guard let bestRun = runs.filter({ $0.architecture == arch }).min(by: { $0.testLoss < $1.testLoss }) else {
                continue
            }
            let ckpt = try Checkpoint.load(bestRun.runDirectory + "/best.ckpt")
            let sample = Generator(model: ckpt.makeModel()).generate(
                prime: [Generator.startToken(ckpt.vocabulary)], length: 400, seed: 1, options: .init(temperature: 0.8))
            samples[arch] = ckpt.vocabulary.decode(sample[0].tokens)
        }
        let report = StudyReport(
            options: o, runs: runs, positionLosses: positionLosses, samples: samples,
            parameterGap: gap, split: (trainCount, valCount, testCount))
        try report.write()
        return report
    }
}
