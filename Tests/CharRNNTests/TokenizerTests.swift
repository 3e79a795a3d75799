import XCTest
@testable import CharRNN

final class TokenizerTests: XCTestCase {
    func tempFile(_ bytes: [UInt8]) -> String {
        let path = NSTemporaryDirectory() + "charrnn-tok-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    func testRoundTripAccentsCJKEmojiCRLFAndByteOrderMark() throws {
        let text = "Café naïve — 日本語の文字\r\nemoji 👩🏽‍🚀 and 🎉\r\nend\n"
        let path = tempFile([0xEF, 0xBB, 0xBF] + Array(text.utf8))
        let symbols = try TextDecoding.readFile(path, kind: .unicode)
        XCTAssertEqual(symbols, text.unicodeScalars.map(\.value), "the BOM is not part of the text")
        XCTAssertTrue(symbols.contains(0x0D) && symbols.contains(0x0A), "\\r\\n is two characters")
        let vocab = Vocabulary(kind: .unicode, scanning: [symbols])
        XCTAssertEqual(vocab.symbols, vocab.symbols.sorted(), "code-point order")
        XCTAssertEqual(vocab.count, Set(text.unicodeScalars.map(\.value)).count)
        let ids = vocab.encode(symbols).map { $0! }
        XCTAssertEqual(vocab.decode(ids), text)
        // Deterministic: the same text gives the same vocabulary.
        XCTAssertEqual(Vocabulary(kind: .unicode, scanning: [symbols]), vocab)
        XCTAssertEqual(ids.flatMap { vocab.bytes(of: $0) }, Array(text.utf8))
    }

    func testInvalidUTF8NamesTheByteOffset() {
        let bad: [UInt8] = Array("ok so far ".utf8) + [0xC3, 0x28] + Array("tail".utf8)
        let path = tempFile(bad)
        XCTAssertThrowsError(try TextDecoding.readFile(path, kind: .unicode)) { e in
            XCTAssertEqual(e as? TextError, .invalidUTF8(path: path, byteOffset: 10))
            XCTAssertTrue("\(e)".contains("byte offset 10") && "\(e)".contains("--bytes"))
        }
        for (bytes, offset) in [
            ([0x41, 0xFF], 1), ([0xE2, 0x82], 0), ([0xED, 0xA0, 0x80], 0), ([0xC0, 0x80], 0),
            ([0x41, 0x42, 0xF4, 0x90, 0x80, 0x80], 2),
        ] as [([UInt8], Int)] {
            let p = tempFile(bytes)
            XCTAssertThrowsError(try TextDecoding.readFile(p, kind: .unicode)) {
                XCTAssertEqual($0 as? TextError, .invalidUTF8(path: p, byteOffset: offset))
            }
        }
        // --bytes reads anything; the vocabulary is the bytes present.
        let symbols = try! TextDecoding.readFile(path, kind: .bytes)
        XCTAssertEqual(symbols, bad.map(UInt32.init))
        let vocab = Vocabulary(kind: .bytes, scanning: [symbols])
        XCTAssertEqual(vocab.symbols, Set(bad).sorted().map(UInt32.init))
    }

    func testFileErrors() {
        XCTAssertThrowsError(try TextDecoding.readFile("/nonexistent/x.txt", kind: .unicode)) {
            XCTAssertEqual($0 as? FileError, .missing(path: "/nonexistent/x.txt"))
        }
        XCTAssertThrowsError(try TextDecoding.readFile(NSTemporaryDirectory(), kind: .unicode)) {
            XCTAssertEqual($0 as? FileError, .isDirectory(path: NSTemporaryDirectory(), expected: "text file"))
        }
        let empty = tempFile([])
        XCTAssertThrowsError(try TextDecoding.readFile(empty, kind: .unicode)) {
            XCTAssertEqual($0 as? TextError, .empty(path: empty))
        }
    }

    func testSplitAndStreamBatches() throws {
        let text = String(repeating: "abcdefghij", count: 100)  // 1000 characters
        let path = tempFile(Array(text.utf8))
        let data = try TrainingData.load(trainFile: path, validationFile: nil, validationFraction: 0.1, bytes: false)
        XCTAssertEqual(data.train.count, 900); XCTAssertEqual(data.validation.count, 100)
        XCTAssertEqual(data.vocabulary.count, 10)
        let batcher = StreamBatcher(count: data.train.count, batch: 4, steps: 10)
        XCTAssertEqual(batcher.streamLength, 224); XCTAssertEqual(batcher.batchesPerEpoch, 22)
        var x = [Int32](repeating: 0, count: 40), y = x
        batcher.fill(data.train, index: 1, x: &x, y: &y)
        // Stream 2 at batch 1 starts at 2·224 + 10; targets are the next characters.
        XCTAssertEqual(x[20], Int32(data.train[2 * 224 + 10]))
        for i in 0..<40 where i % 10 != 9 { XCTAssertEqual(y[i], x[i + 1]) }
    }
}
