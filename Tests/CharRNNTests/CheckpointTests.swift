import XCTest
@testable import CharRNN

final class CheckpointTests: XCTestCase {
    func sampleCheckpoint(_ arch: Architecture = .lstm, embedding: Int = 0) -> Checkpoint {
        var rng = RandomGenerator(seed: 3)
        let config = ModelConfig(
            architecture: arch, vocabularySize: 5, hiddenSize: 7, layers: 2, embeddingSize: embedding, dropout: 0.1)
        let model = LanguageModel(config: config, random: &rng)
        let n = model.parameterCount
        var progress = TrainingProgress()
        progress.step = 12; progress.random = rng.hexState; progress.bestValidationLoss = 1.25;
        progress.lastValidationLoss = 1.5
        var settings = TrainingSettings(trainFile: "corpus.txt")
        settings.timeSeconds = 90
        return Checkpoint(
            config: config, vocabulary: Vocabulary(kind: .unicode, symbols: [10, 65, 0xE9, 0x65E5, 0x1F600]),
            parameters: model.parameters.array,
            optimizer: .init(step: 12, m: (0..<n).map { Float($0) * 1e-3 }, v: (0..<n).map { Float($0) * 1e-6 }),
            carriedState: .init(
                batch: 3, h: (0..<42).map { Float($0) / 42 }, c: arch == .lstm ? (0..<42).map { -Float($0) / 42 } : []),
            training: TrainingRecord(settings: settings, progress: progress, runName: "unit"),
            metrics: [
                MetricRecord(
                    step: 10, epoch: 0.5, characters: 640, seconds: 1.5, trainLoss: 2, validationLoss: 1.9,
                    learningRate: 1e-3, charactersPerSecond: 400)
            ])
    }

    func path(_ name: String) -> String { NSTemporaryDirectory() + "charrnn-ckpt-\(UUID().uuidString)-\(name)" }

    func testRoundTripIsBitExact() throws {
        for (arch, emb) in [(Architecture.lstm, 0), (.gru, 4)] {
            var c = sampleCheckpoint(arch, embedding: emb)
            // A run that averages its weights also stores the raw weights with the optimizer.
            if arch == .gru { c.optimizer!.weights = c.parameters.map { $0 * 0.5 + 0.25 } }
            let p = path("rt.ckpt")
            try c.write(to: p)
            let d = try Checkpoint.load(p)
            XCTAssertEqual(d.config, c.config)
            XCTAssertEqual(d.vocabulary, c.vocabulary)
            XCTAssertEqual(d.parameters.map(\.bitPattern), c.parameters.map(\.bitPattern))
            XCTAssertEqual(d.optimizer, c.optimizer)
            XCTAssertEqual(d.carriedState, c.carriedState)
            XCTAssertEqual(d.training, c.training)
            XCTAssertEqual(d.metrics, c.metrics)
            XCTAssertEqual(d.serialized(), c.serialized(), "re-serialising gives the same bytes")
            // The file is a standard gzip stream around standard safetensors.
            let raw = try Gzip.decompress([UInt8](FileManager.default.contents(atPath: p)!))
            let st = try Safetensors.parse(raw)
            XCTAssertEqual(st.metadata["format"], "charrnn")
            XCTAssertEqual(st.tensors["rnn.weight_hh_l1"]?.shape, [arch.gateCount * 7, 7])
            XCTAssertNotNil(st.tensors["optimizer.exp_avg_sq.out.bias"])
            XCTAssertEqual(st.tensors["optimizer.weights.rnn.weight_hh_l1"] != nil, arch == .gru)
        }
    }

    func testHalfPrecisionStorageLoads() throws {
        var c = sampleCheckpoint()
        for dtype in [Safetensors.DType.f16, .bf16] {
            c.dtype = dtype
            let d = try Checkpoint.decode(c.serialized(), path: "x")
            XCTAssertEqual(d.dtype, dtype)
            for (a, b) in zip(d.parameters, c.parameters) { XCTAssertEqual(a, b, accuracy: abs(b) * 1e-2 + 1e-3) }
        }
    }

    func assertError(
        _ bytes: [UInt8], _ check: (CheckpointError) -> Bool, _ what: String, file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try Checkpoint.decode(bytes, path: "bad.ckpt"), what, file: file, line: line) { e in
            guard let ce = e as? CheckpointError else { return XCTFail("\(what): \(e)", file: file, line: line) }
            XCTAssertTrue(check(ce), "\(what): got \(ce)", file: file, line: line)
            XCTAssertTrue(ce.description.hasPrefix("bad.ckpt: "), file: file, line: line)
            XCTAssertFalse(ce.description.contains("\n"), file: file, line: line)
        }
    }

    func rewrap(
        _ c: Checkpoint, _ edit: (inout [String: Safetensors.Tensor], inout [String: String]) -> Void
    ) -> [UInt8] {
        var (tensors, meta) = try! Safetensors.parse(try! Gzip.decompress(c.serialized()))
        edit(&tensors, &meta)
        return Gzip.compress(
            Safetensors.serialize(
                tensors: tensors.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, metadata: meta))
    }

    func testEachKindOfDamageGivesItsOwnError() throws {
        let c = sampleCheckpoint()
        let good = c.serialized()
        XCTAssertThrowsError(try Checkpoint.load("/nonexistent/best.ckpt")) {
            XCTAssertEqual($0 as? FileError, .missing(path: "/nonexistent/best.ckpt"))
        }
        XCTAssertThrowsError(try Checkpoint.load(NSTemporaryDirectory())) {
            XCTAssertEqual($0 as? FileError, .isDirectory(path: NSTemporaryDirectory(), expected: "checkpoint file"))
        }
        assertError(
            [],
            {
                if case .truncated = $0 { return true }; return false
            }, "empty")
        assertError(Array("hello, not gzip".utf8), { $0 == .notGzip(path: "bad.ckpt") }, "plain text")
        assertError(
            Array(good.prefix(good.count / 2)),
            {
                if case .truncated = $0 { return true }; return false
            }, "truncated")
        var flipped = good
        flipped[good.count - 6] ^= 0xFF  // inside the CRC32 trailer
        assertError(
            flipped,
            {
                if case .corrupt = $0 { return true }; return false
            }, "corrupt CRC")
        assertError(
            Gzip.compress(Array("just some text in a gzip".utf8)),
            {
                if case .notCharRNN = $0 { return true }; return false
            }, "gzip but not safetensors")
        assertError(
            rewrap(c) { _, m in m["format"] = nil },
            {
                if case .notCharRNN = $0 { return true }; return false
            }, "safetensors but not charrnn")
        assertError(
            rewrap(c) { _, m in m["format_version"] = "2" },
            { $0 == .newerVersion(path: "bad.ckpt", found: 2, supported: 1) }, "newer version")
        assertError(
            rewrap(c) { t, _ in t["rnn.weight_hh_l0"]!.shape = [7, 28] },
            {
                if case .inconsistent(_, let d) = $0 { return d.contains("rnn.weight_hh_l0") }; return false
            }, "wrong shape")
        assertError(
            rewrap(c) { t, _ in t["out.bias"] = nil },
            {
                if case .inconsistent(_, let d) = $0 { return d.contains("out.bias is missing") }; return false
            }, "missing tensor")
        assertError(
            rewrap(c) { _, m in m["vocabulary"] = "{\"kind\":\"unicode\",\"symbols\":[1,2]}" },
            {
                if case .inconsistent(_, let d) = $0 { return d.contains("vocabulary") }; return false
            }, "vocabulary size")
        assertError(
            rewrap(c) { _, m in m["config"] = "{" },
            {
                if case .inconsistent(_, let d) = $0 { return d.contains("config") }; return false
            }, "bad config JSON")
        // A forged header length must not allocate or crash.
        var st = try Gzip.decompress(good)
        for i in 0..<8 { st[i] = 0xFF }
        assertError(
            Gzip.compress(st),
            {
                if case .notCharRNN(_, let d) = $0 { return d.contains("header length") }; return false
            }, "forged header length")
    }

    /// zlib counts bytes in 32 bits, so a buffer of more than 4 GB goes through it in pieces. With
    /// pieces of a few bytes, compressing gives the same stream as in one piece, decompressing
    /// gives the input back, and a cut stream is still found truncated.
    func testGzipInPiecesIsTheSameAsInOne() throws {
        var rng = RandomGenerator(seed: 4)
        let input = (0..<50_000).map { i in UInt8(i % 7 == 0 ? rng.nextInt(below: 256) : i % 13) }
        let whole = Gzip.compress(input, level: 1)
        let saved = Gzip.piece
        defer { Gzip.piece = saved }
        Gzip.piece = 7
        let pieced = Gzip.compress(input, level: 1)
        XCTAssertEqual(pieced, whole)
        XCTAssertEqual(try Gzip.decompress(whole), input)
        XCTAssertEqual(try Gzip.decompress(Gzip.compress([])), [])
        XCTAssertThrowsError(try Gzip.decompress(Array(whole.dropLast(9)))) {
            XCTAssertEqual($0 as? Gzip.Failure, .truncated)
        }
        Gzip.piece = saved
        XCTAssertEqual(try Gzip.decompress(pieced), input)
    }

    func testAtomicWriteNeverReplacesAGoodFileWithAFailedOne() throws {
        let dir = path("dir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let p = dir + "/best.ckpt"
        try sampleCheckpoint().write(to: p)
        let before = FileManager.default.contents(atPath: p)
        XCTAssertThrowsError(try sampleCheckpoint().write(to: dir + "/missing-folder/best.ckpt"))
        XCTAssertEqual(FileManager.default.contents(atPath: p), before)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: dir), ["best.ckpt"], "no temporary files left behind")
    }
}

final class HalfTests: XCTestCase {
    #if !(os(macOS) && arch(x86_64))
        /// The hand-written conversions agree with Swift's Float16 bit for bit.
        func testHalfConversionsMatchFloat16() {
            for h in 0...UInt16.max {
                let expected = Float(Float16(bitPattern: h)), got = Half.float(h)
                if expected.isNaN { XCTAssertTrue(got.isNaN); continue }
                XCTAssertEqual(got.bitPattern, expected.bitPattern, "half \(h)")
            }
            var rng = RandomGenerator(seed: 4)
            var samples: [Float] = [
                0, -0, 1, -1, 65504, 65519.99, 65520, 1e-8, 2.98e-8, 2.99e-8, 6.1e-5, .infinity,
                -.infinity, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
            ]
            for _ in 0..<200_000 {
                samples.append(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())))
            }
            for _ in 0..<200_000 {
                // Values in half's range, where the rounding matters.
                samples.append(Float(rng.nextDouble() * 2 - 1) * Float(1 << Int(rng.nextInt(below: 32))) / 32768)
            }
            for x in samples {
                let expected = Float16(x).bitPattern, got = Half.bits(x)
                if x.isNaN { XCTAssertEqual(got & 0x7C00, 0x7C00); XCTAssertNotEqual(got & 0x3FF, 0); continue }
                XCTAssertEqual(got, expected, "float \(x) (\(x.bitPattern))")
            }
        }
    #endif
}

/// Files that are valid gzip and safetensors but cannot be a model are "corrupt checkpoint (…)",
/// naming what is wrong.
extension CheckpointTests {
    func corrupt(_ bytes: [UInt8], mentioning text: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try Checkpoint.decode(bytes, path: "bad.ckpt"), text, file: file, line: line) { e in
            guard case .corrupt(_, let detail)? = e as? CheckpointError else {
                return XCTFail("\(text): got \(e)", file: file, line: line)
            }
            XCTAssertTrue(detail.contains(text), "\(detail) lacks \(text)", file: file, line: line)
        }
    }

    /// The checkpoint's safetensors bytes with its header JSON edited (offsets and all).
    func forgeHeader(_ c: Checkpoint, _ edit: (inout [String: Any]) -> Void, appending extra: [UInt8] = []) -> [UInt8] {
        let raw = try! Gzip.decompress(c.serialized())
        var n = 0
        for i in 0..<8 { n |= Int(raw[i]) << (8 * i) }
        var header = try! JSONSerialization.jsonObject(with: Data(raw[8..<(8 + n)])) as! [String: Any]
        edit(&header)
        let h = Array(try! JSONSerialization.data(withJSONObject: header))
        let length = (0..<8).map { UInt8(truncatingIfNeeded: h.count >> (8 * $0)) }
        return Gzip.compress(length + h + Array(raw[(8 + n)...]) + extra)
    }

    func tensor(_ values: [Float], shape: [Int]) -> Safetensors.Tensor {
        values.withUnsafeBufferPointer { Safetensors.Tensor(f32: $0, shape: shape) }
    }

    func testNonFiniteValuesAreRefusedNamingTensorAndIndex() {
        let c = sampleCheckpoint()
        corrupt(
            rewrap(c) { t, _ in t["out.bias"] = self.tensor([Float](repeating: .infinity, count: 5), shape: [5]) },
            mentioning: "tensor out.bias holds inf at index 0")
        corrupt(
            rewrap(c) { t, _ in
                var w = t["rnn.weight_hh_l1"]!.floats()
                w[17] = .nan
                t["rnn.weight_hh_l1"] = self.tensor(w, shape: [28, 7])
            }, mentioning: "tensor rnn.weight_hh_l1 holds nan at index 17")
    }

    func testRangesMustTileTheDataExactly() {
        let c = sampleCheckpoint()
        corrupt(forgeHeader(c, { _ in }, appending: [0, 0, 0, 0]), mentioning: "4 bytes after the last tensor")
        corrupt(
            forgeHeader(c) { h in
                let a = h["rnn.bias_ih_l0"] as! [String: Any]
                var b = h["rnn.bias_hh_l0"] as! [String: Any]
                b["data_offsets"] = a["data_offsets"]
                h["rnn.bias_hh_l0"] = b
            }, mentioning: "overlaps")
    }

    func testVersionsCountersAndDuplicateKeys() throws {
        let c = sampleCheckpoint()
        for v in ["0", "-1"] {
            corrupt(rewrap(c) { _, m in m["format_version"] = v }, mentioning: "format_version \(v)")
        }
        corrupt(
            rewrap(c) { _, m in m["config"] = "{\"layers\":2," + m["config"]!.dropFirst() },
            mentioning: "metadata config names layers twice")
        corrupt(
            rewrap(c) { _, m in
                m["training"] = m["training"]!.replacing(/"step":\d+/, with: "\"step\":-5")
            }, mentioning: "training.progress.step is negative")
        // The untouched checkpoint still loads.
        XCTAssertNoThrow(try Checkpoint.decode(c.serialized(), path: "good.ckpt"))
    }
}
