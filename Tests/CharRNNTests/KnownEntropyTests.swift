import XCTest
@testable import CharRNN

/// Training against a known truth: text from a second-order Markov chain whose entropy rate is
/// computed exactly; a trained model's held-out loss must come within 2% of it.
final class KnownEntropyTests: XCTestCase {
    func testEntropyRateOfASimpleChainIsExact() {
        // Every transition uniform over 4 letters: the rate is log 4.
        var src = MarkovSource(alphabet: "abcd", seed: 1, sharpness: 0)
        XCTAssertEqual(src.entropyRate, log(4), accuracy: 1e-12)
        src = MarkovSource(alphabet: "abcde", seed: 3)
        XCTAssertLessThan(src.entropyRate, log(5) * 0.9)
    }

    func testTrainedModelReachesTheEntropyRateWithinTwoPercent() throws {
        let source = MarkovSource(alphabet: "abcde", seed: 7)
        let rate = source.entropyRate
        let train = NSTemporaryDirectory() + "charrnn-markov-\(UUID().uuidString).txt"
        let val = train + ".val"
        try source.generate(count: 120_000, seed: 1).write(toFile: train, atomically: true, encoding: .utf8)
        try source.generate(count: 60_000, seed: 2).write(toFile: val, atomically: true, encoding: .utf8)
        var s = TrainingSettings(trainFile: train)
        s.validationFile = val
        s.batch = 16; s.sequence = 32; s.learningRate = 1e-2; s.warmupSteps = 20; s.steps = 600; s.evalEvery = 600
        let trainer = try Trainer(
            settings: s, architecture: .gru, layers: 1, hiddenSize: 32, embeddingSize: 0, dropout: 0,
            runDirectory: NSTemporaryDirectory() + "charrnn-markov-run-\(UUID().uuidString)", runName: "markov")
        let summary = try trainer.run()
        let loss = summary.finalValidationLoss!
        XCTAssertGreaterThan(loss, rate * 0.98, "no model beats the entropy rate by more than sampling noise")
        XCTAssertLessThan(loss, rate * 1.02, "held-out loss \(loss) vs entropy rate \(rate)")
        print(
            String(
                format: "Markov chain: entropy rate %.4f nats/char, held-out loss %.4f (%.2f%% above)", rate, loss,
                100 * (loss / rate - 1)))
    }
}
