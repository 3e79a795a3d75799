import XCTest
@testable import CharRNN

/// The numbers behind `charrnn view`: surprisals, predictions, activations, trackers, saturation.
final class ViewTests: XCTestCase {
    func model(_ arch: Architecture, text: String) throws -> (Checkpoint, [Int32], [Unicode.Scalar]) {
        let vocab = Vocabulary(kind: .unicode, symbols: Set(text.unicodeScalars.map(\.value)).sorted())
        var rng = RandomGenerator(seed: 3)
        let config = ModelConfig(architecture: arch, vocabularySize: vocab.count, hiddenSize: 12, layers: 2)
        let m = LanguageModel(config: config, random: &rng, initialization: .init(oneHotScale: 1))
        let ckpt = Checkpoint(config: config, vocabulary: vocab, parameters: m.parameters.array)
        let ids = text.unicodeScalars.map { Int32(vocab.symbols.firstIndex(of: $0.value)!) }
        return (ckpt, ids, Array(text.unicodeScalars))
    }

    let sample = String(
        repeating: "He said \"to be (or not) to be\",\n    and then:\n  \"That is THE question.\"\n", count: 12)

    /// A plain double-precision forward pass in PyTorch's equations, from the checkpoint's weights:
    /// per character, per layer, the gates (LSTM i, f, o; GRU r, z, n), h and (LSTM) c.
    func reference(_ ckpt: Checkpoint, _ ids: [Int32]) -> [[[String: [Double]]]] {
        let model = ckpt.makeModel(), cfg = ckpt.config, H = cfg.hiddenSize, G = cfg.gates
        func w(_ name: String) -> UnsafeMutablePointer<Float> { model.parameters.pointer + model.layout.offset(name) }
        var h = [[Double]](repeating: [Double](repeating: 0, count: H), count: cfg.layers), c = h
        var out: [[[String: [Double]]]] = []
        for id in ids {
            var x: [Double]? = nil, perLayer: [[String: [Double]]] = []
            for l in 0..<cfg.layers {
                let wih = w("rnn.weight_ih_l\(l)"), whh = w("rnn.weight_hh_l\(l)")
                let bih = w("rnn.bias_ih_l\(l)"), bhh = w("rnn.bias_hh_l\(l)")
                let inputs = l == 0 ? cfg.vocabularySize : H
                var gi = [Double](repeating: 0, count: G * H), gh = gi
                for r in 0..<(G * H) {
                    if let v = x {
                        for k in 0..<inputs { gi[r] += Double(wih[r * inputs + k]) * v[k] }
                    } else {
                        gi[r] = Double(wih[r * inputs + Int(id)])
                    }
                    gi[r] += Double(bih[r])
                    for k in 0..<H { gh[r] += Double(whh[r * H + k]) * h[l][k] }
                    gh[r] += Double(bhh[r])
                }
                func sig(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
                var rec: [String: [Double]] = [:]
                if cfg.architecture == .lstm {
                    let i = (0..<H).map { sig(gi[$0] + gh[$0]) }, f = (0..<H).map { sig(gi[H + $0] + gh[H + $0]) }
                    let g = (0..<H).map { tanh(gi[2 * H + $0] + gh[2 * H + $0]) }
                    let o = (0..<H).map { sig(gi[3 * H + $0] + gh[3 * H + $0]) }
                    c[l] = (0..<H).map { f[$0] * c[l][$0] + i[$0] * g[$0] }
                    h[l] = (0..<H).map { o[$0] * tanh(c[l][$0]) }
                    rec = ["i": i, "f": f, "o": o, "c": c[l], "h": h[l]]
                } else {
                    let r = (0..<H).map { sig(gi[$0] + gh[$0]) }, z = (0..<H).map { sig(gi[H + $0] + gh[H + $0]) }
                    let n = (0..<H).map { tanh(gi[2 * H + $0] + r[$0] * gh[2 * H + $0]) }
                    h[l] = (0..<H).map { (1 - z[$0]) * n[$0] + z[$0] * h[l][$0] }
                    rec = ["r": r, "z": z, "n": n, "h": h[l]]
                }
                perLayer.append(rec)
                x = h[l]
            }
            out.append(perLayer)
        }
        return out
    }

    func testActivationsSurprisalsPredictionsTrackersAndSaturationAreTheForwardPasss() throws {
        for arch in Architecture.allCases {
            let (ckpt, ids, text) = try model(arch, text: sample)
            let n = ids.count
            XCTAssertLessThan(n, 2000, "one stream from the start: the reference needs no burn-in")
            let trace = ModelTrace(checkpoint: ckpt, ids: ids, text: text, window: n)
            let ref = reference(ckpt, ids)
            let kinds = ModelTrace.UnitKind.kinds(arch)
            var worst = 0.0
            for p in 0..<(n - 1) {
                for l in 0..<2 {
                    for (k, kind) in kinds.enumerated() {
                        for j in 0..<12 {
                            worst = max(
                                worst, abs(Double(trace.activations[l][k][j][p]) - ref[p][l][kind.rawValue]![j]))
                        }
                    }
                }
            }
            XCTAssertLessThan(worst, 2e-5, "\(arch): every unit, every character")
            XCTAssertTrue(trace.activations[0][0][0][n - 1].isNaN, "the last character is never read")

            // Surprisals add up to eval's total.
            let file = NSTemporaryDirectory() + "charrnn-view-\(UUID().uuidString).txt"
            try sample.write(toFile: file, atomically: true, encoding: .utf8)
            let path = file + ".ckpt"
            try ckpt.write(to: path)
            let eval = try Score.score(checkpoint: path, text: file).score
            let t = trace.total()
            XCTAssertEqual(t.scored, eval.charactersScored)
            XCTAssertEqual(t.nats / Double(t.scored), eval.natsPerCharacter, accuracy: 1e-9)

            // Predictions at character 1 are the softmax of the first logits, best first.
            let logits = try Score.logits(checkpoint: path, text: file)
            let V = ckpt.config.vocabularySize
            let m = logits[0..<V].max()!
            let z = logits[0..<V].map { Double(exp($0 - m)) }.reduce(0, +)
            let order = (0..<V).sorted { logits[$0] > logits[$1] }
            for k in 0..<ModelTrace.top {
                XCTAssertEqual(Int(trace.topIds[ModelTrace.top + k]), order[k])
                XCTAssertEqual(
                    Double(trace.topProbabilities[ModelTrace.top + k]), Double(exp(logits[order[k]] - m)) / z,
                    accuracy: 1e-5)
            }
            XCTAssertEqual(
                Double(trace.losses[1]), -log(Double(exp(logits[Int(ids[1])] - m)) / z), accuracy: 1e-4)

            // Saturation: a direct count over the characters read.
            for l in 0..<2 {
                for gate in ModelTrace.UnitKind.gates(arch) {
                    let k = kinds.firstIndex(of: gate)!
                    for j in 0..<12 {
                        let values = trace.activations[l][k][j].prefix(n - 1)
                        let left = Double(values.filter { $0 < 0.1 }.count) / Double(n - 1)
                        let right = Double(values.filter { $0 > 0.9 }.count) / Double(n - 1)
                        XCTAssertEqual(trace.saturation[l][gate]!.left[j], left, accuracy: 1e-12)
                        XCTAssertEqual(trace.saturation[l][gate]!.right[j], right, accuracy: 1e-12)
                    }
                }
            }

            // Trackers: the correlation stated is Pearson's r of the unit and the feature.
            let features = TextFeature.values(text)
            XCTAssertFalse(trace.trackers.isEmpty)
            XCTAssertEqual(
                Set(trace.trackers.map(\.feature)).count, TextFeature.allCases.count, "every feature varies here")
            for (t, values) in zip(trace.trackers, trace.trackerActivations) {
                let x = values.prefix(n - 1).map(Double.init), y = features[t.feature]!.prefix(n - 1).map(Double.init)
                let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
                var sxy = 0.0, sxx = 0.0, syy = 0.0
                for (a, b) in zip(x, y) {
                    sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my)
                }
                XCTAssertEqual(t.correlation, sxy / (sxx * syy).squareRoot(), accuracy: 1e-4, "\(t)")
            }
            XCTAssertEqual(
                trace.trackers.map { abs($0.correlation) }, trace.trackers.map { abs($0.correlation) }.sorted(by: >))
        }
    }

    func testFeaturesOfATextFollowQuotesLinesBracketsAndIndentation() {
        let text = Array("a \"b\" (c [d])\n  e\n".unicodeScalars)
        let f = TextFeature.values(text)
        XCTAssertEqual(f[.insideQuotes]!, [0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(f[.bracketDepth]!, [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 1, 0, 0, 0, 0, 0, 0])
        XCTAssertEqual(f[.positionInLine]![13], 0, "the newline starts a new line")
        XCTAssertEqual(f[.indentation]![15], 2)
        XCTAssertEqual(f[.uppercase]!.reduce(0, +), 0)
    }

    func testAPageIsSelfContainedAndScoresTwoVocabulariesOnTheCharactersBothKnow() throws {
        let (a, ida, text) = try model(.lstm, text: sample)
        let (b, idb, _) = try model(.gru, text: sample.replacingOccurrences(of: "\"", with: "'"))
        _ = idb
        let page = ViewPage(
            text: text,
            models: [
                .init(name: "a.ckpt", trace: ModelTrace(checkpoint: a, ids: ida, text: text, window: 100)),
                .init(
                    name: "b.ckpt",
                    trace: ModelTrace(
                        checkpoint: b, ids: text.map { s in Int32(b.vocabulary.symbols.firstIndex(of: s.value) ?? -1) },
                        text: text, window: 100)),
            ], totalCharacters: text.count + 50)
        let common = page.common
        XCTAssertLessThan(common.filter { $0 }.count, text.count - 1, "quotes are scored by one model only")
        XCTAssertFalse(common[0], "nothing predicts the first character")
        let html = page.html
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
        for banned in ["<script src", "<link", "@import", "url(http", "fetch("] {
            XCTAssertFalse(html.contains(banned), banned)
        }
        XCTAssertFalse(html.contains("</script>\n</script>"))
        let t = page.totals
        let keep = common
        for (m, total) in zip(page.models, t) {
            var s = 0.0, k = 0
            for i in 0..<text.count where keep[i] { s += Double(m.trace.losses[i]); k += 1 }
            XCTAssertEqual(total.nats, s / Double(k), accuracy: 1e-12)
            XCTAssertEqual(total.scored, k)
        }
    }

    func testThePageCarriesEveryPredictedIdWholeAndNoneAsMinusOne() throws {
        let (a, ida, text) = try model(.lstm, text: sample)
        let trace = ModelTrace(checkpoint: a, ids: ida, text: text, window: 100)
        let page = ViewPage(text: text, models: [.init(name: "a.ckpt", trace: trace)], totalCharacters: text.count)
        let json = try JSONSerialization.jsonObject(with: Data(page.data().utf8)) as! [String: Any]
        let model = (json["models"] as! [[String: Any]])[0]
        let bytes = try XCTUnwrap(Data(base64Encoded: model["topIds"] as! String))
        let ids = bytes.withUnsafeBytes { raw in
            (0..<bytes.count / 4).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) }
        }
        XCTAssert(ids == trace.topIds, "4-byte ids: a vocabulary of 65,536 symbols keeps its last id")
        XCTAssertEqual(Array(ids.prefix(ModelTrace.top)), [Int32](repeating: -1, count: ModelTrace.top))
    }
}
