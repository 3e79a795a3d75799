import XCTest
@testable import CharRNN

final class StudyTests: XCTestCase {
    func testIntervals() {
        let x = [1.0, 2, 3, 4, 5]
        let t = Statistics.tInterval(x)
        XCTAssertEqual(t.mean, 3)
        XCTAssertEqual(t.high - t.mean, 2.776 * Statistics.standardDeviation(x) / sqrt(5), accuracy: 1e-9)
        // The bootstrap interval of a mean covers it and narrows with more data.
        var rng = RandomGenerator(seed: 3)
        let small = (0..<100).map { _ in rng.nextDouble() }, large = (0..<10_000).map { _ in rng.nextDouble() }
        let a = Statistics.bootstrapMean(small), b = Statistics.bootstrapMean(large, block: 50)
        XCTAssertTrue(a.low < a.mean && a.mean < a.high)
        XCTAssertLessThan(b.high - b.low, a.high - a.low)
        XCTAssertEqual(b.mean, 0.5, accuracy: 0.02)
        XCTAssertTrue(Statistics.bootstrapMean(large.map { $0 - 0.5 }, block: 50).containsZero)
        XCTAssertFalse(Statistics.bootstrapMean(large.map { $0 - 0.4 }, block: 50).containsZero)
    }

    func testHiddenSizesAreMatchedWithinTwoPercent() {
        for target in [50_000, 300_000, 1_000_000, 3_000_000] {
            let l = Study.hiddenSize(for: target, architecture: .lstm, vocabularySize: 65, layers: 2)
            let g = Study.hiddenSize(for: target, architecture: .gru, vocabularySize: 65, layers: 2)
            let pl = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: l, layers: 2).parameterCount
            let pg = ModelConfig(architecture: .gru, vocabularySize: 65, hiddenSize: g, layers: 2).parameterCount
            XCTAssertLessThan(abs(Double(pl - pg)) / Double(target), 0.02, "\(target): \(pl) vs \(pg)")
            XCTAssertGreaterThan(g, l, "a GRU layer has 3 gates to the LSTM's 4")
        }
    }

    func testSmallStudyWritesAReportWithVerdictCurvesAndSamples() throws {
        let file = NSTemporaryDirectory() + "charrnn-study-\(UUID().uuidString).txt"
        try MarkovSource(alphabet: "abcdef \n", seed: 4).generate(count: 40_000, seed: 1).write(
            toFile: file, atomically: true, encoding: .utf8)
        var o = Study.Options(file: file, out: NSTemporaryDirectory() + "charrnn-study-out-\(UUID().uuidString)")
        o.characters = 40 * 16 * 32; o.parameters = 12_000; o.seeds = 2; o.batch = 16; o.sequence = 32;
        o.learningRate = 1e-2
        let study = Study(o)
        study.log = { _ in }
        let report = try study.run()
        XCTAssertEqual(report.runs.count, 4)
        XCTAssertEqual(Set(report.runs.map(\.seed)), [1, 2])
        let s = report.summaries
        XCTAssertLessThan(abs(Double(s[0].parameters - s[1].parameters)) / 12_000, 0.02)
        for r in report.runs {
            XCTAssertTrue(r.testLoss.isFinite && r.testLoss < log(8.0), "learned something: \(r.testLoss)")
        }
        let md = try String(contentsOfFile: o.out + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("**Verdict.**") && md.contains("95%") && md.contains("Sample from the best LSTM"))
        for axis in ["characters", "seconds"] {
            let svg = try String(contentsOfFile: o.out + "/curves-\(axis).svg", encoding: .utf8)
            XCTAssertTrue(
                svg.hasPrefix("<svg") && svg.contains("nats per character") && svg.contains("LSTM seed 2")
                    && svg.contains("hsl("))
            XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 4, "one line per run")
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: o.out + "/results.json"))
        XCTAssertTrue(report.verdict.contains("LSTM") || report.verdict.contains("No significant difference"))
    }

    func testOneSeedHasNoIntervalAndItsVerdictSaysSo() throws {
        let one = Statistics.tInterval([0.02])
        XCTAssertFalse(one.isBounded)
        XCTAssertTrue(one.containsZero)
        XCTAssertEqual(one.text, "0.0200 (no interval)")
        let file = NSTemporaryDirectory() + "charrnn-study1-\(UUID().uuidString).txt"
        try MarkovSource(alphabet: "abcdef \n", seed: 4).generate(count: 30_000, seed: 1).write(
            toFile: file, atomically: true,
            encoding: .utf8)
        var o = Study.Options(file: file, out: NSTemporaryDirectory() + "charrnn-study1-out-\(UUID().uuidString)")
        o.characters = 20 * 16 * 32; o.parameters = 8_000; o.seeds = 1; o.batch = 16; o.sequence = 32;
        o.learningRate = 1e-2
        var lines: [String] = []
        let study = Study(o)
        study.log = { lines.append($0) }
        let report = try study.run()
        XCTAssertTrue(
            report.verdict.contains("No significant difference") || report.verdict.contains("one seed"), report.verdict)
        XCTAssertFalse(report.verdict.contains("performs better"), report.verdict)
        let progress = lines.filter { $0.hasPrefix("[") }
        XCTAssertEqual(progress.count, 2, "one line per run: \(lines)")
        XCTAssertTrue(progress[0].hasPrefix("[1/2] lstm-seed1: test ") && progress[0].contains("ETA"), progress[0])
        XCTAssertTrue(progress[1].hasSuffix("ETA done"), progress[1])
    }

    func testEveryRunOfAPlotHasItsOwnColourInItsArchitecturesFamily() {
        let groups = ["LSTM", "LSTM", "LSTM", "LSTM", "LSTM", "GRU", "GRU"]
        let colours = LearningCurvePlot.colours(for: groups)
        XCTAssertEqual(Set(colours).count, groups.count, "\(colours)")
        func hue(_ c: String) -> Double { Double(c.dropFirst(4).split(separator: ",")[0])! }
        for c in colours.prefix(5) { XCTAssertTrue((190...240).contains(hue(c)), c) }
        for c in colours.suffix(2) { XCTAssertTrue(hue(c) < 40 || hue(c) > 350, c) }
    }

    /// --resume keeps the finished runs of an earlier study and trains only what is missing.
    func testResumeKeepsFinishedRunsAndTrainsTheRest() throws {
        let file = NSTemporaryDirectory() + "charrnn-study-resume-\(UUID().uuidString).txt"
        try MarkovSource(alphabet: "abcdef \n", seed: 5).generate(count: 30_000, seed: 1).write(
            toFile: file, atomically: true, encoding: .utf8)
        var o = Study.Options(file: file, out: NSTemporaryDirectory() + "charrnn-study-resume-out-\(UUID().uuidString)")
        o.characters = 10 * 16 * 32; o.parameters = 8_000; o.seeds = 1; o.batch = 16; o.sequence = 32
        let first = try Study(o).run()
        // Lose one run, as if the study had been killed before it.
        try FileManager.default.removeItem(atPath: o.out + "/runs/gru-seed1")
        let kept = try FileManager.default.attributesOfItem(atPath: o.out + "/runs/lstm-seed1/best.ckpt")[
            .modificationDate]
        o.resume = true
        let second = try Study(o).run()
        let after = try FileManager.default.attributesOfItem(atPath: o.out + "/runs/lstm-seed1/best.ckpt")[
            .modificationDate]
        XCTAssertEqual(kept as? Date, after as? Date, "the finished LSTM run was not trained again")
        XCTAssertEqual(first.runs[0].testLoss, second.runs[0].testLoss)
        XCTAssertEqual(second.runs.count, 2)
        XCTAssertTrue(
            FileManager.default.fileExists(atPath: o.out + "/runs/gru-seed1/best.ckpt"), "the missing run ran")
        XCTAssertEqual(first.runs[1].testLoss, second.runs[1].testLoss, accuracy: 1e-9, "same seed, same run")
    }
}
