import Foundation
import XCTest

/// `charrnn sample`: several samples at once, a prime from standard input, JSON.
final class SampleCommandTests: CLITestCase {
    func testSamplingSeveralAtOncePrimesFromStandardInputAndReportsJSON() throws {
        let corpus = temp("corpus.txt"), runs = temp("runs")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try run([
                "train", corpus, "--arch", "lstm", "--layers", "1", "--hidden", "24", "--batch", "8", "--seq", "16",
                "--steps", "30", "--checkpoint-dir", runs, "--name", "s", "--quiet",
            ]).status, 0)
        let ckpt = runs + "/s/best.ckpt"
        let three = try run(["sample", ckpt, "--num-samples", "3", "--length", "40", "--seed", "5"])
        XCTAssertEqual(three.status, 0, three.stderr)
        let parts = three.stdout.components(separatedBy: "\n\n")
        XCTAssertEqual(parts.count, 3, three.stdout)
        // Sample i is the sample of seed 5 + i.
        let second = try run(["sample", ckpt, "--length", "40", "--seed", "6"])
        XCTAssertEqual(second.stdout.trimmingCharacters(in: .newlines), parts[1].trimmingCharacters(in: .newlines))
        let json = try run(["sample", ckpt, "--num-samples", "2", "--length", "20", "--seed", "5", "--format", "json"])
        let decoded = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(decoded.count, 2)
        XCTAssertEqual(decoded.map { $0["seed"] as! Int }, [5, 6])
        XCTAssertEqual((decoded[0]["text"] as! String).unicodeScalars.count, 20)
        XCTAssertGreaterThan(decoded[0]["meanSurprisalNats"] as! Double, 0)
        // --prime-file - reads standard input.
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["sample", ckpt, "--prime-file", "-", "--length", "10", "--seed", "1"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input; p.standardOutput = output; p.standardError = FileHandle.nullDevice
        try p.run()
        input.fileHandleForWriting.write(Data("the cat".utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)
        XCTAssertTrue(text.hasPrefix("the cat"), text)
        XCTAssertEqual(text.unicodeScalars.count, 7 + 10 + 1)
    }
}
