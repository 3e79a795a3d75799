import XCTest
@testable import CharRNN

/// Seeded mutation fuzzing of the loaders: the checkpoint reader (gzip layer, safetensors header,
/// metadata, shapes) and the corpus reader face mutated, truncated and forged inputs; every case
/// must end in a clear error or a valid result — no crash, no hang, no huge allocation.
/// `CHARRNN_FUZZ_CASES` sets the number of cases per target (default 400; the long run uses 10000).
final class FuzzTests: XCTestCase {
    static var cases: Int { Int(ProcessInfo.processInfo.environment["CHARRNN_FUZZ_CASES"] ?? "") ?? 400 }

    func seedCheckpoint() -> [UInt8] {
        var rng = RandomGenerator(seed: 1)
        let config = ModelConfig(architecture: .lstm, vocabularySize: 6, hiddenSize: 5, layers: 2, embeddingSize: 3)
        let m = LanguageModel(config: config, random: &rng)
        var progress = TrainingProgress(); progress.random = rng.hexState
        return Checkpoint(
            config: config, vocabulary: Vocabulary(kind: .unicode, symbols: [10, 32, 97, 98, 99, 0x4E2D]),
            parameters: m.parameters.array,
            optimizer: .init(step: 3, m: m.parameters.array, v: m.parameters.array),
            training: TrainingRecord(settings: TrainingSettings(trainFile: "t.txt"), progress: progress, runName: "f")
        ).serialized()
    }

    /// One random mutation: flip, overwrite, insert, delete, truncate, or splice a big number.
    func mutate(_ input: [UInt8], _ rng: inout RandomGenerator) -> [UInt8] {
        var b = input
        let rounds = 1 + rng.nextInt(below: 4)
        for _ in 0..<rounds {
            if b.isEmpty { b = [UInt8(rng.nextInt(below: 256))]; continue }
            let i = rng.nextInt(below: b.count)
            switch rng.nextInt(below: 7) {
            case 0: b[i] ^= UInt8(1 << rng.nextInt(below: 8))
            case 1: b[i] = UInt8(rng.nextInt(below: 256))
            case 2: b.insert(UInt8(rng.nextInt(below: 256)), at: i)
            case 3: b.remove(at: i)
            case 4: b = Array(b.prefix(i))
            case 5: for j in i..<min(b.count, i + 8) { b[j] = 0xFF }
            default:
                let digits = Array(String(rng.next() >> UInt64(rng.nextInt(below: 64))).utf8)
                b.replaceSubrange(i..<min(b.count, i + digits.count), with: digits)
            }
        }
        return b
    }

    func testCheckpointReaderSurvivesMutatedTruncatedAndForgedFiles() throws {
        let good = seedCheckpoint()
        let payload = try Gzip.decompress(good)
        let headerLength = Int(payload[0]) | Int(payload[1]) << 8
        var rng = RandomGenerator(seed: 99)
        var errors = 0, loaded = 0
        for n in 0..<Self.cases {
            let candidate: [UInt8]
            switch n % 3 {
            case 0:
                candidate = mutate(good, &rng)  // the gzip layer
            case 1:
                // The safetensors header (JSON: names, dtypes, shapes, offsets, metadata) re-wrapped in valid gzip.
                var p = payload
                let i = 8 + rng.nextInt(below: headerLength)
                let mutatedHeader = mutate(Array(p[i..<min(p.count, i + 64)]), &rng)
                p.replaceSubrange(i..<min(p.count, i + 64), with: mutatedHeader)
                candidate = Gzip.compress(p)
            default:
                candidate = Gzip.compress(mutate(payload, &rng))  // anywhere in the payload
            }
            do {
                let c = try Checkpoint.decode(candidate, path: "fuzz.ckpt")
                XCTAssertEqual(c.parameters.count, ParameterLayout(c.config).totalCount)
                loaded += 1
            } catch let e as CheckpointError {
                XCTAssertFalse(e.description.contains("\n"))
                errors += 1
            }
        }
        XCTAssertEqual(errors + loaded, Self.cases)
        XCTAssertGreaterThan(errors, Self.cases / 2)
    }

    func testForgedSizesAreRefusedWithoutAllocating() throws {
        let payload = try Gzip.decompress(seedCheckpoint())
        // A header length of 2^60 and a config promising 10^12 parameters.
        var forged = payload
        for i in 0..<8 { forged[i] = i == 7 ? 0x10 : 0 }
        XCTAssertThrowsError(try Checkpoint.decode(Gzip.compress(forged), path: "f"))
        var (tensors, meta) = try Safetensors.parse(payload)
        meta["config"] =
            #"{"architecture":"lstm","vocabularySize":2000000,"hiddenSize":65536,"layers":64,"#
                + #""embeddingSize":0,"dropout":0}"#
        meta["vocabulary"] = #"{"kind":"unicode","symbols":[1,2]}"#
        tensors["out.bias"]!.shape = [1 << 40]
        let bytes = Gzip.compress(Safetensors.serialize(tensors: tensors.map { ($0.key, $0.value) }, metadata: meta))
        XCTAssertThrowsError(try Checkpoint.decode(bytes, path: "f")) { XCTAssertTrue("\($0)".contains("f: ")) }
        // A gzip bomb: 64 MB of zeros compresses to ~64 KB; inflating stops at the limit.
        let zeros = [UInt8](repeating: 0, count: 1 << 26)
        let bomb = Gzip.compress(zeros, level: 9)
        XCTAssertThrowsError(try Gzip.decompress(bomb, limit: 1 << 20)) {
            XCTAssertEqual($0 as? Gzip.Failure, .tooLarge)
        }
    }

    func testCorpusReaderSurvivesMutatedText() throws {
        let text = Array("Fuzz the reader: ÀÉÎ — 日本 👩🏽‍🚀\r\nline two\n".utf8)
        var rng = RandomGenerator(seed: 5)
        let path = NSTemporaryDirectory() + "charrnn-fuzz-\(UUID().uuidString).txt"
        var invalid = 0
        for _ in 0..<Self.cases {
            let bytes = mutate(text, &rng)
            _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
            do {
                let symbols = try TextDecoding.readFile(path, kind: .unicode)
                // Whatever decodes must agree with Foundation's strict decoder.
                let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
                XCTAssertEqual(String(bytes: bytes[start...], encoding: .utf8)?.unicodeScalars.map(\.value), symbols)
            } catch let e as TextError {
                if case .invalidUTF8(_, let offset) = e {
                    XCTAssertLessThan(offset, bytes.count)
                    XCTAssertNil(String(bytes: bytes, encoding: .utf8), "only invalid text is refused")
                    invalid += 1
                } else if case .empty = e {
                    XCTAssertTrue(bytes.isEmpty)
                } else {
                    XCTFail("\(e)")
                }
            }
            if !bytes.isEmpty {
                XCTAssertEqual(
                    try TextDecoding.readFile(path, kind: .bytes).count, bytes.count, "--bytes reads anything")
            }
        }
        XCTAssertGreaterThan(invalid, 0)
    }
}
