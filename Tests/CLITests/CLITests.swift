import Foundation
import XCTest

/// Runs the built `charrnn` binary: help, exit codes, one-line errors, and a whole
/// train → sample → eval → compare → inspect session on generated text.
final class CLITests: CLITestCase {
    func testHelpListsEveryCommand() throws {
        let r = try run(["--help"])
        XCTAssertEqual(r.status, 0)
        for c in ["train", "sample", "eval", "compare", "inspect", "view", "study", "bench"] {
            XCTAssertTrue(r.stdout.contains(c), c)
        }
        let t = try run(["train", "--help"])
        for flag in [
            "--arch", "--layers", "--hidden", "--embedding", "--batch", "--seq", "--time", "--resume", "--val-file",
            "--bytes", "--test-fraction", "--continue",
        ] {
            XCTAssertTrue(t.stdout.contains(flag), flag)
        }
    }

    func testTrainSampleEvalCompareInspectEndToEnd() throws {
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let dir = temp("runs")
        let train = try run([
            "train", corpus, "--arch", "gru", "--layers", "1", "--hidden", "48", "--batch", "8", "--seq", "32",
            "--lr", "0.01", "--time", "5s", "--name", "e2e", "--checkpoint-dir", dir,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stderr.contains("validation"), train.stderr)
        XCTAssertEqual(train.stdout, "", "training writes only to stderr")
        let best = dir + "/e2e/best.ckpt", latest = dir + "/e2e/latest.ckpt"
        XCTAssertTrue(FileManager.default.fileExists(atPath: best))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/e2e/metrics.jsonl"))

        let s1 = try run(["sample", best, "--length", "300", "--seed", "7", "--prime", "the "])
        XCTAssertEqual(s1.status, 0, s1.stderr)
        XCTAssertTrue(s1.stderr.contains("GRU 1×48") && s1.stderr.contains("validation perplexity"), s1.stderr)
        XCTAssertTrue(s1.stdout.hasPrefix("the "))
        XCTAssertEqual(s1.stdout.unicodeScalars.count, 4 + 300 + 1)
        let words = Set(["cat", "dog", "the", "sees", "likes", "river.", "moon."])
        let produced = s1.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        XCTAssertGreaterThan(
            produced.filter(words.contains).count, 10, "the sample reuses the corpus's words: \(s1.stdout)")
        let s2 = try run(["sample", best, "--length", "300", "--seed", "7", "--prime", "the "])
        XCTAssertEqual(s1.stdout, s2.stdout, "same seed, same sample")
        let greedy = try run(["sample", best, "--length", "50", "--temperature", "0"])
        XCTAssertEqual(greedy.status, 0)

        let eval = try run(["eval", best, "--text", corpus, "--format", "json"])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let rows = try JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as! [[String: Any]]
        XCTAssertEqual(rows.count, 1)
        let nats = rows[0]["natsPerCharacter"] as! Double
        XCTAssertLessThan(nats, 1.2, "a learned model beats the uniform 3.2 nats/char easily")
        XCTAssertEqual(rows[0]["perplexity"] as! Double, exp(nats), accuracy: 1e-6)
        XCTAssertEqual(
            rows[0]["charactersScored"] as? Int, 29_999 + (Self.generatedText(characters: 30_000).count - 30_000))
        let table = try run(["eval", best, latest, "--text", corpus])
        XCTAssertTrue(table.stdout.contains("bits/char") && table.stdout.contains("perplexity"))

        let other = temp("other.txt")
        try (Self.generatedText(characters: 3000) + "Zebra ü\n")
            .write(toFile: other, atomically: true, encoding: .utf8)
        let cmp = try run(["compare", best, latest, "--text", other, "--format", "json"])
        XCTAssertEqual(cmp.status, 0, cmp.stderr)
        let c = try JSONSerialization.jsonObject(with: Data(cmp.stdout.utf8)) as! [String: Any]
        let entries = c["checkpoints"] as! [[String: Any]]
        XCTAssertEqual(entries.filter { $0["best"] as! Bool }.count, 1)
        XCTAssertGreaterThan(
            (entries[0]["score"] as! [String: Any])["charactersNotScored"] as! Int, 0,
            "Z and ü are outside the vocabulary")
        XCTAssertNotNil(
            entries.first { !($0["best"] as! Bool) }?["differenceFromBest"], "paired difference against the best")
        let paired = try run(["compare", best, latest, "--text", other])
        XCTAssertTrue(
            paired.stdout.contains("no significant difference") || paired.stdout.contains("significantly worse"),
            paired.stdout)
        let svg = temp("curves.svg")
        let plot = try run(["plot", dir + "/e2e", "--output", svg])
        XCTAssertEqual(plot.status, 0, plot.stderr)
        XCTAssertTrue(try String(contentsOfFile: svg, encoding: .utf8).contains("validation loss (nats per character)"))
        let both = try run(["plot", dir + "/e2e", "--y", "both", "--output", svg, "--title", "curves"])
        XCTAssertEqual(both.status, 0, both.stderr)
        let page = try String(contentsOfFile: svg, encoding: .utf8)
        XCTAssertTrue(page.contains("e2e (train)") && page.contains("e2e (validation)"), page)
        let exported = temp("bf16.ckpt")
        let export = try run(["export", best, "--dtype", "bf16", "--weights-only", "--output", exported])
        XCTAssertEqual(export.status, 0, export.stderr)
        XCTAssertEqual(try run(["sample", exported, "--length", "20", "--seed", "1"]).status, 0)
        let resumeExported = try run(["train", "--resume", exported, "--steps", "5"])
        XCTAssertTrue(resumeExported.stderr.contains("no training state to resume"), resumeExported.stderr)
        for f in ["text", "markdown", "csv"] {
            let r = try run(["compare", best, latest, "--text", other, "--format", f])
            XCTAssertEqual(r.status, 0)
            XCTAssertTrue(r.stdout.contains("nats/char"), f)
        }

        let inspect = try run(["inspect", best])
        XCTAssertEqual(inspect.status, 0)
        for s in ["gru", "rnn.weight_hh_l0", "[144, 48]", "vocabulary:", "step"] {
            XCTAssertTrue(inspect.stdout.contains(s), s)
        }

        // Resume continues the run.
        let resumed = try run(["train", "--resume", latest, "--time", "2s"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
    }

    func testBadInputGivesOneLineErrorsAndNonZeroExit() throws {
        let missing = try run(["train", "/nonexistent/corpus.txt"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.stderr, "charrnn: error: /nonexistent/corpus.txt: no such file\n")

        let small = temp("small.txt")
        try "tiny".write(toFile: small, atomically: true, encoding: .utf8)
        let tooSmall = try run(["train", small, "--checkpoint-dir", temp("r")])
        XCTAssertNotEqual(tooSmall.status, 0)
        XCTAssertTrue(tooSmall.stderr.contains("needs at least 2049"), tooSmall.stderr)

        let bad = temp("bad.txt")
        _ = FileManager.default.createFile(atPath: bad, contents: Data([0x61, 0x62, 0xFF, 0x63]))
        let invalid = try run(["train", bad])
        XCTAssertTrue(invalid.stderr.contains("invalid UTF-8 at byte offset 2"), invalid.stderr)

        for args in [
            ["train", small, "--batch", "0"], ["train", small, "--seq", "0"], ["sample", "x.ckpt", "--length", "0"],
            ["sample", "x.ckpt", "--temperature=-1"], ["train", small, "--ema", "1"],
            ["train", small, "--weight-drop", "1"],
        ] {
            let r = try run(args)
            XCTAssertNotEqual(r.status, 0, "\(args)")
            XCTAssertTrue(r.stderr.contains("must be"), "\(args): \(r.stderr)")
        }

        let notCkpt = temp("not.ckpt")
        try "hello".write(toFile: notCkpt, atomically: true, encoding: .utf8)
        for cmd in [["sample", notCkpt], ["eval", notCkpt, "--text", small], ["inspect", notCkpt]] {
            let r = try run(cmd)
            XCTAssertEqual(r.status, 1)
            XCTAssertEqual(r.stderr, "charrnn: error: \(notCkpt): not a charrnn checkpoint (not a gzip file)\n")
        }
    }

    /// Bash completes file arguments: `charrnn train corp<TAB>` offers the corpus, and a checkpoint
    /// argument offers *.ckpt files.
    func testBashCompletesFileNames() throws {
        let folder = temp("completion")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in ["corpus-a.txt", "model.ckpt", "notes.md"] {
            try "x".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let script = folder + "/charrnn.bash"
        let generated = try run(["--generate-completion-script", "bash"])
        try generated.stdout.write(toFile: script, atomically: true, encoding: .utf8)
        func complete(_ words: [String]) throws -> [String] {
            let sh = Process()
            sh.executableURL = URL(fileURLWithPath: "/bin/bash")
            sh.currentDirectoryURL = URL(fileURLWithPath: folder)
            let line = words.joined(separator: " "), quoted = words.map { "'\($0)'" }
            sh.arguments = [
                "-c",
                "source charrnn.bash; COMP_WORDS=(\(quoted.joined(separator: " "))); COMP_CWORD=\(words.count - 1); "
                    + "COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}; "
                    + "_charrnn charrnn \(quoted.last!) \(quoted[quoted.count - 2]); printf '%s\\n' \"${COMPREPLY[@]}\"",
            ]
            let out = Pipe()
            sh.standardOutput = out
            try sh.run()
            sh.waitUntilExit()
            return String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                .split(separator: "\n").map(String.init)
        }
        XCTAssertEqual(try complete(["charrnn", "train", "corp"]), ["corpus-a.txt"])
        XCTAssertTrue(try complete(["charrnn", "sample", ""]).contains("model.ckpt"))
        XCTAssertFalse(try complete(["charrnn", "sample", ""]).contains("notes.md"))

        // zsh and fish (not run here): the same arguments complete with their shells' file completers.
        let zsh = try run(["--generate-completion-script", "zsh"]).stdout
        XCTAssertTrue(zsh.contains("':file:_files'"), "train FILE completes files in zsh")
        XCTAssertTrue(zsh.contains("'*:checkpoints:_files -g '\\''*.ckpt'\\'''"), "checkpoints prefer *.ckpt in zsh")
        let fish = try run(["--generate-completion-script", "fish"]).stdout
        XCTAssertTrue(
            fish.contains("__charrnn_should_offer_completions_for_positional \"charrnn train\" -eq 1' -F"),
            "train FILE completes files in fish")
        XCTAssertTrue(fish.contains("*.\\'ckpt\\'"), "checkpoints prefer *.ckpt in fish")
    }

    func testBadInputMatrixRows() throws {
        let dirPath = temp("a-directory")
        try FileManager.default.createDirectory(atPath: dirPath, withIntermediateDirectories: true)
        XCTAssertEqual(
            try run(["train", dirPath]).stderr, "charrnn: error: \(dirPath): is a directory, not a text file\n")
        let empty = temp("empty.txt")
        XCTAssertTrue(FileManager.default.createFile(atPath: empty, contents: Data()))
        XCTAssertEqual(try run(["train", empty]).stderr, "charrnn: error: \(empty): the file is empty\n")
        // Invalid UTF-8 trains with --bytes.
        let binary = temp("binary.dat")
        var bytes = Array(Self.generatedText(characters: 5000).utf8)
        bytes[100] = 0xFF
        XCTAssertTrue(FileManager.default.createFile(atPath: binary, contents: Data(bytes)))
        XCTAssertTrue(
            try run(["train", binary, "--checkpoint-dir", temp("r")]).stderr.contains(
                "invalid UTF-8 at byte offset 100"))
        let ok = try run([
            "train", binary, "--bytes", "--layers", "1", "--hidden", "16", "--batch", "4", "--seq", "16", "--steps",
            "3",
            "--checkpoint-dir", temp("r"), "--name", "b",
        ])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        // A checkpoint folder that cannot be created is refused before training starts.
        let blocker = temp("blocker")
        XCTAssertTrue(FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8)))
        let corpus = temp("c.txt")
        try Self.generatedText(characters: 5000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let unwritable = try run(["train", corpus, "--checkpoint-dir", blocker, "--steps", "1"])
        XCTAssertEqual(unwritable.status, 1)
        XCTAssertTrue(unwritable.stderr.contains("cannot write checkpoints"), unwritable.stderr)
        XCTAssertFalse(unwritable.stderr.contains("training "), "refused before training started")
        // Eval text with characters outside the vocabulary: scored around them, counted.
        let runDir = temp("r2")
        XCTAssertEqual(
            try run([
                "train", corpus, "--layers", "1", "--hidden", "16", "--batch", "4", "--seq", "16", "--steps", "3",
                "--checkpoint-dir", runDir, "--name", "v",
            ]).status, 0)
        let strange = temp("strange.txt")
        try "the cat sees ΩΩΩ the moon.\n".write(toFile: strange, atomically: true, encoding: .utf8)
        let eval = try run(["eval", runDir + "/v/best.ckpt", "--text", strange, "--format", "json"])
        XCTAssertEqual(eval.status, 0)
        XCTAssertTrue(eval.stdout.contains("\"charactersNotScored\" : 3"), eval.stdout)
    }
}
