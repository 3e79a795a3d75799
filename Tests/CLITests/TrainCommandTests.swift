import Foundation
import XCTest

/// `charrnn train`: run folders, resume checks, the metrics log on resume, and --threads.
final class TrainCommandTests: CLITestCase {
    func testRunFoldersAreNotReusedByAccidentAndResumeIsChecked() throws {
        let corpus = temp("corpus.txt"), runs = temp("runs")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let base = [
            "train", corpus, "--layers", "1", "--hidden", "24", "--batch", "8", "--seq", "16", "--steps", "20",
            "--eval-every", "5", "--checkpoint-dir", runs, "--name", "r", "--quiet",
        ]
        let first = try run(base + ["--keep", "2"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let folder = runs + "/r"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { !$0.hasPrefix(".") }.sorted()
        XCTAssertEqual(
            files, ["best.ckpt", "latest.ckpt", "metrics.jsonl", "result.json", "step-15.ckpt", "step-20.ckpt"],
            "--keep 2")
        // The explicit command: printed, first line of the log, in the checkpoint, shown by inspect.
        let log = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8)
        XCTAssertTrue(log.hasPrefix("{\"command\":\"charrnn train \(corpus) "), String(log.prefix(200)))
        let inspect = try run(["inspect", folder + "/latest.ckpt"])
        XCTAssertTrue(inspect.stdout.contains("command:      charrnn train \(corpus) "), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("--hidden 24 "), inspect.stdout)
        let metricsBefore = log

        // A second run of the same name is refused and changes nothing; --overwrite replaces it.
        let again = try run(base)
        XCTAssertEqual(again.status, 1)
        XCTAssertTrue(
            again.stderr.hasPrefix("charrnn: error: \(folder): a run folder with checkpoints already exists"),
            again.stderr)
        XCTAssertEqual(try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8), metricsBefore)
        let replaced = try run(base + ["--overwrite", "--steps", "10"])
        XCTAssertEqual(replaced.status, 0, replaced.stderr)
        let newLog = try String(contentsOfFile: folder + "/metrics.jsonl", encoding: .utf8)
        XCTAssertEqual(newLog.components(separatedBy: "\"command\"").count, 2, "one run in the log, not two")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/step-20.ckpt"), "the old history went too")

        // --resume: a conflicting option is refused by name; a moved corpus is accepted from anywhere.
        let conflict = try run(["train", "--resume", folder + "/latest.ckpt", "--hidden", "64"])
        XCTAssertEqual(conflict.status, 1)
        XCTAssertTrue(conflict.stderr.hasPrefix("charrnn: error: --hidden 64 conflicts with"), conflict.stderr)
        let moved = temp("moved.txt")
        try FileManager.default.copyItem(atPath: corpus, toPath: moved)
        try FileManager.default.removeItem(atPath: corpus)
        let resumed = try run(["train", moved, "--resume", folder + "/latest.ckpt", "--steps", "15", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)

        // --init-from: a new run from the weights, on new text; characters it lacks are listed.
        let other = temp("other.txt")
        try "the cat sees the moon.\n".write(toFile: other, atomically: true, encoding: .utf8)
        try String(repeating: "the cat sees the moon.\n", count: 200).write(
            toFile: other, atomically: true, encoding: .utf8)
        let tuned = try run([
            "train", other, "--init-from", folder + "/best.ckpt", "--steps", "5", "--batch", "4",
            "--seq", "16", "--checkpoint-dir", runs, "--name", "tuned", "--quiet",
        ])
        XCTAssertEqual(tuned.status, 0, tuned.stderr)
        let strange = temp("strange.txt")
        try String(repeating: "Zebras QUIZ jackdaws.\n", count: 200).write(
            toFile: strange, atomically: true, encoding: .utf8)
        let refused = try run([
            "train", strange, "--init-from", folder + "/best.ckpt", "--steps", "5",
            "--checkpoint-dir", runs, "--name", "refused",
        ])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("characters are not in the checkpoint's vocabulary: "), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: runs + "/refused"), "a refused run leaves nothing behind")
    }

    /// A resume rewinds metrics.jsonl to the checkpoint it resumes from: records that a failed or
    /// killed session wrote past it (and a torn last line) go, so each step has one record.
    func testAResumeLeavesOneMetricsRecordPerStep() throws {
        let corpus = temp("rewind.txt"), runs = temp("rewind-runs")
        try String(repeating: "a rose is a rose is a rose. ", count: 300).write(
            toFile: corpus, atomically: true, encoding: .utf8)
        let common = ["--hidden", "16", "--layers", "1", "--batch", "4", "--seq", "16", "--quiet"]
        XCTAssertEqual(
            try run(["train", corpus, "--steps", "20", "--checkpoint-dir", runs, "--name", "r"] + common).status, 0)
        let log = runs + "/r/metrics.jsonl"
        var text = try String(contentsOfFile: log, encoding: .utf8)
        let last = text.split(separator: "\n").last!
        text += last.replacing("\"step\":20", with: "\"step\":30") + "\n" + last.prefix(25)
        try text.write(toFile: log, atomically: true, encoding: .utf8)
        let resumed = try run(["train", "--resume", runs + "/r/latest.ckpt", "--steps", "40", "--quiet"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines[0].hasPrefix("{\"command\""))
        let steps = try lines.dropFirst().map {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any])["step"] as! Int
        }
        XCTAssertEqual(steps, Array(stride(from: 2, through: 40, by: 2)))
    }

    func testThreadsFlagIsCheckedAndNeverChangesTheRun() throws {
        for value in ["0", "-2", "1025"] {
            let commands = [
                ["train", "a.txt"], ["eval", "a.ckpt", "--text", "a.txt"],
                ["compare", "a.ckpt", "b.ckpt", "--text", "a.txt"],
                ["sample", "a.ckpt"], ["study", "a.txt", "--chars", "1M"], ["study", "run", "s"],
                [
                    "view", "a.ckpt",
                    "--text", "a.txt",
                ], ["bench"],
            ]
            for command in commands {
                let r = try run(command + ["--threads", value])
                XCTAssertEqual(r.status, 1, "\(command) --threads \(value)")
                XCTAssertEqual(r.stderr, "charrnn: error: --threads must be between 1 and 1024 (got \(value))\n")
            }
        }
        // The same seed on 1 and 3 threads, with dropout and weight drop: the same validation loss.
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        var validation: [String] = []
        for threads in ["1", "3"] {
            let r = try run([
                "train", corpus, "--threads", threads, "--steps", "20", "--seed", "1", "--hidden", "48",
                "--batch", "12", "--seq", "32", "--dropout", "0.2", "--weight-drop", "0.3",
                "--checkpoint-dir", temp("runs"), "--name", "t",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
            let line = r.stderr.split(separator: "\n").first { $0.hasPrefix("done:") }
            validation.append(
                line.flatMap { $0.components(separatedBy: "validation ").last?.components(separatedBy: " ").first }
                    ?? "")
        }
        XCTAssertFalse(validation[0].isEmpty)
        XCTAssertEqual(validation[0], validation[1], "validation loss on 1 and 3 threads")
    }
}
