import XCTest
@testable import CharRNN

/// Finite-difference checks of the hand-written backward passes (float32, so directional
/// derivatives along random directions, one per tensor: (L(θ+εd) − L(θ−εd)) / 2ε against g·d).
/// Hidden size 19 exercises both the 16-wide SIMD path and the scalar tail of every fused kernel.
final class GradientCheckTests: XCTestCase {
    func check(
        _ arch: Architecture, embedding: Int, dropout: Float, layers: Int = 2, hidden: Int = 19,
        weightDrop: Float = 0, file: StaticString = #filePath, line: UInt = #line
    ) {
        var rng = RandomGenerator(seed: 42)
        let V = 11, B = 3, T = 7
        let config = ModelConfig(
            architecture: arch, vocabularySize: V, hiddenSize: hidden, layers: layers,
            embeddingSize: embedding, dropout: dropout)
        let model = LanguageModel(config: config, random: &rng)
        // Larger weights than the default initialisation make the check more demanding.
        for i in 0..<model.parameters.count { model.parameters[i] *= 2.5 }
        let engine = SequenceEngine(model: model, batch: B, steps: T, training: true, threads: 2)
        engine.weightDrop = weightDrop
        let x = (0..<B * T).map { _ in Int32(rng.nextInt(below: V)) }
        let y = (0..<B * T).map { _ in Int32(rng.nextInt(below: V)) }
        let h0 = (0..<layers * B * hidden).map { _ in rng.nextFloat() - 0.5 }
        func loss(backward: Bool) -> Double {
            engine.parametersDidChange()
            engine.stateH.copy(from: h0)
            engine.stateC.copy(from: h0.map { $0 * 0.5 })
            var dropoutRandom = RandomGenerator(seed: 5)  // the same masks every time
            let r = engine.run(inputs: x, targets: y, backward: backward, random: &dropoutRandom)
            return r.loss / Double(r.count)
        }
        _ = loss(backward: true)
        let g = engine.gradients.array
        let dh0 = engine.initialStateGradientH.array
        let eps: Float = 1e-2
        for e in model.layout.entries {
            var dir = (0..<e.count).map { _ in rng.nextFloat() - 0.5 }
            let norm = dir.map { $0 * $0 }.reduce(0, +).squareRoot()
            dir = dir.map { $0 / norm }
            let analytic = zip(dir, g[e.offset..<(e.offset + e.count)]).map { Double($0 * $1) }.reduce(0, +)
            let p = model.parameters.pointer + e.offset
            let original = Array(UnsafeBufferPointer(start: p, count: e.count))
            for i in 0..<e.count { p[i] = original[i] + eps * dir[i] }
            let lp = loss(backward: false)
            for i in 0..<e.count { p[i] = original[i] - eps * dir[i] }
            let lm = loss(backward: false)
            for i in 0..<e.count { p[i] = original[i] }
            let numeric = (lp - lm) / (2 * Double(eps))
            let rel = abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-3)
            XCTAssertLessThan(
                rel, 1e-2, "\(arch) \(e.name): numeric \(numeric) analytic \(analytic)", file: file, line: line)
        }
        // The initial hidden state along a random direction.
        let dir = (0..<h0.count).map { _ in rng.nextFloat() - 0.5 }
        let analytic = zip(dir, dh0).map { Double($0 * $1) }.reduce(0, +)
        func lossAt(_ s: Float) -> Double {
            engine.parametersDidChange()
            engine.stateH.copy(from: zip(h0, dir).map { $0 + s * $1 })
            engine.stateC.copy(from: h0.map { $0 * 0.5 })
            var dropoutRandom = RandomGenerator(seed: 5)
            let r = engine.run(inputs: x, targets: y, backward: false, random: &dropoutRandom)
            return r.loss / Double(r.count)
        }
        let numeric = (lossAt(eps) - lossAt(-eps)) / (2 * Double(eps))
        XCTAssertLessThan(
            abs(numeric - analytic) / max(abs(numeric) + abs(analytic), 1e-3), 1e-2, "\(arch) initial h", file: file,
            line: line)
    }

    func testLSTMOneHot() { check(.lstm, embedding: 0, dropout: 0) }
    func testLSTMEmbeddingWithDropout() { check(.lstm, embedding: 6, dropout: 0.3) }
    func testGRUOneHot() { check(.gru, embedding: 0, dropout: 0) }
    func testGRUEmbeddingWithDropout() { check(.gru, embedding: 6, dropout: 0.3) }
    func testWeightDropLSTMAndGRU() {
        check(.lstm, embedding: 0, dropout: 0.2, layers: 3, weightDrop: 0.4)
        check(.gru, embedding: 0, dropout: 0.2, layers: 3, weightDrop: 0.4)
    }
    /// Weight drop really drops: the same batch and generator give a different loss with it on,
    /// and about p of the recurrent weight gradient is zero.
    func testWeightDropChangesTheForwardPass() {
        var rng = RandomGenerator(seed: 3)
        let config = ModelConfig(architecture: .lstm, vocabularySize: 7, hiddenSize: 32, layers: 1)
        let model = LanguageModel(config: config, random: &rng)
        let x = (0..<4 * 9).map { _ in Int32(rng.nextInt(below: 7)) }
        func run(_ p: Float) -> (Double, [Float]) {
            let engine = SequenceEngine(model: model, batch: 4, steps: 9, training: true, threads: 1)
            engine.weightDrop = p
            engine.parametersDidChange()
            var r = RandomGenerator(seed: 9)
            let out = engine.run(inputs: x, targets: x, backward: true, random: &r)
            let e = model.layout.entries.first { $0.name == "rnn.weight_hh_l0" }!
            return (out.loss, Array(engine.gradients.array[e.offset..<(e.offset + e.count)]))
        }
        let (plain, gPlain) = run(0), (dropped, gDropped) = run(0.5)
        XCTAssertNotEqual(plain, dropped)
        XCTAssertEqual(gPlain.filter { $0 == 0 }.count, 0)
        let zeroFraction = Double(gDropped.filter { $0 == 0 }.count) / Double(gDropped.count)
        XCTAssertEqual(zeroFraction, 0.5, accuracy: 0.05)
    }

    func testThreeLayerWideLSTMAndGRU() {
        check(.lstm, embedding: 0, dropout: 0, layers: 3, hidden: 33)
        check(.gru, embedding: 0, dropout: 0, layers: 3, hidden: 33)
    }
}
