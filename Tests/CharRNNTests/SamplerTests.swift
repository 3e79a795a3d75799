import XCTest
@testable import CharRNN

final class SamplerTests: XCTestCase {
    func model(_ arch: Architecture, embedding: Int = 0, hidden: Int = 20, seed: UInt64 = 11) -> LanguageModel {
        var rng = RandomGenerator(seed: seed)
        let m = LanguageModel(
            config: ModelConfig(
                architecture: arch, vocabularySize: 13, hiddenSize: hidden, layers: 2, embeddingSize: embedding),
            random: &rng)
        for i in 0..<m.parameters.count { m.parameters[i] *= 4 }  // peakier distributions
        return m
    }

    func generate(
        _ s: Sampler, first: Int, count: Int, temperature: Float, topK: Int = 0, topP: Float = 1, seed: UInt64
    ) -> [Int] {
        var rng = RandomGenerator(seed: seed)
        s.reset()
        var out = [first]
        s.step(first)
        for _ in 0..<count {
            let t = s.draw(temperature: temperature, topK: topK, topP: topP, random: &rng)
            out.append(t)
            s.step(t)
        }
        return out
    }

    func testSameSeedSameSample() {
        let s = Sampler(model: model(.lstm))
        let a = generate(s, first: 0, count: 300, temperature: 1, seed: 5)
        XCTAssertEqual(a, generate(s, first: 0, count: 300, temperature: 1, seed: 5))
        XCTAssertNotEqual(a, generate(s, first: 0, count: 300, temperature: 1, seed: 6))
        XCTAssertEqual(
            generate(s, first: 0, count: 100, temperature: 0.7, topK: 3, topP: 0.9, seed: 8),
            generate(s, first: 0, count: 100, temperature: 0.7, topK: 3, topP: 0.9, seed: 8))
    }

    /// Temperature 0 follows the argmax of the batch engine's logits at every step, and the
    /// single-stream sampler's logits agree with the batched forward pass.
    func testTemperatureZeroIsTheArgmaxPath() {
        // Hidden 80 runs each step on two cores (units split 48 + 32); 20 runs on one.
        for (arch, emb, hidden) in [
            (Architecture.lstm, 0, 20), (.gru, 0, 20), (.lstm, 5, 20), (.gru, 5, 20), (.lstm, 0, 80), (.gru, 7, 80),
        ] {
            let m = model(arch, embedding: emb, hidden: hidden)
            let s = Sampler(model: m, threads: 2)
            let n = 40
            let greedy = generate(s, first: 3, count: n, temperature: 0, seed: 1)
            XCTAssertEqual(
                greedy, generate(s, first: 3, count: n, temperature: 0, seed: 99),
                "seed does not matter at temperature 0")
            let engine = SequenceEngine(model: m, batch: 1, steps: n, training: false)
            engine.parametersDidChange()
            let x = greedy.prefix(n).map(Int32.init), y = [Int32](repeating: 0, count: n)
            var logits = [Float](repeating: 0, count: n * 13)
            var rng = RandomGenerator(seed: 0)
            engine.run(inputs: x, targets: y, backward: false, random: &rng, logits: &logits)
            s.reset()
            for t in 0..<n {
                let row = Array(logits[(t * 13)..<((t + 1) * 13)])
                XCTAssertEqual(row.indices.max { row[$0] < row[$1] }, greedy[t + 1], "\(arch) H\(hidden) step \(t)")
                s.step(greedy[t])
                for j in 0..<13 { XCTAssertEqual(s.logits[j], row[j], accuracy: 1e-4 * max(1, abs(row[j]))) }
            }
            // top-k 1 and a tiny top-p are greedy too.
            XCTAssertEqual(generate(s, first: 3, count: n, temperature: 1, topK: 1, seed: 4), greedy)
            XCTAssertEqual(generate(s, first: 3, count: n, temperature: 1, topP: 1e-6, seed: 4), greedy)
        }
    }

    func testTwoCoresGiveBitIdenticalLogitsToOne() {
        for arch in Architecture.allCases {
            let m = model(arch, hidden: 96)
            let one = Sampler(model: m, threads: 1), two = Sampler(model: m, threads: 2)
            for t in [1, 5, 2, 12, 0, 7] {
                one.step(t); two.step(t)
                XCTAssertEqual(one.logits.array, two.logits.array, "\(arch)")
            }
        }
    }

    /// bf16 weights: the numbers of Float weights rounded to bf16 first (up to the order of the sums),
    /// on every path (one-hot and embedded input, one and two cores); close to the Float model.
    func testBFloat16WeightsComputeWhatRoundedWeightsDo() {
        for arch in Architecture.allCases {
            for embedding in [0, 24] {
                let m = model(arch, embedding: embedding, hidden: 83)
                let rounded = m.roundedToBFloat16()
                for threads in [1, 2] {
                    let half = Sampler(model: m, threads: threads, precision: .bf16)
                    let reference = Sampler(model: rounded, threads: threads)
                    let full = Sampler(model: m, threads: threads)
                    for t in [1, 5, 2, 12, 0, 7, 3] {
                        half.step(t); reference.step(t); full.step(t)
                        let same = zip(half.logits.array, reference.logits.array).map { abs($0 - $1) }.max()!
                        XCTAssertLessThan(same, 1e-4, "\(arch) embedding \(embedding): the rounded weights' numbers")
                        let gap = zip(half.logits.array, full.logits.array).map { abs($0 - $1) }.max()!
                        let scale = full.logits.array.map(abs).max()!
                        XCTAssertLessThan(gap, 0.05 * scale, "bf16 keeps about 3 significant digits")
                    }
                }
            }
        }
    }

    func testBFloat16RoundsToNearestEven() {
        XCTAssertEqual(BFloat16.bits(1), 0x3F80)
        XCTAssertEqual(BFloat16.bits(Float(bitPattern: 0x3F80_8000)), 0x3F80, "a tie rounds to the even 0x3F80")
        XCTAssertEqual(BFloat16.bits(Float(bitPattern: 0x3F81_8000)), 0x3F82, "a tie rounds to the even 0x3F82")
        XCTAssertEqual(BFloat16.bits(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(BFloat16.bits(.infinity), 0x7F80)
        XCTAssertEqual(BFloat16.bits(-.infinity), 0xFF80)
        XCTAssertTrue(BFloat16.float(BFloat16.bits(.nan)).isNaN)
        var rng = RandomGenerator(seed: 4)
        for _ in 0..<10_000 {
            let x = (rng.nextFloat() - 0.5) * 1000
            XCTAssertLessThanOrEqual(abs(BFloat16.rounded(x) - x), abs(x) * 0x1p-8)
        }
    }

    func testTopKNeverDrawsOutsideTheKMostLikely() {
        let s = Sampler(model: model(.gru))
        s.reset(); s.step(2)
        let lg = (0..<13).map { s.logits[$0] }
        let top3 = Set(lg.indices.sorted { lg[$0] > lg[$1] }.prefix(3))
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<500 { XCTAssertTrue(top3.contains(s.draw(temperature: 2, topK: 3, topP: 1, random: &rng))) }
    }
}

final class GeneratorTests: XCTestCase {
    func model(_ arch: Architecture, hidden: Int = 24) -> LanguageModel {
        var rng = RandomGenerator(seed: 3)
        let m = LanguageModel(
            config: ModelConfig(
                architecture: arch, vocabularySize: 11, hiddenSize: hidden, layers: 2,
                embeddingSize: 0), random: &rng)
        for i in 0..<m.parameters.count { m.parameters[i] *= 4 }
        return m
    }

    /// N streams in one batched pass give what N single-stream runs give, stream i with seed S+i:
    /// exactly at temperature 0, and (the logits agreeing to float rounding) the same draws at 1.
    func testBatchedStreamsMatchSingleStreams() {
        for arch in [Architecture.lstm, .gru] {
            let m = model(arch)
            for temperature: Float in [0, 1] {
                let batched = Generator(model: m, streams: 4, threads: 2)
                    .generate(prime: [2, 5], length: 40, seed: 100, options: .init(temperature: temperature))
                for i in 0..<4 {
                    let single = Generator(model: m, streams: 1, threads: 1)
                        .generate(
                            prime: [2, 5], length: 40, seed: 100 + UInt64(i), options: .init(temperature: temperature))
                    XCTAssertEqual(batched[i].seed, 100 + UInt64(i))
                    XCTAssertEqual(
                        batched[i].tokens, single[0].tokens, "\(arch) stream \(i) at temperature \(temperature)")
                    XCTAssertEqual(batched[i].meanSurprisal, single[0].meanSurprisal, accuracy: 1e-4)
                }
                if temperature > 0 { XCTAssertNotEqual(batched[0].tokens, batched[1].tokens, "streams differ") }
            }
        }
    }

    /// The surprisal reported is −log p of each drawn token under the model, averaged.
    func testMeanSurprisalIsTheModelsLogLoss() {
        let m = model(.lstm)
        let sample = Generator(model: m).generate(prime: [1], length: 30, seed: 7, options: .init(temperature: 1))[0]
        let s = Sampler(model: m, threads: 1)
        s.reset()
        var total = 0.0
        var token = 1
        for next in sample.tokens {
            s.step(token)
            let lg = s.logits.array
            let mx = lg.max()!
            let logZ = log(lg.reduce(0.0) { $0 + exp(Double($1 - mx)) }) + Double(mx)
            total += logZ - Double(lg[next])
            token = next
        }
        XCTAssertEqual(sample.meanSurprisal, total / Double(sample.tokens.count), accuracy: 1e-6)
    }

    func testAnUnprimedSampleStartsAfterANewline() {
        XCTAssertEqual(Generator.startToken(Vocabulary(kind: .unicode, symbols: [10, 65, 66])), 0)
        XCTAssertEqual(Generator.startToken(Vocabulary(kind: .unicode, symbols: [65, 66])), -1)
    }

    func testEmitCanStopEarly() {
        var seen = 0
        let s = Generator(model: model(.gru), streams: 3).generate(prime: [0], length: 50, seed: 1, options: .init()) {
            _, _ in
            seen += 1
            return seen < 10
        }
        XCTAssertEqual(seen, 10)
        XCTAssertEqual(s.map(\.tokens.count), [4, 3, 3])
    }
}
