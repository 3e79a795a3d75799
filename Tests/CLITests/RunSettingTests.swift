import CharRNN
import Foundation
import XCTest

/// Every setting of a run is one row of `RunSetting.all`, and for each one: `charrnn train` has
/// its flag, a run stores it (the checkpoint's explicit command says it), running that command
/// gives the same run, and a resumed run refuses a change of it by name (or takes it, for the
/// budget). A setting added without a flag, a row, or a sample here fails this test.
final class RunSettingTests: CLITestCase {
    /// Each stored field of `TrainingSettings` and the flags that set it; fields that are not
    /// flags say why.
    static let fieldFlags: [String: [String]] = [
        "trainFile": [],  // the positional FILE
        "validationFile": ["--val-file"], "validationFraction": ["--val-fraction"],
        "testFraction": ["--test-fraction"], "bytes": ["--bytes"], "batch": ["--batch"], "sequence": ["--seq"],
        "learningRate": ["--lr"], "finalLearningRateFraction": ["--lr-final"], "warmupSteps": ["--warmup"],
        "schedule": ["--lr-schedule"], "clip": ["--clip"], "weightDecay": ["--weight-decay"], "seed": ["--seed"],
        "evalEvery": ["--eval-every"], "epochs": ["--epochs"], "steps": ["--steps"],
        "timeSeconds": [],  // --time, written as the --steps it was turned into
        "initialization": ["--init-one-hot", "--forget-bias"], "weightDrop": ["--weight-drop"],
        "emaDecay": ["--ema"], "keep": ["--keep"], "initFrom": ["--init-from"],
        "precision": ["--precision"], "command": [],  // rendered from the rest
    ]

    /// For each flag: a value for a new run, and another one for its resume ("" = a flag alone).
    static let samples: [String: (value: String, other: String)] = [
        "--val-file": ("VAL", "VAL2"), "--val-fraction": ("0.2", "0.3"), "--test-fraction": ("0.1", "0.2"),
        "--bytes": ("", ""), "--arch": ("gru", "lstm"), "--layers": ("2", "3"), "--hidden": ("12", "16"),
        "--embedding": ("4", "6"), "--dropout": ("0.1", "0.2"), "--weight-drop": ("0.1", "0.2"),
        "--init-one-hot": ("0.5", "0.5"), "--forget-bias": ("1.0", "1.0"), "--batch": ("6", "8"),
        "--seq": ("12", "20"), "--lr": ("0.01", "0.02"), "--lr-schedule": ("linear", "constant"),
        "--lr-final": ("0.5", "0.2"), "--warmup": ("3", "4"), "--clip": ("2.0", "3.0"),
        "--weight-decay": ("0.01", "0.02"), "--ema": ("0.9", "0.8"), "--seed": ("7", "8"), "--steps": ("3", "4"),
        "--epochs": ("0.5", "0.6"), "--eval-every": ("1", "2"), "--keep": ("1", "2"), "--init-from": ("BASE", "BASE"),
        "--precision": ("bf16", "fp32"),
    ]

    func testEveryFieldOfTheSettingsHasAFlagARowAndASample() {
        let fields = Mirror(reflecting: TrainingSettings(trainFile: "x")).children.compactMap(\.label)
        let rows = Set(RunSetting.all.map(\.flag))
        for field in fields {
            guard let flags = Self.fieldFlags[field] else {
                XCTFail("TrainingSettings.\(field) has no flag here: add its RunSetting row and flag")
                continue
            }
            for flag in flags { XCTAssertTrue(rows.contains(flag), "\(field): \(flag) is not in RunSetting.all") }
        }
        for row in RunSetting.all { XCTAssertNotNil(Self.samples[row.flag], "\(row.flag) has no sample value here") }
        let help = (try? run(["train", "--help"]).stdout) ?? ""
        for row in RunSetting.all { XCTAssertTrue(help.contains(row.flag + " "), "charrnn train has no \(row.flag)") }
    }

    func testEverySettingRoundTripsAndAResumeRefusesAChangeByName() throws {
        let folder = temp("settings"), runs = folder + "/runs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let corpus = folder + "/corpus.txt", val = folder + "/val.txt", val2 = folder + "/val2.txt"
        try Self.generatedText(characters: 30_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        for f in [val, val2] {
            try Self.generatedText(characters: 3_000).write(toFile: f, atomically: true, encoding: .utf8)
        }
        let base = [
            "--hidden", "8", "--layers", "1", "--batch", "4", "--seq", "16", "--steps", "2", "--checkpoint-dir", runs,
            "--quiet",
        ]
        XCTAssertEqual(try run(["train", corpus] + base + ["--name", "base"]).status, 0)
        let resolve = ["VAL": val, "VAL2": val2, "BASE": runs + "/base/latest.ckpt"]

        /// The base options with `flag value` in place of the base's own value of that flag.
        func options(_ flag: String, _ value: String) -> [String] {
            var words = base
            if let i = words.firstIndex(of: flag) { words.removeSubrange(i...(i + 1)) }
            return words + (value.isEmpty ? [flag] : [flag, resolve[value] ?? value])
        }
        func command(_ checkpoint: String) throws -> [String] {
            let line = try run(["inspect", checkpoint]).stdout.split(separator: "\n").first { $0.hasPrefix("command:") }
            return try XCTUnwrap(line).dropFirst("command:".count).split(separator: " ").map(String.init)
        }
        for row in RunSetting.all {
            let (value, other) = try XCTUnwrap(Self.samples[row.flag])
            let name = "run" + row.flag.replacingOccurrences(of: "-", with: "_")
            let trained = try run(["train", corpus, "--name", name] + options(row.flag, value))
            XCTAssertEqual(trained.status, 0, "\(row.flag): \(trained.stderr)")
            let latest = runs + "/" + name + "/latest.ckpt"
            let words = try command(latest)
            let given = value.isEmpty ? [row.flag] : [row.flag, resolve[value] ?? value]
            let at = words.firstIndex(of: row.flag)
            XCTAssertEqual(
                at.map { Array(words[$0..<min(words.count, $0 + given.count)]) }, given, "\(row.flag) stored")

            // The explicit command repeats the run: the same command again, under another name.
            var again = words
            again[again.firstIndex(of: "--name")! + 1] = name + "_again"
            XCTAssertEqual(try run(Array(again.dropFirst())).status, 0, "\(row.flag): \(again.joined(separator: " "))")
            var repeated = try command(runs + "/" + name + "_again/latest.ckpt")
            repeated[repeated.firstIndex(of: "--name")! + 1] = name
            XCTAssertEqual(repeated, words, "\(row.flag): the explicit command gives the same settings")

            // A resume: refused by name when the setting is fixed, taken when it may change.
            let target = row.flag == "--bytes" ? runs + "/base/latest.ckpt" : latest
            let changed = other.isEmpty ? [row.flag] : [row.flag, resolve[other] ?? other]
            let resumed = try run(["train", "--resume", target, "--quiet"] + changed)
            switch row.onResume {
            case .changeable:
                XCTAssertEqual(resumed.status, 0, "\(row.flag) may change on resume: \(resumed.stderr)")
            case .fixed, .newRunOnly:
                XCTAssertEqual(resumed.status, 1, "\(row.flag) changed on resume")
                let named = try Regex(row.flag + "[^a-z-]")
                XCTAssertTrue(
                    resumed.stderr.hasPrefix("charrnn: error: ") && resumed.stderr.contains(named),
                    "\(row.flag): \(resumed.stderr)")
            }
        }
    }
}
