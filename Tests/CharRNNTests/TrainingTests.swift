import XCTest
@testable import CharRNN

final class TrainingTests: XCTestCase {
    func corpus(_ text: String) -> String {
        let path = NSTemporaryDirectory() + "charrnn-train-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    func folder() -> String { NSTemporaryDirectory() + "charrnn-run-\(UUID().uuidString)" }

    func settings(_ file: String, steps: Int, dropout: Bool = false) -> TrainingSettings {
        var s = TrainingSettings(trainFile: file)
        s.batch = 4; s.sequence = 16; s.learningRate = 1e-2; s.warmupSteps = 5; s.steps = steps; s.evalEvery = 25
        return s
    }

    static let pangrams = String(repeating: "the quick brown fox jumps over the lazy dog.\n", count: 60)

    func testTinyModelLearnsARepeatingText() throws {
        let dir = folder()
        let t = try Trainer(
            settings: settings(corpus(Self.pangrams), steps: 150), architecture: .lstm, layers: 1, hiddenSize: 32,
            embeddingSize: 0, dropout: 0, runDirectory: dir, runName: "t")
        let summary = try t.run()
        XCTAssertLessThan(summary.finalValidationLoss!, 0.6, "a 45-character cycle is easy to learn")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/best.ckpt"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/latest.ckpt"))
        let lines = try String(contentsOfFile: dir + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertGreaterThanOrEqual(lines.count, 6)
        let last = try JSONDecoder().decode(MetricRecord.self, from: Data(lines.last!.utf8))
        XCTAssertEqual(last.step, 150)
    }

    func testSameSeedRepeatsARunExactlyAndResumeContinuesItBitExactly() throws {
        let file = corpus(Self.pangrams)
        func make(_ steps: Int, _ dir: String) throws -> Trainer {
            var s = settings(file, steps: steps)
            s.evalEvery = 10
            return try Trainer(
                settings: s, architecture: .gru, layers: 2, hiddenSize: 24, embeddingSize: 0, dropout: 0.2,
                runDirectory: dir, runName: "r")
        }
        let full = try make(40, folder())
        _ = try full.run()
        let again = try make(40, folder())
        _ = try again.run()
        XCTAssertEqual(full.model.parameters.array, again.model.parameters.array, "same seed, same weights")

        let dir = folder()
        let half = try make(40, dir)
        half.shouldStop = { half.progress.step >= 20 }
        _ = try half.run()
        XCTAssertEqual(half.progress.step, 20)
        let resumed = try Trainer(resuming: dir + "/latest.ckpt") { _, _ in }
        XCTAssertEqual(resumed.progress.step, 20)
        _ = try resumed.run()
        XCTAssertEqual(resumed.progress.step, 40)
        XCTAssertEqual(
            resumed.model.parameters.array.map(\.bitPattern), full.model.parameters.array.map(\.bitPattern),
            "20 + 20 resumed steps = 40 uninterrupted steps, with dropout on")
        XCTAssertEqual(resumed.progress.lastValidationLoss, full.progress.lastValidationLoss)
    }

    func testWeightAverageFollowsTheWeightsEarlyOn() throws {
        var s = settings(corpus(Self.pangrams), steps: 1)
        s.emaDecay = 0.999
        let t = try Trainer(
            settings: s, architecture: .lstm, layers: 1, hiddenSize: 16, embeddingSize: 0, dropout: 0,
            runDirectory: folder(), runName: "a")
        let initial = t.model.parameters.array
        _ = try t.run()
        let weights = t.model.parameters.array, average = t.average!.array
        // Update 1 mixes in the new weights with weight 1 − min(0.999, 2/11) = 9/11.
        var moved = 0
        for i in initial.indices {
            XCTAssertEqual(average[i], initial[i] + 9 / 11 * (weights[i] - initial[i]), accuracy: 1e-6)
            if weights[i] != initial[i] { moved += 1 }
        }
        XCTAssertGreaterThan(moved, initial.count / 2)
    }

    func testWeightAverageIsValidatedSavedAndResumedExactly() throws {
        let file = corpus(Self.pangrams)
        func make(_ steps: Int, _ dir: String) throws -> Trainer {
            var s = settings(file, steps: steps)
            s.evalEvery = 10; s.emaDecay = 0.9; s.weightDrop = 0.3
            return try Trainer(
                settings: s, architecture: .lstm, layers: 2, hiddenSize: 24, embeddingSize: 0, dropout: 0.1,
                runDirectory: dir, runName: "e")
        }
        let fullDir = folder()
        let full = try make(40, fullDir)
        _ = try full.run()
        // The checkpoint's parameters are the average (what was validated); the raw weights ride
        // with the optimizer state.
        let ckpt = try Checkpoint.load(fullDir + "/latest.ckpt")
        XCTAssertEqual(ckpt.parameters, full.average!.array)
        XCTAssertEqual(ckpt.optimizer?.weights, full.model.parameters.array)
        XCTAssertNotEqual(ckpt.parameters, full.model.parameters.array)
        XCTAssertEqual(ckpt.training?.settings.emaDecay, 0.9)
        let model = ckpt.makeModel()
        let v = full.data.validation
        let r = Evaluator(
            model: model, streams: full.evaluator.streams, chunk: full.evaluator.chunk, burnIn: full.evaluator.burnIn
        )
        .evaluate(count: v.count) { Int32(v[$0]) }
        XCTAssertEqual(r.meanLoss, full.progress.lastValidationLoss!, accuracy: 1e-12, "validation scores the average")
        let rawModel = LanguageModel(config: model.config, parameters: FloatBuffer(full.model.parameters.array))
        let rawLoss = Evaluator(
            model: rawModel, streams: full.evaluator.streams, chunk: full.evaluator.chunk, burnIn: full.evaluator.burnIn
        )
        .evaluate(count: v.count) { Int32(v[$0]) }.meanLoss
        XCTAssertNotEqual(rawLoss, r.meanLoss)

        let dir = folder()
        let half = try make(40, dir)
        half.shouldStop = { half.progress.step >= 20 }
        _ = try half.run()
        let resumed = try Trainer(resuming: dir + "/latest.ckpt") { _, _ in }
        _ = try resumed.run()
        XCTAssertEqual(resumed.progress.step, 40)
        XCTAssertEqual(resumed.model.parameters.array.map(\.bitPattern), full.model.parameters.array.map(\.bitPattern))
        XCTAssertEqual(resumed.average!.array.map(\.bitPattern), full.average!.array.map(\.bitPattern))
        XCTAssertEqual(resumed.progress.lastValidationLoss, full.progress.lastValidationLoss)
    }

    func testCorpusTooSmallForOneBatchIsRefusedWithTheCountNeeded() {
        XCTAssertThrowsError(
            try Trainer(
                settings: settings(corpus(String(repeating: "ab", count: 30)), steps: 1), architecture: .lstm,
                layers: 1, hiddenSize: 8, embeddingSize: 0, dropout: 0, runDirectory: folder(), runName: "x")
        ) { e in
            XCTAssertTrue("\(e)".contains("needs at least 65"), "\(e)")
        }
    }

    func testUnwritableFolderIsRefusedBeforeTraining() {
        let file = corpus(Self.pangrams)
        let blocker = corpus("x")  // a file where the folder should be
        XCTAssertThrowsError(
            try Trainer(
                settings: settings(file, steps: 1), architecture: .lstm, layers: 1, hiddenSize: 8,
                embeddingSize: 0, dropout: 0, runDirectory: blocker + "/run", runName: "x")
        ) { e in
            XCTAssertTrue("\(e)".contains("cannot write checkpoints"), "\(e)")
        }
    }

    func testMultiStreamEvaluationMatchesOneStream() {
        var rng = RandomGenerator(seed: 2)
        let m = LanguageModel(
            config: ModelConfig(architecture: .lstm, vocabularySize: 9, hiddenSize: 16, layers: 2), random: &rng)
        let ids = (0..<3000).map { _ in Int32(rng.nextInt(below: 9)) }
        let one = Evaluator(model: m, streams: 1, chunk: 64, burnIn: 0).evaluate(ids)
        let many = Evaluator(model: m, streams: 8, chunk: 50, burnIn: 3000).evaluate(ids)
        XCTAssertEqual(one.scored, 2999); XCTAssertEqual(many.scored, 2999)
        XCTAssertEqual(
            many.meanLoss, one.meanLoss, accuracy: 1e-5, "with burn-in covering the text, streams see the same context")
        let withUnknown = ids.enumerated().map { $0.offset % 100 == 7 ? -1 : $0.element }
        let r = Evaluator(model: m, streams: 4, chunk: 32, burnIn: 10).evaluate(withUnknown)
        XCTAssertEqual(r.unscored, 30); XCTAssertEqual(r.scored, 2999 - 30)
    }

    func testScheduleWarmsUpAndDecays() {
        var s = TrainingSettings(trainFile: "x")
        s.learningRate = 1; s.warmupSteps = 10; s.finalLearningRateFraction = 0.1; s.schedule = .cosine
        XCTAssertEqual(s.learningRate(step: 0, fraction: 0), 0.1, accuracy: 1e-6)
        XCTAssertEqual(s.learningRate(step: 9, fraction: 0), 1, accuracy: 1e-6)
        XCTAssertEqual(s.learningRate(step: 100, fraction: 0.5), 0.55, accuracy: 1e-6)
        XCTAssertEqual(s.learningRate(step: 100, fraction: 1), 0.1, accuracy: 1e-6)
    }

    func testClippingMatchesPyTorch() {
        let g = FloatBuffer([3, 4])
        XCTAssertEqual(clipGlobalNorm(g, maxNorm: 1), 5, accuracy: 1e-9)
        XCTAssertEqual(g[0], Float(3 * (1 / (5 + 1e-6))), accuracy: 1e-7)
        let small = FloatBuffer([0.3, 0.4])
        clipGlobalNorm(small, maxNorm: 1)
        XCTAssertEqual(small.array, [0.3, 0.4], "below the limit nothing changes")
    }

    func testNonFiniteGradientsSkipTheUpdateRollBackAndLowerTheLearningRate() throws {
        let dir = folder()
        var s = settings(corpus(Self.pangrams), steps: 60)
        s.evalEvery = 10
        let t = try Trainer(
            settings: s, architecture: .lstm, layers: 1, hiddenSize: 16, embeddingSize: 0, dropout: 0,
            runDirectory: dir, runName: "nan")
        var calls = 0
        t.faultInjector = { _, g in
            calls += 1
            if calls == 15 { g[3] = .nan }
            if calls == 33 { g[0] = .infinity }
        }
        let summary = try t.run()
        XCTAssertEqual(t.progress.step, 60, "both faulty steps were skipped, the run went on")
        XCTAssertEqual(calls, 62)
        XCTAssertEqual(t.progress.learningRateScale, 0.25)
        XCTAssertTrue(summary.finalValidationLoss!.isFinite)
        XCTAssertTrue(t.model.parameters.array.allSatisfy(\.isFinite))
    }

    func testRepeatedDivergenceStopsWithAClearMessageAndAUsableCheckpoint() throws {
        let dir = folder()
        var s = settings(corpus(Self.pangrams), steps: 100)
        s.evalEvery = 10
        let t = try Trainer(
            settings: s, architecture: .gru, layers: 1, hiddenSize: 16, embeddingSize: 0, dropout: 0, runDirectory: dir,
            runName: "div")
        t.faultInjector = { step, g in if step > 25 { g[1] = .nan } }
        XCTAssertThrowsError(try t.run()) { e in
            XCTAssertTrue("\(e)".contains("diverged") && "\(e)".contains(dir + "/latest.ckpt"), "\(e)")
        }
        let latest = try Checkpoint.load(dir + "/latest.ckpt")
        XCTAssertTrue(latest.parameters.allSatisfy(\.isFinite))
        XCTAssertEqual(latest.training?.progress.step, 25)
        let resumed = try Trainer(resuming: dir + "/latest.ckpt") { s, _ in s.steps = 40 }
        _ = try resumed.run()
        XCTAssertEqual(resumed.progress.step, 40, "the checkpoint left behind resumes")
    }

    func testLargeVocabulariesUseTwoBytesPerCharacter() throws {
        let ascii = try TrainingData.load(
            trainFile: corpus(Self.pangrams), validationFile: nil, validationFraction: 0.1, bytes: false)
        XCTAssertEqual(ascii.train.tokens.bytesPerToken, 1)
        let wide = String((0..<400).map { Character(Unicode.Scalar(0x4E00 + $0)!) }) + Self.pangrams
        let cjk = try TrainingData.load(
            trainFile: corpus(wide), validationFile: nil, validationFraction: 0.1, bytes: false)
        XCTAssertEqual(cjk.train.tokens.bytesPerToken, 2)
        XCTAssertEqual(cjk.vocabulary.decode((0..<5).map { cjk.train[$0] }), String(wide.prefix(5)))
    }
}

final class ThreadCountTests: XCTestCase {
    override func tearDown() { Threads.reset() }

    /// The same seed gives the same run on 1, 2, 3 and 4 threads, with dropout and weight drop
    /// on: masks are drawn per stream, so only the order of the gradient sum differs.
    func testThreadCountDoesNotChangeARun() throws {
        let text = String(repeating: "It was the best of times, it was the worst of times; (1859)\n", count: 40)
        let file = NSTemporaryDirectory() + "charrnn-threads-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: file, contents: Data(text.utf8))
        var results: [(threads: Int, losses: [Double], validation: Double)] = []
        for n in 1...4 {
            Threads.set(n)
            var s = TrainingSettings(trainFile: file)
            s.batch = 6; s.sequence = 16; s.learningRate = 1e-2; s.warmupSteps = 3; s.steps = 24; s.evalEvery = 8
            s.weightDrop = 0.3
            let dir = NSTemporaryDirectory() + "charrnn-threads-run-\(UUID().uuidString)"
            let t = try Trainer(
                settings: s, architecture: .lstm, layers: 2, hiddenSize: 20,
                embeddingSize: 0, dropout: 0.25, runDirectory: dir, runName: "t\(n)")
            XCTAssertEqual(t.engine.threads, n)
            _ = try t.run()
            results.append((n, t.metrics.map(\.trainLoss), t.progress.lastValidationLoss!))
        }
        let reference = results[0]
        XCTAssertGreaterThan(reference.losses.count, 1)
        for r in results.dropFirst() {
            XCTAssertEqual(r.losses.count, reference.losses.count)
            for (a, b) in zip(r.losses, reference.losses) {
                XCTAssertEqual(a, b, accuracy: 1e-4, "training loss with \(r.threads) threads")
            }
            XCTAssertEqual(
                r.validation, reference.validation, accuracy: 1e-4, "validation loss with \(r.threads) threads")
        }
    }

    func testDropoutMasksDoNotDependOnTheSplit() {
        let config = ModelConfig(
            architecture: .gru, vocabularySize: 7, hiddenSize: 12, layers: 2, embeddingSize: 0,
            dropout: 0.5)
        var init1 = RandomGenerator(seed: 3)
        let model = LanguageModel(config: config, random: &init1)
        let B = 5, T = 6
        let x = (0..<(B * T)).map { Int32($0 % 7) }, y = (0..<(B * T)).map { Int32(($0 + 1) % 7) }
        var losses: [Double] = []
        for n in [1, 2, 5] {
            let engine = SequenceEngine(model: model, batch: B, steps: T, training: true, threads: n)
            engine.parametersDidChange()
            var r = RandomGenerator(seed: 9)
            losses.append(engine.run(inputs: x, targets: y, backward: true, random: &r).loss)
            XCTAssertEqual(
                r,
                {
                    var q = RandomGenerator(seed: 9); _ = q.next(); return q
                }(),
                "one draw from the run's generator, whatever the split")
        }
        XCTAssertEqual(losses[0], losses[1], accuracy: 1e-9)
        XCTAssertEqual(losses[0], losses[2], accuracy: 1e-9)
    }
}
