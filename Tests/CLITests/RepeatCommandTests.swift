import Foundation
import XCTest

/// The explicit command a run prints and stores repeats it: a time budget becomes the steps it
/// allows once, at the start, and a resumed run's command gives its whole budget.
final class RepeatCommandTests: CLITestCase {
    /// The command stored in a checkpoint, as arguments (it is written with plain words here).
    func storedCommand(_ checkpoint: String) throws -> [String] {
        let inspect = try run(["inspect", checkpoint])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        let line = try XCTUnwrap(inspect.stdout.split(separator: "\n").first { $0.hasPrefix("command:") })
        return line.dropFirst("command:".count).split(separator: " ").map(String.init)
    }

    func lastLine(_ text: String, prefix: String) -> String? {
        text.split(separator: "\n").last { $0.hasPrefix(prefix) }.map(String.init)
    }

    /// Final validation figure of a `done:` line ("validation 2.1234 nats/char").
    func validation(_ done: String?) -> String? {
        guard let d = done, let r = d.range(of: "validation ") else { return nil }
        return String(d[r.upperBound...].prefix { $0 != " " })
    }

    func testATimeBudgetsRepeatCommandGivesTheSameStepsAndLoss() throws {
        let corpus = temp("repeat.txt"), runs = temp("repeat-runs")
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let first = try run([
            "train", corpus, "--hidden", "24", "--layers", "1", "--batch", "8", "--seq", "16", "--time", "2s",
            "--checkpoint-dir", runs, "--name", "timed",
        ])
        XCTAssertEqual(first.status, 0, first.stderr)
        let printed = try XCTUnwrap(lastLine(first.stderr, prefix: "repeat it exactly with: "))
        var words = try storedCommand(runs + "/timed/latest.ckpt")
        XCTAssertEqual(printed, "repeat it exactly with: " + words.joined(separator: " "))
        let steps = try XCTUnwrap(words.firstIndex(of: "--steps")).advanced(by: 1)
        let done = try XCTUnwrap(lastLine(first.stderr, prefix: "done: "))
        XCTAssertTrue(done.hasPrefix("done: \(words[steps]) steps"), "\(done) / --steps \(words[steps])")

        words[words.firstIndex(of: "--name")! + 1] = "again"
        let again = try run(Array(words.dropFirst()))
        XCTAssertEqual(again.status, 0, again.stderr)
        let repeated = try XCTUnwrap(lastLine(again.stderr, prefix: "done: "))
        XCTAssertTrue(repeated.hasPrefix("done: \(words[steps]) steps"), repeated)
        XCTAssertNotNil(validation(done))
        XCTAssertEqual(validation(repeated), validation(done))
    }

    func testAResumedRunsCommandGivesItsWholeBudget() throws {
        let corpus = temp("whole.txt"), runs = temp("whole-runs")
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let common = ["--hidden", "16", "--layers", "1", "--batch", "4", "--seq", "16", "--quiet"]
        XCTAssertEqual(
            try run(["train", corpus, "--steps", "20", "--checkpoint-dir", runs, "--name", "r"] + common).status, 0)
        let latest = runs + "/r/latest.ckpt"
        XCTAssertEqual(try run(["train", "--resume", latest, "--steps", "30", "--quiet"]).status, 0)
        var words = try storedCommand(latest)
        XCTAssertEqual(words[words.firstIndex(of: "--steps")! + 1], "30")
        let log = try String(contentsOfFile: runs + "/r/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("{\"command\":\"charrnn train"), log)
        XCTAssertTrue(log.split(separator: "\n")[0].contains("--steps 30"), log)

        // More time: the steps it allows at the run's own speed, added to the 30 done.
        XCTAssertEqual(try run(["train", "--resume", latest, "--time", "1s", "--quiet"]).status, 0)
        words = try storedCommand(latest)
        let total = try XCTUnwrap(Int(words[words.firstIndex(of: "--steps")! + 1]))
        XCTAssertGreaterThan(total, 30)
        let inspect = try run(["inspect", latest]).stdout
        XCTAssertTrue(inspect.contains("step \(total),"), inspect)
    }
}
