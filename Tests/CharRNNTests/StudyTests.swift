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
            let l = StudyPlan.hiddenSize(for: target, architecture: .lstm, vocabularySize: 65, layers: 2)
            let g = StudyPlan.hiddenSize(for: target, architecture: .gru, vocabularySize: 65, layers: 2)
            let pl = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: l, layers: 2).parameterCount
            let pg = ModelConfig(architecture: .gru, vocabularySize: 65, hiddenSize: g, layers: 2).parameterCount
            XCTAssertLessThan(abs(Double(pl - pg)) / Double(target), 0.02, "\(target): \(pl) vs \(pg)")
            XCTAssertGreaterThan(g, l, "a GRU layer has 3 gates to the LSTM's 4")
        }
    }

    func corpus(_ seed: UInt64) throws -> String {
        let file = NSTemporaryDirectory() + "charrnn-study-\(UUID().uuidString).txt"
        try MarkovSource(alphabet: "abcdef \n", seed: seed).generate(count: 30_000, seed: 1).write(
            toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func tinyGrid(_ file: String) -> StudyGrid {
        var g = StudyGrid(corpora: [file], budgets: [.characters(40 * 16 * 32), .characters(20 * 16 * 32)])
        g.sizes = [.parameters(6_000)]; g.batch = 16; g.sequence = 32
        return g
    }

    /// Trains every run known now in-process, as `charrnn train` would with the run's flags.
    func trainKnownRuns(_ plan: StudyPlan, in dir: String) throws {
        for run in plan.runs(in: dir) where RunResult.load(runDirectory: dir + "/runs/" + run.name) == nil {
            var s = TrainingSettings(trainFile: plan.corpora.first { $0.name == run.corpus }!.path)
            s.testFraction = plan.grid.testFraction; s.validationFraction = plan.grid.validationFraction
            s.batch = plan.grid.batch; s.sequence = plan.grid.sequence; s.learningRate = run.learningRate
            s.seed = run.seed + run.arm.seedOffset; s.warmupSteps = 10
            s.initialization = .init(oneHotScale: 1, forgetBias: run.arm.forgetBias)
            if case .characters(let c) = run.budget { s.steps = c / (s.batch * s.sequence) }
            let t = try Trainer(
                settings: s, architecture: run.arm.architecture, layers: plan.grid.layers, hiddenSize: run.hiddenSize,
                embeddingSize: 0, dropout: run.dropout, runDirectory: dir + "/runs/" + run.name, runName: run.name)
            XCTAssertNotNil(try t.run().testLoss)
        }
    }

    func testPlanSearchesFirstThenListsTheGridWithTheSearchsChoice() throws {
        let file = try corpus(4)
        var g = tinyGrid(file)
        g.budgets = [.characters(20 * 16 * 32), .characters(40 * 16 * 32)]
        g.seeds = 2; g.arms = [.lstm, .gru]; g.searchLearningRates = [1, 3]; g.searchDropouts = [0]
        XCTAssertEqual(g.budgets.map(\.label), ["10.24k-chars", "20.48k-chars"])
        let plan = try StudyPlan.make(g) { _ in
            XCTFail("character budgets measure nothing"); return 1
        }
        let dir = NSTemporaryDirectory() + "charrnn-study-plan-\(UUID().uuidString)"
        try plan.save(in: dir)
        XCTAssertEqual(try StudyPlan.load(from: dir), plan)
        let search = plan.runs(in: dir)
        XCTAssertEqual(search.count, 4, "2 arms × 2 learning rates, and no grid run before the search")
        XCTAssertTrue(search.allSatisfy { $0.isSearch && $0.budget == g.budgets[0] && $0.seed == 1 })
        let line = search[1].commandLine
        XCTAssertTrue(line.hasPrefix("charrnn train \(file) --val-fraction 0.1 --test-fraction 0.1 --arch lstm"), line)
        XCTAssertTrue(line.contains("--forget-bias 0.0") && line.contains("--steps 20"), line)
        XCTAssertTrue(line.hasSuffix("--name \(search[1].name) --continue --quiet"), line)
        XCTAssertEqual(search[1].learningRate, 3 * search[0].learningRate)
        try trainKnownRuns(plan, in: dir)
        let all = plan.runs(in: dir)
        XCTAssertEqual(all.count, 4 + 2 * 2 * 2)
        for arm in ["lstm", "gru"] {
            let cands = all.filter { $0.isSearch && $0.arm.name == arm }
            let best = cands.min {
                RunResult.load(runDirectory: dir + "/runs/" + $0.name)!.bestValidationLoss!
                    < RunResult.load(runDirectory: dir + "/runs/" + $1.name)!.bestValidationLoss!
            }!
            for r in all where !r.isSearch && r.arm.name == arm {
                XCTAssertEqual(r.learningRateFactor, best.learningRateFactor, "the search's choice, at every budget")
            }
        }
        try trainKnownRuns(plan, in: dir)
        let report = try StudyReport(directory: dir)
        XCTAssertTrue(report.missing.known.isEmpty && report.missing.waiting == 0)
        XCTAssertEqual(report.cells.count, 2)
        for c in report.cells {
            XCTAssertEqual(c.arms.map(\.testLoss.count), [2, 2])
            XCTAssertEqual(c.differences.count, 1)
            let d = c.differences[0], a = c.arms[0], b = c.arms[1]
            let paired = [1, 2].map { a.testLoss[UInt64($0)]! - b.testLoss[UInt64($0)]! }
            XCTAssertEqual(d.interval.mean, (paired[0] + paired[1]) / 2, accuracy: 1e-12)
            let half = 12.706 * abs(paired[0] - paired[1]) / 2
            XCTAssertEqual(d.interval.high - d.interval.mean, half, accuracy: 1e-9, "Student's t, 1 degree of freedom")
        }
        try report.write()
        let md = try String(contentsOfFile: dir + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Answer") && md.contains("Student's t") && md.contains("Equal tuning"), md)
        let svg = try String(contentsOfFile: dir + "/\(plan.corpora[0].name)-6k-loss.svg", encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg") && svg.contains("<polygon") && svg.contains("LSTM"))
    }

    /// Two arms that differ only in their seeds must not be told apart.
    func testTwoArmsThatDifferOnlyInSeedsShowNoSignificantDifference() throws {
        var g = tinyGrid(try corpus(7))
        g.budgets = [.characters(30 * 16 * 32)]
        g.seeds = 4; g.searchLearningRates = [1]; g.searchDropouts = [0]
        g.arms = [
            StudyGrid.Arm(name: "a", architecture: .lstm),
            StudyGrid.Arm(name: "b", architecture: .lstm, seedOffset: 100),
        ]
        g.comparisons = [["a", "b"]]
        let plan = try StudyPlan.make(g) { _ in 1 }
        let dir = NSTemporaryDirectory() + "charrnn-study-null-\(UUID().uuidString)"
        try plan.save(in: dir)
        try trainKnownRuns(plan, in: dir)
        let report = try StudyReport(directory: dir)
        let d = report.cells[0].differences[0]
        XCTAssertEqual(d.seeds, 4)
        XCTAssertNotEqual(d.interval.mean, 0, "different seeds, different runs")
        XCTAssertNil(d.winner, "\(d.interval)")
        XCTAssertTrue(report.sentence(d).hasPrefix("no significant difference"), report.sentence(d))
        XCTAssertTrue(report.markdown.contains("No point separates them"), report.markdown)
    }

    func testEveryRunOfAPlotHasItsOwnColourInItsArchitecturesFamily() {
        let groups = ["LSTM", "LSTM", "LSTM", "LSTM", "LSTM", "GRU", "GRU"]
        let colours = LearningCurvePlot.colours(for: groups)
        XCTAssertEqual(Set(colours).count, groups.count, "\(colours)")
        func hue(_ c: String) -> Double { Double(c.dropFirst(4).split(separator: ",")[0])! }
        for c in colours.prefix(5) { XCTAssertTrue((190...240).contains(hue(c)), c) }
        for c in colours.suffix(2) { XCTAssertTrue(hue(c) < 40 || hue(c) > 350, c) }
    }
}
