import Foundation
import XCTest

/// A training run stopped by Ctrl-C, a second Ctrl-C, or SIGKILL at random moments.
final class InterruptTests: CLITestCase {
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
}
