import Foundation

/// The study's statistics, verdict, figures and report.md.
public struct StudyReport {
    /// The study's options.
    public let options: Study.Options
    /// Every run.
    public let runs: [Study.Run]
    let positionLosses: [Architecture: [[Float]]]
    let samples: [Architecture: String]
    let parameterGap: Double
    let split: (train: Int, validation: Int, test: Int)

    /// One architecture's results over seeds.
    public struct Summary: Codable {
        /// LSTM or GRU.
        public var architecture: Architecture
        /// Its size.
        public var hiddenSize: Int, parameters: Int
        /// Test loss (nats and bits per character) and perplexity, with 95% intervals over seeds.
        public var testNats: Statistics.Interval, testBits: Statistics.Interval, testPerplexity: Statistics.Interval
        /// Mean training throughput.
        public var charactersPerSecond: Double
    }

    /// One summary per architecture.
    public var summaries: [Summary] {
        Architecture.allCases.compactMap { arch in
            let rs = runs.filter { $0.architecture == arch }
            guard let first = rs.first else { return nil }
            let nats = rs.map(\.testLoss)
            return Summary(
                architecture: arch, hiddenSize: first.hiddenSize, parameters: first.parameters,
                testNats: Statistics.tInterval(nats), testBits: Statistics.tInterval(nats.map { $0 / log(2) }),
                testPerplexity: Statistics.tInterval(nats.map { exp($0) }),
                charactersPerSecond: Statistics.mean(rs.map(\.charactersPerSecond)))
        }
    }

    /// LSTM − GRU test loss: per seed (paired), and per character (averaged over seeds; block bootstrap).
    public var differenceOverSeeds: Statistics.Interval {
        let l = runs.filter { $0.architecture == .lstm }.sorted { $0.seed < $1.seed }.map(\.testLoss)
        let g = runs.filter { $0.architecture == .gru }.sorted { $0.seed < $1.seed }.map(\.testLoss)
        let d = zip(l, g).map { $0 - $1 }
        return d.count >= 3 ? Statistics.bootstrapMean(d, resamples: 5000) : Statistics.tInterval(d)
    }

    /// LSTM − GRU test loss paired by seed, with a t-interval (none for one seed).
    public var differenceOverSeedsT: Statistics.Interval {
        let l = runs.filter { $0.architecture == .lstm }.sorted { $0.seed < $1.seed }.map(\.testLoss)
        let g = runs.filter { $0.architecture == .gru }.sorted { $0.seed < $1.seed }.map(\.testLoss)
        return Statistics.tInterval(zip(l, g).map { $0 - $1 })
    }

    /// LSTM − GRU test loss averaged over seeds, with a block-bootstrap interval over characters.
    public var differenceOverCharacters: Statistics.Interval {
        guard let l = positionLosses[.lstm], let g = positionLosses[.gru], let n = l.first?.count else {
            return Statistics.Interval(mean: .nan, low: .nan, high: .nan)
        }
        var d: [Double] = []
        d.reserveCapacity(n)
        for i in 0..<n {
            let a = l.map { Double($0[i]) }, b = g.map { Double($0[i]) }
            guard a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else { continue }
            d.append(Statistics.mean(a) - Statistics.mean(b))
        }
        return Statistics.bootstrapMean(d, block: 200, resamples: 1000)
    }

    /// The answer in one paragraph, claiming no more than the intervals support.
    public var verdict: String {
        let c = differenceOverCharacters, s = differenceOverSeedsT
        let better = c.mean < 0 ? "LSTM" : "GRU", worse = c.mean < 0 ? "GRU" : "LSTM"
        let size = String(
            format: "%.4f nats/char (%.1f%%)", abs(c.mean),
            100 * abs(c.mean) / max(1e-9, summaries.map(\.testNats.mean).max() ?? 1))
        if c.containsZero {
            return
                "No significant difference: the paired LSTM − GRU test loss is \(c.text) nats/char over "
                    + "characters, an interval that contains 0."
        }
        if !s.isBounded {
            return
                "\(better) scores lower test loss than \(worse) by \(size) on this text (95% interval over characters "
                + "\(c.text)); with one seed per architecture nothing measures seed-to-seed variation, so this says "
                + "nothing about training runs in general (give --seeds 3 or more)."
        }
        if runs.count / 2 >= 2 && !s.containsZero {
            return
                "\(better) performs better than \(worse) at this size and budget: lower test loss by \(size); the "
                    + "95% intervals over characters \(c.text) and over seeds \(s.text) both exclude 0."
        }
        return
            "\(better) scores lower test loss than \(worse) by \(size) on this text (95% interval over characters "
                + "\(c.text)), but the difference is within the seed-to-seed variation (interval over seeds "
                    + "\(s.text)): suggestive, not significant across training runs."
    }

    func write() throws {
        let o = options
        for axis in LearningCurvePlot.XAxis.allCases {
            let series = try runs.map { r in
                try LearningCurvePlot.series(
                    runDirectory: r.runDirectory, axis: axis, label: "\(r.architecture.displayName) seed \(r.seed)",
                    group: r.architecture.displayName)
            }
            let title =
                "Validation loss, LSTM vs GRU (\(String(format: "%.2f", Double(o.parameters) / 1e6))M parameters)"
            try OutputFile.write(
                LearningCurvePlot.svg(series, axis: axis, title: title), to: o.out + "/curves-\(axis.rawValue).svg")
        }
        var md = "# LSTM vs GRU on \((o.file as NSString).lastPathComponent)\n\n"
        md += "**Verdict.** \(verdict)\n\n"
        let budget =
            o.budgetSeconds.map { "\(formatDuration($0)) of training per run" }
            ?? "\(o.characters ?? 0) characters per run"
        md +=
            "Setup: \(o.layers)-layer models matched to \(o.parameters) parameters "
                + "(\(String(format: "%.2f", 100 * parameterGap))% apart), one-hot input, "
        md +=
            "\(budget), \(o.seeds) seeds (the same for both), batch \(o.batch) × seq \(o.sequence), Adam "
                + "\(o.learningRate) with warm-up and cosine decay, "
        md += "dropout \(o.dropout). Split: train \(split.train), validation \(split.validation) (model selection), "
        md +=
            "test \(split.test) characters (the last \(Int(o.testFraction * 100))% of the file, scored once at the "
                + "end by each run's best-validation checkpoint).\n\n"
        md +=
            "| architecture | hidden | parameters | test nats/char (95% CI over seeds) | bits/char | perplexity | "
                + "training chars/s |\n|---|---|---|---|---|---|---|\n"
        for s in summaries {
            md +=
                "| \(s.architecture.displayName) | \(s.hiddenSize) | \(s.parameters) | \(s.testNats.text) | "
                    + "\(s.testBits.text) | \(s.testPerplexity.text) | \(Int(s.charactersPerSecond)) |\n"
        }
        md += "\nPaired difference LSTM − GRU in test nats/char (negative: LSTM better):\n\n"
        md +=
            "- over characters (per-character losses averaged over seeds, block bootstrap, blocks of 200 "
                + "characters): \(differenceOverCharacters.text)\n"
        md +=
            "- over seeds (paired by seed): \(differenceOverSeedsT.text) (t-interval); bootstrap "
                + "\(differenceOverSeeds.text)\n\n"
        md += "| run | steps | seconds | chars/s | best validation | test nats/char |\n|---|---|---|---|---|---|\n"
        for r in runs {
            md += String(
                format: "| %@ seed %d | %d | %.0f | %.0f | %.4f | %.4f |\n", r.architecture.displayName, r.seed,
                r.steps, r.seconds,
                r.charactersPerSecond, r.bestValidationLoss, r.testLoss)
        }
        md +=
            "\nLearning curves (every run): ![against characters seen](curves-characters.svg) ![against wall "
                + "time](curves-seconds.svg)\n\n"
        for arch in Architecture.allCases {
            if let s = samples[arch] {
                md += "Sample from the best \(arch.displayName) (temperature 0.8):\n\n```\n\(s)\n```\n\n"
            }
        }
        try OutputFile.write(md, to: o.out + "/report.md")
        struct JSONOut: Codable {
            var runs: [Study.Run]; var summaries: [Summary]; var differenceOverCharacters: Statistics.Interval;
            var differenceOverSeeds: Statistics.Interval; var verdict: String
        }
        try OutputFile.write(
            JSONCoding.string(
                JSONOut(
                    runs: runs, summaries: summaries, differenceOverCharacters: differenceOverCharacters,
                    differenceOverSeeds: differenceOverSeedsT, verdict: verdict), pretty: true),
            to: o.out + "/results.json")
    }
}
