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

    func testSamplingSeveralAtOncePrimesFromStandardInputAndReportsJSON() throws {
        let corpus = temp("corpus.txt"), runs = temp("runs")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            try run([
                "train", corpus, "--layers", "1", "--hidden", "24", "--batch", "8", "--seq", "16",
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

    func testTablesAlignAndAStudyFolderIsNotReusedByAccident() throws {
        let corpus = temp("corpus.txt"), runs = temp("runs")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        for name in ["a", "b"] {
            XCTAssertEqual(
                try run([
                    "train", corpus, "--layers", "1", "--hidden", "16", "--batch", "8", "--seq", "16",
                    "--steps", "10", "--checkpoint-dir", runs, "--name", name, "--quiet",
                ]).status, 0)
        }
        let table = try run(["compare", runs + "/a/best.ckpt", runs + "/b/best.ckpt", "--text", corpus]).stdout
        let lines = table.split(separator: "\n").prefix(4).map(String.init)
        // Every row of the table has the same width up to its last column, and counts have separators.
        XCTAssertTrue(
            lines[2].hasPrefix("   ") || lines[2].hasPrefix("*  "), "the empty best column keeps its width: \(lines[2])"
        )
        XCTAssertNotNil(lines[2].range(of: #"\d{1,3},\d{3}  "#, options: .regularExpression), lines[2])
        XCTAssertEqual(Set(lines[1...3].map { $0.count }).count, 1, "aligned rows:\n\(lines.joined(separator: "\n"))")

        let out = temp("study")
        try FileManager.default.createDirectory(atPath: out + "/runs", withIntermediateDirectories: true)
        let refused = try run(["study", corpus, "--chars", "5000", "--seeds", "1", "--output", out])
        XCTAssertEqual(refused.status, 1)
        XCTAssertEqual(
            refused.stderr,
            "charrnn: error: \(out): holds files that are not a study plan; give --overwrite or another --out\n")
    }

    /// plan → run → report: a manifest line run by hand equals the same run by `study run`; a run
    /// killed midway resumes from its latest.ckpt; a finished run is not redone; a partial folder
    /// reports what it has and what is missing.
    func testStudyPlanRunReportResumesAKilledRunAndRunsLinesByHand() throws {
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let grid = [
            "--chars", "3200,6400", "--params", "3k", "--seeds", "2", "--arms", "lstm,gru", "--search-lr", "1,2",
            "--search-dropout", "0", "--search-budgets", "first", "--search-extensions", "0", "--batch", "8", "--seq",
            "16",
        ]
        let a = temp("study-a"), b = temp("study-b")
        for dir in [a, b] { XCTAssertEqual(try run(["study", "plan", corpus] + grid + ["--out", dir]).status, 0) }
        let lines = try String(contentsOfFile: a + "/runs.txt", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 4, "the search comes first")
        let partial = try run(["study", "report", a])
        XCTAssertEqual(partial.status, 0, partial.stderr)
        XCTAssertTrue(partial.stderr.contains("report: partial; 4 runs not finished, 8 waiting for their search"))
        XCTAssertTrue(try String(contentsOfFile: a + "/report.md", encoding: .utf8).contains("**Partial:**"))
        // The first line, by hand, as a scheduler would run it.
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = ["-c", String(lines[0])]
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = Self.binary.deletingLastPathComponent().path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        sh.environment = env
        sh.standardError = FileHandle.nullDevice
        try sh.run()
        sh.waitUntilExit()
        XCTAssertEqual(sh.terminationStatus, 0)
        let all = try run(["study", "run", b, "--jobs", "2"])
        XCTAssertEqual(all.status, 0, all.stderr)
        XCTAssertTrue(all.stderr.contains("study: 12 runs finished now, 0 before"), all.stderr)
        func result(_ dir: String, _ name: String) throws -> [String: Any] {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/runs/" + name + "/result.json"))
            return try JSONSerialization.jsonObject(with: data) as! [String: Any]
        }
        let name = String(lines[0].split(separator: " ").last { !$0.hasPrefix("--") }!)
        let byHand = try result(a, name), byRunner = try result(b, name)
        XCTAssertEqual(byHand["testLoss"] as! Double, byRunner["testLoss"] as! Double, accuracy: 1e-4)
        XCTAssertEqual(byHand["steps"] as! Int, byRunner["steps"] as! Int)
        let report = try run(["study", "report", b, "--format", "json"])
        XCTAssertEqual(report.status, 0, report.stderr)
        let cells = (try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as! [String: Any])["cells"]
        XCTAssertEqual((cells as! [Any]).count, 2)

        // A time budget, killed midway with SIGKILL, then resumed.
        let c = temp("study-c")
        let timed = [
            "study", "plan", corpus, "--budgets", "6s", "--params", "3k", "--seeds", "1", "--arms", "lstm,gru",
            "--search-lr", "1", "--search-dropout", "0", "--batch", "8", "--seq", "16", "--out", c,
        ]
        XCTAssertEqual(try run(timed).status, 0)
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = ["study", "run", c]
        p.standardError = FileHandle.nullDevice
        try p.run()
        var killed: String?
        let deadline = Date().addingTimeInterval(60)
        while killed == nil && Date() < deadline && p.isRunning {
            for run in (try? FileManager.default.contentsOfDirectory(atPath: c + "/runs")) ?? [] {
                let folder = c + "/runs/" + run
                guard FileManager.default.fileExists(atPath: folder + "/latest.ckpt"),
                    !FileManager.default.fileExists(atPath: folder + "/result.json"),
                    let lock = try? String(contentsOfFile: folder + "/.lock", encoding: .utf8),
                    let pid = Int32(lock.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
                else { continue }
                kill(pid, SIGKILL)
                killed = run
                break
            }
            usleep(20_000)
        }
        p.waitUntilExit()
        let victim = try XCTUnwrap(killed, "caught a run with a checkpoint")
        XCTAssertEqual(p.terminationStatus, 1, "a failed run fails the study run")
        XCTAssertFalse(FileManager.default.fileExists(atPath: c + "/runs/" + victim + "/result.json"))
        let finishedBefore = try FileManager.default.contentsOfDirectory(atPath: c + "/runs").filter {
            FileManager.default.fileExists(atPath: c + "/runs/" + $0 + "/result.json")
        }
        let stamps = try finishedBefore.map {
            try FileManager.default.attributesOfItem(atPath: c + "/runs/" + $0 + "/result.json")[.modificationDate]
                as! Date
        }
        let again = try run(["study", "run", c])
        XCTAssertEqual(again.status, 0, again.stderr)
        let log = try String(contentsOfFile: c + "/logs/" + victim + ".log", encoding: .utf8)
        XCTAssertTrue(log.contains("continuing \(victim) from step "), log)
        XCTAssertTrue(FileManager.default.fileExists(atPath: c + "/runs/" + victim + "/result.json"))
        for (run, stamp) in zip(finishedBefore, stamps) {
            let now =
                try FileManager.default.attributesOfItem(atPath: c + "/runs/" + run + "/result.json")[
                    .modificationDate] as! Date
            XCTAssertEqual(now, stamp, "\(run) finished before and was not redone")
        }
        // The 6 s budget became steps when the run started; the resumed run does all of them.
        let finished = try result(c, victim), settings = finished["settings"] as! [String: Any]
        XCTAssertEqual(settings["timeSeconds"] as? Double, 6)
        XCTAssertEqual(
            finished["steps"] as? Int, settings["steps"] as? Int, "the resumed run stops at its whole budget")
        XCTAssertTrue((settings["command"] as! String).contains("--steps \(finished["steps"] as! Int) "))
    }

    /// The published study (docs/study: study.json and every run's result.json, no checkpoints)
    /// gives the same report again, from a copy in another folder.
    func testThePublishedStudyReportsTheSameFromItsResults() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/study").path
        guard FileManager.default.fileExists(atPath: docs + "/study.json") else {
            throw XCTSkip("no docs/study in this checkout")
        }
        let copy = temp("published")
        try FileManager.default.copyItem(atPath: docs, toPath: copy)
        let r = try run(["study", "report", copy, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func cells(_ json: Data) throws -> NSArray {
            (try JSONSerialization.jsonObject(with: json) as! [String: Any])["cells"] as! NSArray
        }
        let published = try cells(Data(contentsOf: URL(fileURLWithPath: docs + "/results.json")))
        XCTAssertEqual(try cells(Data(r.stdout.utf8)), published)
        XCTAssertGreaterThan(published.count, 0)
        XCTAssertEqual(
            try String(contentsOfFile: copy + "/report.md", encoding: .utf8),
            try String(contentsOfFile: docs + "/report.md", encoding: .utf8))
    }

    /// `eval --split validation|test` finds the run's own parts of its corpus and scores them as the
    /// run did; a checkpoint without a test part, or a corpus that changed, is refused in one line.
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

    /// One `study run` per folder (a second is refused naming the first's pid); SIGTERM reaches
    /// every child, which saves its latest.ckpt, and the study run exits 130; after a SIGKILL of the
    /// study run its children end too (Linux: PR_SET_PDEATHSIG).
    func testAStudyRunIsAloneInItsFolderAndItsChildrenEndWithIt() throws {
        let corpus = temp("study-corpus.txt")
        try String(repeating: "the quick brown fox jumps over the lazy dog. ", count: 800)
            .write(toFile: corpus, atomically: true, encoding: .utf8)
        let folder = temp("study-alone")
        let plan = [
            "study", "plan", corpus, "--budgets", "60s", "--params", "3k", "--seeds", "1", "--arms", "lstm,gru",
            "--search-lr", "1", "--search-dropout", "0", "--batch", "8", "--seq", "16", "--out", folder,
        ]
        XCTAssertEqual(try run(plan).status, 0)
        func lockPid(_ path: String) -> Int32? {
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap {
                Int32($0.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        /// Starts `study run` and waits for a child training with a checkpoint; (process, child pid, run folder).
        func start() throws -> (Process, Int32, String) {
            let p = Process()
            p.executableURL = Self.binary
            p.arguments = ["study", "run", folder, "--jobs", "2"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                for run in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/runs")) ?? [] {
                    let f = folder + "/runs/" + run
                    if FileManager.default.fileExists(atPath: f + "/latest.ckpt"), let pid = lockPid(f + "/.lock"),
                        kill(pid, 0) == 0
                    {
                        return (p, pid, f)
                    }
                }
                usleep(50_000)
            }
            throw XCTSkip("no run reached its first checkpoint within a minute on this machine")
        }
        func gone(_ pid: Int32) -> Bool {
            for _ in 0..<200 where kill(pid, 0) == 0 { usleep(50_000) }
            return kill(pid, 0) != 0
        }

        let (first, child, _) = try start()
        let second = try run(["study", "run", folder])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(
            second.stderr.contains("another charrnn study run (pid \(first.processIdentifier)) is running this study"),
            second.stderr)
        kill(first.processIdentifier, SIGTERM)
        first.waitUntilExit()
        XCTAssertEqual(first.terminationStatus, 130)
        XCTAssertTrue(gone(child), "the child ended with the study run")

        let (again, child2, _) = try start()
        kill(again.processIdentifier, SIGKILL)
        again.waitUntilExit()
        XCTAssertTrue(gone(child2), "a child never outlives a killed study run")
    }

    /// Results that cannot be true (a negative loss, another run's name, not JSON, a directory) are
    /// listed by name and never aggregated; the other runs are reported as before.
    func testStudyReportLeavesOutResultsThatCannotBeTrue() throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/study").path
        guard FileManager.default.fileExists(atPath: docs + "/study.json") else {
            throw XCTSkip("no docs/study in this checkout")
        }
        let copy = temp("edited")
        try FileManager.default.copyItem(atPath: docs, toPath: copy)
        let runs = copy + "/runs/divina-commedia-250k-gru-1M-chars-seed"
        func edit(_ n: Int, _ change: (inout [String: Any]) -> Void) throws {
            let path = runs + "\(n)/result.json"
            var d =
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            change(&d)
            try JSONSerialization.data(withJSONObject: d).write(to: URL(fileURLWithPath: path))
        }
        try edit(1) { $0["testLoss"] = -5 }
        try edit(2) { $0["runName"] = "another-run" }
        try "not json".write(toFile: runs + "3/result.json", atomically: true, encoding: .utf8)
        let r = try run(["study", "report", copy, "--format", "json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(
            r.stderr.contains(
                "left out divina-commedia-250k-gru-1M-chars-seed1: its result.json is invalid: testLoss -5.0 cannot be a loss"
            ), r.stderr)
        XCTAssertTrue(
            r.stderr.contains(
                "left out divina-commedia-250k-gru-1M-chars-seed2: its result.json names run another-run"), r.stderr)
        XCTAssertTrue(
            r.stderr.contains(
                "left out divina-commedia-250k-gru-1M-chars-seed3: its result.json is invalid: not a run result"),
            r.stderr)
        let report = try String(contentsOfFile: copy + "/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("**Left out:** 3 results"), report)
        XCTAssertFalse(report.contains("-5.0000"))
    }

    /// The first Chromium on PATH, if any.
    static var chromium: String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }

    /// `charrnn view`: one self-contained page whose totals match `compare`, with notices for a cut
    /// text and for two vocabularies, clear errors for bad checkpoints, and, in a headless Chromium,
    /// coloured spans, a prediction panel and a list of units holding the numbers of the page's data.
    func testViewWritesAPageThatABrowserRendersWithTheRightNumbers() throws {
        let corpus = temp("corpus.txt"), noDots = temp("nodots.txt"), runs = temp("runs")
        let text = Self.generatedText(characters: 20_000)
        try text.write(toFile: corpus, atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: ".", with: "").write(toFile: noDots, atomically: true, encoding: .utf8)
        for (name, arch, file) in [("a", "lstm", corpus), ("b", "gru", noDots)] {
            let r = try run([
                "train", file, "--arch", arch, "--hidden", "16", "--batch", "8", "--seq", "16", "--steps", "40",
                "--checkpoint-dir", runs, "--name", name, "--quiet",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let a = runs + "/a/best.ckpt", b = runs + "/b/best.ckpt", page = temp("view.html")
        let view = try run(["view", a, b, "--text", corpus, "-o", page])
        XCTAssertEqual(view.status, 0, view.stderr)
        let compare = try run(["compare", a, b, "--text", corpus]).stdout
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for banned in ["<script src", "<link ", "@import", "url(http"] { XCTAssertFalse(html.contains(banned), banned) }
        // The page's data: totals and every model's arrays.
        let start = html.range(of: "<script type=\"application/json\" id=\"data\">")!.upperBound
        let end = html.range(of: "</script>", range: start..<html.endIndex)!.lowerBound
        let data =
            try JSONSerialization.jsonObject(
                with: Data(html[start..<end].replacingOccurrences(of: "<\\/", with: "</").utf8)) as! [String: Any]
        let models = data["models"] as! [[String: Any]]
        let nats = models.map { String(format: "%.4f", $0["nats"] as! Double) }
        for n in nats { XCTAssertTrue(compare.contains(n), "\(n) in\n\(compare)") }
        XCTAssertFalse(data["sameVocabulary"] as! Bool)
        XCTAssertTrue(view.stderr.contains(nats[0] + " nats/char"), view.stderr)

        // Bad input.
        let cut = try run(["view", a, "--text", corpus, "--max-chars", "5000", "-o", temp("cut.html")])
        XCTAssertEqual(cut.status, 0)
        XCTAssertTrue(cut.stderr.contains("note: showing the first 5000 of 20"), cut.stderr)
        let missing = try run(["view", temp("nothing.ckpt"), "--text", corpus, "-o", temp("x.html")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("charrnn: error: ") && missing.stderr.split(separator: "\n").count == 1)
        let damaged = temp("damaged.ckpt")
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: damaged))
        let bad = try run(["view", damaged, "--text", corpus, "-o", temp("y.html")])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("charrnn: error: \(damaged)"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temp("y.html")))

        guard let chromium = Self.chromium else {
            throw XCTSkip("no Chromium on PATH (apt-get install -y chromium): the page was checked without a browser")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(dom.contains("data-ready=\"1\""), "the script ran to the end")
        XCTAssertGreaterThanOrEqual(dom.components(separatedBy: "<span data-i=").count - 1, 1000, "coloured spans")
        XCTAssertGreaterThan(dom.components(separatedBy: "style=\"background:hsl(").count - 1, 500)
        XCTAssertTrue(dom.contains("id=\"vocab\""), "the page says the vocabularies differ")
        for n in nats { XCTAssertTrue(dom.contains("<td class=\"num nats\">\(n)</td>"), n) }
        // The prediction panel shows character 1: its surprisal and top-5 from the data.
        XCTAssertTrue(dom.contains("<span id=\"ppos\">1</span>"))
        for (k, m) in models.enumerated() {
            let loss = Data(base64Encoded: m["loss"] as! String)!.withUnsafeBytes {
                Array($0.bindMemory(to: Float.self))
            }
            let probs = Data(base64Encoded: m["topProbabilities"] as! String)!.withUnsafeBytes {
                Array($0.bindMemory(to: UInt16.self))
            }
            let panel = dom.components(separatedBy: "data-model=\"\(k)\"")[1]
            XCTAssertTrue(
                panel.hasPrefix("><b>")
                    && panel.contains(String(format: "<span class=\"bits\">%.3f</span>", loss[1] / log(2))),
                String(panel.prefix(300)))
            XCTAssertTrue(panel.contains(String(format: "<td class=\"p\">%.1f%%</td>", Double(probs[5]) / 65535 * 100)))
        }
        // The list of units, strongest first, with their correlations.
        let trackers = models.flatMap { $0["trackers"] as! [[String: Any]] }.map { $0["r"] as! Double }
        let items = (0..<models.count).map { dom.components(separatedBy: "<li data-m=\"\($0)\"").count - 1 }
        XCTAssertEqual(items.reduce(0, +), trackers.count)
        let strongest = trackers.max { abs($0) < abs($1) }!
        let shown = String(format: "r = %@%.2f", strongest >= 0 ? "+" : "−", abs(strongest))
        let first = dom.components(separatedBy: "<li data-m=")[1]
        XCTAssertTrue(first.contains(shown), "\(shown) in \(first.prefix(200))")
        XCTAssertEqual(
            dom.components(separatedBy: "<circle class=\"dot\"").count - 1, 16 * (3 + 2) * 2, "saturation dots")
    }

    /// Starts a 5-minute training run of a small model on generated text (to be interrupted).
    func startLongTraining(name: String, folder: String, stderr: Any, extra: [String] = []) throws -> Process {
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = Self.binary
        p.arguments =
            [
                "train", corpus, "--layers", "1", "--hidden", "32", "--batch", "8", "--seq", "32", "--time", "5m",
                "--name", name, "--checkpoint-dir", folder,
            ] + extra
        p.standardError = stderr
        try p.run()
        return p
    }

    func testCtrlCFinishesTheStepWritesLatestAndExits() throws {
        let dir = temp("runs")
        let err = Pipe()
        let p = try startLongTraining(name: "int", folder: dir, stderr: err)
        // Wait until training is under way (the metrics log appears after 10 steps).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: dir + "/int/metrics.jsonl") && Date() < deadline {
            usleep(50_000)
        }
        p.interrupt()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationReason, .exit)
        XCTAssertEqual(p.terminationStatus, 130, stderr)
        XCTAssertTrue(stderr.contains("wrote"), stderr)
        let inspect = try run(["inspect", dir + "/int/latest.ckpt"])
        XCTAssertEqual(inspect.status, 0, "latest.ckpt loads after Ctrl-C: \(inspect.stderr)")
    }

    /// SIGKILL at random moments (often mid-checkpoint: one is written every 2 steps); after every
    /// kill, best and latest must load and training must resume from latest.
    /// `CHARRNN_KILLS` sets the number of kills (default 12).
    func testKilledAtRandomMomentsCheckpointsStayReadableAndResume() throws {
        let kills = Int(ProcessInfo.processInfo.environment["CHARRNN_KILLS"] ?? "") ?? 12
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 40_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        let dir = temp("runs")
        let latest = dir + "/k/latest.ckpt", best = dir + "/k/best.ckpt"
        var state: UInt64 = 2024
        var unreadable = 0, resumes = 0
        for _ in 0..<kills {
            let p = Process()
            p.executableURL = Self.binary
            let resume = FileManager.default.fileExists(atPath: latest)
            p.arguments =
                resume
                ? ["train", "--resume", latest, "--steps", "100000", "--quiet"]
                : [
                    "train", corpus, "--layers", "2", "--hidden", "64", "--batch", "8", "--seq", "32", "--eval-every",
                    "2",
                    "--steps", "100000", "--name", "k", "--checkpoint-dir", dir, "--quiet",
                ]
            p.standardError = FileHandle.nullDevice
            try p.run()
            state = state &* 6364136223846793005 &+ 1442695040888963407
            usleep(useconds_t(300_000 + (state >> 33) % 1_200_000))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationReason, .uncaughtSignal)
            if resume { resumes += 1 }
            for f in [latest, best] where FileManager.default.fileExists(atPath: f) {
                if try run(["inspect", f]).status != 0 { unreadable += 1 }
            }
        }
        print("kill test: \(kills) kills, \(resumes) resumes, \(unreadable) unreadable checkpoint files")
        XCTAssertEqual(unreadable, 0)
        XCTAssertGreaterThan(resumes, kills / 2, "most runs resumed from a checkpoint left by a killed one")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir + "/k").filter { $0.contains(".tmp-") }
        XCTAssertLessThanOrEqual(leftovers.count, 1, "stale temporary files are cleaned at the next start")
        let final = try run(["train", "--resume", latest, "--steps", "1", "--quiet"])
        XCTAssertEqual(final.status, 0, final.stderr)
    }

    func testSecondCtrlCExitsAtOnceWithoutDamagingFiles() throws {
        let dir = temp("runs")
        let p = try startLongTraining(
            name: "int2", folder: dir, stderr: FileHandle.nullDevice, extra: ["--eval-every", "5", "--quiet"])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: dir + "/int2/latest.ckpt") && Date() < deadline { usleep(50_000) }
        p.interrupt(); p.interrupt()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 130)
        XCTAssertEqual(try run(["inspect", dir + "/int2/latest.ckpt"]).status, 0)
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
