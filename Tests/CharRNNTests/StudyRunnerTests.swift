import XCTest

@testable import CharRNN

/// How `StudyRunner` counts the way its children end, with a stand-in for charrnn: a shell script
/// that sleeps until a signal ends it, or fails at once.
final class StudyRunnerTests: XCTestCase {
    /// A planned study of two runs (one per arm) in a fresh folder, run by `script`.
    func runner(script: String) throws -> StudyRunner {
        let corpus = NSTemporaryDirectory() + "charrnn-runner-\(UUID().uuidString).txt"
        try String(repeating: "abc def\n", count: 500).write(toFile: corpus, atomically: true, encoding: .utf8)
        var g = StudyGrid(corpora: [corpus], budgets: [.characters(16 * 32 * 10)])
        g.sizes = [.parameters(6_000)]; g.batch = 16; g.sequence = 32; g.seeds = 1; g.arms = [.lstm, .gru]
        g.searchLearningRates = [1]; g.searchDropouts = [0]; g.searchExtensions = 0
        let dir = NSTemporaryDirectory() + "charrnn-runner-study-\(UUID().uuidString)"
        try StudyPlan.make(g) { _ in 1 }.save(in: dir)
        let executable = dir + "/stand-in.sh"
        try ("#!/bin/sh\n" + script + "\n").write(toFile: executable, atomically: true, encoding: .utf8)
        XCTAssertEqual(chmod(executable, 0o755), 0)
        var r = StudyRunner(directory: dir, executable: executable)
        r.jobs = 2
        return r
    }

    /// A stop forwarded while children run ends the study as interrupted (the command's exit 130)
    /// even where a child dies of the SIGTERM itself, as one that has not yet set its handler does.
    func testChildrenKilledByTheStopAreStoppedNotFailed() throws {
        var r = try runner(script: "exec sleep 30")
        let stopFile = r.directory + "/stop"
        r.shouldStop = { FileManager.default.fileExists(atPath: stopFile) }
        let dir = r.directory
        let stopper = Thread {
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline
                && ((try? FileManager.default.contentsOfDirectory(atPath: dir + "/logs"))?.count ?? 0) < 2
            {
                usleep(20_000)
            }
            usleep(200_000)
            XCTAssertTrue(
                FileManager.default.createFile(atPath: stopFile, contents: Data()), "cannot write \(stopFile)")
        }
        stopper.start()
        let started = Date()
        let outcome = try r.run()
        XCTAssertTrue(outcome.interrupted)
        XCTAssertEqual(outcome.failed, [], "a run the stop ended is not a failure")
        XCTAssertEqual(outcome.finished, 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 25, "the children ended with the stop, not after 30 s")
    }

    /// Without a stop, a child that exits non-zero is a failure, and the study stops there.
    func testAChildThatFailsIsAFailure() throws {
        let outcome = try runner(script: "exit 3").run()
        XCTAssertFalse(outcome.interrupted)
        XCTAssertFalse(outcome.failed.isEmpty)
    }
}
