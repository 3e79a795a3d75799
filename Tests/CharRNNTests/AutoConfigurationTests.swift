import XCTest
@testable import CharRNN

/// The rule in docs/training.md ("Defaults that pick themselves"), on a fake machine whose training
/// speed falls with the parameter count.
final class AutoConfigurationTests: XCTestCase {
    /// chars/s ≈ 6e10 / parameters (about what 2-layer models run at on the 2-core machine).
    func choose(_ arch: Architecture = .lstm, seconds: Double, corpus: Int = 1_000_000) -> AutoConfiguration.Choice {
        AutoConfiguration.choose(
            architecture: arch, vocabularySize: 65, trainCharacters: corpus,
            budgetCharacters: nil, budgetSeconds: seconds
        ) { Double(6e10) / Double($0.parameterCount) }
    }

    func testSizeGrowsWithTheBudgetAndEachChoiceSeesEnoughCharacters() {
        let short = choose(seconds: 180), long = choose(seconds: 900)
        XCTAssertLessThan(short.hiddenSize, long.hiddenSize)
        for (c, seconds) in [(short, 180.0), (long, 900.0)] {
            let p = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: c.hiddenSize, layers: 2)
                .parameterCount
            XCTAssertGreaterThanOrEqual(c.characters, AutoConfiguration.charactersPerParameter * Double(p))
            // The next candidate size would not have seen enough.
            if let next = AutoConfiguration.candidateHiddenSizes.first(where: { $0 > c.hiddenSize }) {
                let q = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: next, layers: 2).parameterCount
                XCTAssertLessThan(
                    Double(6e10) / Double(q) * seconds, AutoConfiguration.charactersPerParameter * Double(q))
            }
        }
    }

    func testRegularisationFollowsThePasses() {
        XCTAssertEqual(AutoConfiguration.dropoutRate(passes: 0.5), 0)
        XCTAssertEqual(AutoConfiguration.dropoutRate(passes: 8), 0.15, accuracy: 1e-6)
        XCTAssertEqual(AutoConfiguration.dropoutRate(passes: 1e6), AutoConfiguration.maximumDropout)
        XCTAssertEqual(AutoConfiguration.dropoutRate(passes: 11), 0.196, accuracy: 1e-3)
        XCTAssertEqual(AutoConfiguration.dropoutRate(passes: 16), 0.2, accuracy: 1e-6)
        // A short run: no weight drop or decay. A run of many passes gets both.
        let few = AutoConfiguration.choose(
            architecture: .gru, vocabularySize: 65, trainCharacters: 1_000_000,
            budgetCharacters: 4e6, budgetSeconds: nil
        ) { _ in 1 }
        XCTAssertEqual(few.weightDrop, 0); XCTAssertEqual(few.weightDecay, 0)
        XCTAssertEqual(few.dropout, 0.1, accuracy: 1e-6)
        let many = AutoConfiguration.choose(
            architecture: .gru, vocabularySize: 65, trainCharacters: 1_000_000,
            budgetCharacters: 20e6, budgetSeconds: nil
        ) { _ in 1 }
        XCTAssertEqual(many.weightDrop, AutoConfiguration.longRunWeightDrop(.gru))
        XCTAssertEqual(many.weightDecay, AutoConfiguration.longRunWeightDecay)
        XCTAssertEqual(many.learningRate, AutoConfiguration.learningRate)
        // Both validate a moving average of the weights.
        XCTAssertEqual(few.emaDecay, 0.998); XCTAssertEqual(many.emaDecay, 0.998)
    }

    /// The reasons name the size rule that applied, the regularisation and, for a time budget, the
    /// speeds measured.
    func testTheExplanationNamesTheRuleAndTheMeasuredSpeeds() {
        let timed = choose(seconds: 180)
        XCTAssertTrue(
            timed.explanation.hasPrefix(
                "2×\(timed.hiddenSize): the largest size that sees ≥ 4.5 characters per parameter ("),
            timed.explanation)
        let p128 = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: 128, layers: 2).parameterCount
        XCTAssertTrue(
            timed.explanation.contains("; measured 128: \(Int(6e10 / Double(p128) / 1000))K chars/s, 192: "),
            timed.explanation)
        XCTAssertTrue(choose(seconds: 0.01).explanation.hasPrefix("2×128: the smallest size (the budget is too small"))
        let given = AutoConfiguration.choose(
            architecture: .gru, vocabularySize: 65, trainCharacters: 1_000_000, budgetCharacters: 20e6,
            budgetSeconds: nil, fixedHiddenSize: 96
        ) { _ in 1 }
        XCTAssertEqual(
            given.explanation,
            "2×96 as given (20.0M characters, 20.0 passes over the corpus); dropout 0.20, weight drop 0.25, "
                + "weight decay 0.10; learning rate 0.003; weight average decay 0.998")
    }

    func testLargeLayersWithoutWeightDropGetALowerLearningRate() {
        XCTAssertEqual(AutoConfiguration.learningRate(hiddenSize: 384, weightDrop: 0), 3e-3)
        XCTAssertEqual(AutoConfiguration.learningRate(hiddenSize: 512, weightDrop: 0), 2e-3, accuracy: 1e-9)
        XCTAssertEqual(AutoConfiguration.learningRate(hiddenSize: 1024, weightDrop: 0), 1e-3, accuracy: 1e-9)
        XCTAssertEqual(AutoConfiguration.learningRate(hiddenSize: 512, weightDrop: 0.4), 3e-3)
    }
}

final class TrainingPlanTests: XCTestCase {
    func data() throws -> TrainingData {
        let file = NSTemporaryDirectory() + "charrnn-plan-\(UUID().uuidString).txt"
        try String(repeating: "the quick brown fox jumps over the lazy dog.\n", count: 2000)
            .write(toFile: file, atomically: true, encoding: .utf8)
        return try TrainingData.load(trainFile: file, validationFile: nil, validationFraction: 0.1, bytes: false)
    }

    /// A time budget is resolved with the measured speed, and the explicit command fixes every
    /// choice, the budget as a step count, so it repeats the run without measuring.
    func testAResolvedPlanWritesOutEveryChoice() throws {
        let d = try data()
        var r = TrainingRequest(trainFile: "/data/corpus.txt")
        r.timeSeconds = 60
        r.dropout = 0.3
        var measured = 0
        let plan = TrainingPlan.resolve(r, data: d, checkpointDirectory: "/runs", runName: { "lstm-\($0.hiddenSize)" })
        { _ in
            measured += 1
            return 50_000
        }
        XCTAssertGreaterThan(measured, 0)
        XCTAssertTrue(TrainingPlan.measuresSpeed(r))
        XCTAssertEqual(plan.config.dropout, 0.3, "a given option wins over the automatic choice")
        XCTAssertTrue(plan.explanation.contains("used instead: --dropout 0.3"), plan.explanation)
        XCTAssertEqual(plan.runName, "lstm-\(plan.config.hiddenSize)")
        let command = plan.settings.command!
        // 60 s less about ten validations at `evaluationSpeedup` × the training speed.
        let validating =
            AutoConfiguration.validationsPerRun * Double(d.validation.count)
            / (AutoConfiguration.evaluationSpeedup * 50_000)
        XCTAssertGreaterThan(validating, 0)
        let steps = Int(((60 - validating) * 50_000 / Double(32 * 64)).rounded())
        for part in [
            "charrnn train /data/corpus.txt ", "--hidden \(plan.config.hiddenSize) ", "--dropout 0.3 ",
            "--lr \(plan.settings.learningRate) ", "--steps \(steps) ", "--checkpoint-dir /runs --name lstm-",
        ] {
            XCTAssertTrue(command.contains(part), "\(part) in \(command)")
        }
        XCTAssertFalse(command.contains("--time"), command)
        // Resolving the explicit command's choices needs no measurement and gives the same plan.
        var again = TrainingRequest(trainFile: "/data/corpus.txt")
        again.architecture = plan.config.architecture
        again.hiddenSize = plan.config.hiddenSize; again.dropout = 0.3; again.steps = steps
        again.learningRate = plan.settings.learningRate; again.weightDecay = plan.settings.weightDecay
        again.weightDrop = plan.settings.weightDrop ?? 0; again.ema = plan.settings.emaDecay ?? 0
        again.warmupSteps = plan.settings.warmupSteps
        XCTAssertFalse(TrainingPlan.measuresSpeed(again))
        let repeated = TrainingPlan.resolve(again, data: d, checkpointDirectory: "/runs", runName: { _ in "x" }) { _ in
            XCTFail("no measuring")
            return 0
        }
        XCTAssertEqual(repeated.config, plan.config)
        XCTAssertEqual(repeated.settings.learningRate, plan.settings.learningRate)
        XCTAssertEqual(repeated.settings.warmupSteps, plan.settings.warmupSteps)
    }

    func testShellQuoting() {
        XCTAssertEqual(shellQuote("/a/b-c.txt"), "/a/b-c.txt")
        XCTAssertEqual(shellQuote("my file's.txt"), "'my file'\\''s.txt'")
        XCTAssertEqual(shellQuote(""), "''")
    }
}
