import Foundation
import XCTest

/// `charrnn study`: plan, run and report; one runner per folder; results that cannot be true.
final class StudyCommandTests: CLITestCase {
    /// A folder that holds runs but no study plan is not taken over by a new study.
    func testAStudyFolderIsNotReusedByAccident() throws {
        let corpus = temp("corpus.txt")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
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
        // 4 search runs and 6 grid runs: each arm's chosen candidate is its 3.2k-character seed 1.
        XCTAssertTrue(all.stderr.contains("study: 10 runs finished now, 0 before"), all.stderr)
        XCTAssertTrue(all.stderr.contains(" left at this pace\n"), "runs before the last say the time left")
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

    /// The published studies (docs/study and docs/study-small: study.json
    /// and every finished run's result.json, no checkpoints) give the same report again, from a
    /// copy in another folder.
    func testThePublishedStudiesReportTheSameFromTheirResults() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var checked = 0
        for folder in ["docs/study", "docs/study-small"] {
            let docs = root.appendingPathComponent(folder).path
            guard FileManager.default.fileExists(atPath: docs + "/study.json") else { continue }
            let copy = temp("published-" + URL(fileURLWithPath: folder).lastPathComponent)
            try FileManager.default.copyItem(atPath: docs, toPath: copy)
            let r = try run(["study", "report", copy, "--format", "json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            func cells(_ json: Data) throws -> NSArray {
                (try JSONSerialization.jsonObject(with: json) as! [String: Any])["cells"] as! NSArray
            }
            let published = try cells(Data(contentsOf: URL(fileURLWithPath: docs + "/results.json")))
            XCTAssertEqual(try cells(Data(r.stdout.utf8)), published, folder)
            XCTAssertGreaterThan(published.count, 0, folder)
            XCTAssertEqual(
                try String(contentsOfFile: copy + "/report.md", encoding: .utf8),
                try String(contentsOfFile: docs + "/report.md", encoding: .utf8), folder)
            checked += 1
        }
        if checked == 0 { throw XCTSkip("no published study in this checkout") }
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
            .deletingLastPathComponent().appendingPathComponent("docs/study-small").path
        guard FileManager.default.fileExists(atPath: docs + "/study.json") else {
            throw XCTSkip("no docs/study-small in this checkout")
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
}
