import Foundation
import XCTest

/// eval, compare and view score the validation or test part of a checkpoint's own run, found by
/// its stored corpus path and checked by its fingerprint.
final class HeldOutScoringTests: CLITestCase {
    func testEvalScoresTheRunsOwnSplits() throws {
        let corpus = temp("split.txt"), runs = temp("split-runs")
        try String(repeating: "she sells sea shells by the sea shore. ", count: 200)
            .write(toFile: corpus, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try run([
                "train", corpus, "--steps", "20", "--hidden", "16", "--layers", "1", "--batch", "4", "--seq", "16",
                "--test-fraction", "0.1", "--checkpoint-dir", runs, "--name", "s", "--quiet",
            ]).status, 0)
        let result =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: runs + "/s/result.json"))) as! [String: Any]
        func score(_ split: String) throws -> Double {
            let r = try run(["eval", runs + "/s/best.ckpt", "--split", split, "--format", "json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
            return rows[0]["natsPerCharacter"] as! Double
        }
        XCTAssertEqual(try score("test"), result["testLoss"] as! Double, accuracy: 1e-4)
        XCTAssertEqual(try score("validation"), result["bestValidationLoss"] as! Double, accuracy: 1e-4)
        try (String(contentsOfFile: corpus, encoding: .utf8) + "sea").write(
            toFile: corpus, atomically: true, encoding: .utf8)
        let changed = try run(["eval", runs + "/s/best.ckpt", "--split", "validation"])
        XCTAssertEqual(changed.status, 1)
        XCTAssertTrue(changed.stderr.hasPrefix("charrnn: error: \(corpus): differs from the corpus"), changed.stderr)
        for command in [["compare"], ["view", "-o", runs + "/changed.html"]] {
            let r = try run(command + [runs + "/s/best.ckpt", "--split", "test"])
            XCTAssertEqual(r.status, 1, r.stderr)
            XCTAssertTrue(r.stderr.hasPrefix("charrnn: error: \(corpus): differs from the corpus"), r.stderr)
        }
    }

    /// An fp32 checkpoint scored with bf16 products is within 0.001 nats/char of its fp32 score (on
    /// a CPU without a bf16 instruction, through the fp32 kernels on rounded weights, which says so
    /// once on stderr).
    func testBF16EvaluationOfAnFP32CheckpointIsWithinAThousandth() throws {
        let corpus = temp("bf16.txt"), runs = temp("bf16-runs")
        try Self.generatedText(characters: 40_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let trained = try run([
            "train", corpus, "--steps", "60", "--hidden", "48", "--batch", "8", "--seq", "32", "--precision", "fp32",
            "--checkpoint-dir", runs, "--name", "f", "--quiet",
        ])
        XCTAssertEqual(trained.status, 0, trained.stderr)
        func score(_ precision: String) throws -> (Double, String) {
            let r = try run([
                "eval", runs + "/f/best.ckpt", "--split", "validation", "--format", "json", "--precision", precision,
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
            let rows = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
            return (rows[0]["natsPerCharacter"] as! Double, r.stderr)
        }
        let (fp32, quiet) = try score("fp32"), (bf16, note) = try score("bf16")
        XCTAssertEqual(bf16, fp32, accuracy: 0.001)
        XCTAssertNotEqual(bf16, fp32, "bf16 products round: the scores should differ a little")
        XCTAssertEqual(quiet, "")
        let fallback = note.contains("bf16 runs the fp32 kernels on bf16-rounded weights")
        XCTAssertEqual(note.isEmpty, !fallback, note)
        print(String(format: "bf16 evaluation of an fp32 checkpoint: %.6f against %.6f nats/char", bf16, fp32))
    }

    /// compare and view take the held-out part of the first checkpoint's run too.
    func testCompareAndViewScoreTheRunsOwnSplits() throws {
        let corpus = temp("split2.txt"), runs = temp("split2-runs")
        try Self.generatedText(characters: 12_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        for name in ["a", "b"] {
            XCTAssertEqual(
                try run([
                    "train", corpus, "--steps", name == "a" ? "20" : "10", "--hidden", "16", "--layers", "1",
                    "--batch", "4", "--seq", "16", "--test-fraction", "0.1", "--checkpoint-dir", runs, "--name", name,
                    "--quiet",
                ]).status, 0)
        }
        let a = runs + "/a/best.ckpt", b = runs + "/b/best.ckpt"
        let eval = try run(["eval", a, b, "--split", "test", "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [[String: Any]]
        let expected = rows.map { $0["natsPerCharacter"] as! Double }

        let compare = try run(["compare", a, b, "--split", "test", "--format", "json"])
        XCTAssertEqual(compare.status, 0, compare.stderr)
        let out = try JSONSerialization.jsonObject(with: Data(compare.stdout.utf8)) as! [String: Any]
        XCTAssertTrue((out["text"] as! String).contains("test part of \(corpus)"), compare.stdout)
        let scored = (out["checkpoints"] as! [[String: Any]]).map {
            ($0["score"] as! [String: Any])["natsPerCharacter"] as! Double
        }
        XCTAssertEqual(scored.count, 2)
        for (x, y) in zip(scored, expected) { XCTAssertEqual(x, y, accuracy: 1e-4) }

        let page = runs + "/view.html"
        let view = try run(["view", a, "--split", "test", "-o", page])
        XCTAssertEqual(view.status, 0, view.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: page))
        XCTAssertTrue(view.stderr.contains(String(format: "%.4f nats/char", expected[0])), view.stderr)

        let both = try run(["compare", a, "--split", "test", "--text", corpus])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("give --text FILE or --split validation|test"), both.stderr)
    }
}
