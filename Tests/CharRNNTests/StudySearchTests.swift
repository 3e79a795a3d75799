import XCTest

@testable import CharRNN

/// The study's search brackets its optimum: it widens the learning-rate grid for every arm alike
/// while any arm's best lies at an end, searches each budget centred on the previous choice, and
/// gives the grid runs the choice of their own budget.
final class StudySearchTests: XCTestCase {
    func plan(
        extensions: Int, budgets: StudyGrid.SearchBudgets = .all, sizes: [StudyGrid.Size] = [.parameters(6_000)],
        configure: (inout StudyGrid) -> Void = { _ in }
    ) throws -> (StudyPlan, String) {
        let file = NSTemporaryDirectory() + "charrnn-search-\(UUID().uuidString).txt"
        try MarkovSource(alphabet: "abcdef \n", seed: 2).generate(count: 20_000, seed: 1).write(
            toFile: file, atomically: true, encoding: .utf8)
        var g = StudyGrid(corpora: [file], budgets: [.characters(16 * 32 * 10), .characters(16 * 32 * 40)])
        g.sizes = sizes; g.batch = 16; g.sequence = 32; g.seeds = 1; g.arms = [.lstm, .gru]
        g.searchLearningRates = [0.5, 1, 2]; g.searchDropouts = [0]
        g.searchBudgets = budgets; g.searchExtensions = extensions
        configure(&g)
        let plan = try StudyPlan.make(g) { _ in 1 }
        let dir = NSTemporaryDirectory() + "charrnn-search-plan-\(UUID().uuidString)"
        try plan.save(in: dir)
        return (plan, dir)
    }

    /// Finishes every known search run with a validation loss whose minimum over the factor lies
    /// at 4 for the LSTM and at 1 for the GRU (a parabola in log2 of the factor), as many times as
    /// new runs appear. Returns the search runs, in the order they appeared.
    func finishSearches(
        _ plan: StudyPlan, in dir: String, adding extra: (StudyPlan.Run) -> Double = { _ in 0 },
        settings: (StudyPlan.Run) -> TrainingSettings = { _ in TrainingSettings(trainFile: "x") }
    ) throws -> [StudyPlan.Run] {
        var seen: [StudyPlan.Run] = []
        while true {
            let new = plan.runs(in: dir).filter { r in r.isSearch && !seen.contains { $0.name == r.name } }
            if new.isEmpty { return seen }
            for r in new {
                let optimum: Float = r.arm.name == "lstm" ? 2 : 0
                let loss =
                    Double(1 + (log2(r.learningRateFactor) - optimum) * (log2(r.learningRateFactor) - optimum))
                    + extra(r)
                let config = ModelConfig(
                    architecture: r.arm.architecture, vocabularySize: 8, hiddenSize: r.hiddenSize, layers: 2)
                try FileManager.default.createDirectory(
                    atPath: dir + "/runs/" + r.name, withIntermediateDirectories: true)
                try RunResult(
                    runName: r.name, config: config, parameters: config.parameterCount,
                    settings: settings(r), steps: 1, seconds: 1, charactersSeen: 1,
                    bestValidationLoss: loss, bestStep: 1, finalValidationLoss: loss, testLoss: loss, testCharacters: 1
                ).write(runDirectory: dir + "/runs/" + r.name)
            }
            seen += new
        }
    }

    func factors(_ runs: [StudyPlan.Run], arm: String, budget: StudyGrid.Budget) -> [Float] {
        runs.filter { $0.arm.name == arm && $0.budget == budget }.map(\.learningRateFactor).sorted()
    }

    func testTheSearchWidensForEveryArmUntilEachBestIsInside() throws {
        let (plan, dir) = try plan(extensions: 3)
        let b = plan.grid.budgets
        let search = try finishSearches(plan, in: dir)
        // The LSTM's best was at the top twice: both arms got 4, then 8.
        XCTAssertEqual(factors(search, arm: "lstm", budget: b[0]), [0.5, 1, 2, 4, 8])
        XCTAssertEqual(factors(search, arm: "gru", budget: b[0]), [0.5, 1, 2, 4, 8], "the same effort for every arm")
        // The larger budget centres on each arm's choice.
        XCTAssertEqual(factors(search, arm: "lstm", budget: b[1]), [2, 4, 8])
        XCTAssertEqual(factors(search, arm: "gru", budget: b[1]), [0.5, 1, 2])
        XCTAssertTrue(search.allSatisfy { $0.name.contains("-\($0.budget.label)-search-lr") }, "named with the budget")
        for s in plan.searches(corpus: plan.corpora[0], size: plan.grid.sizes[0], directory: dir).joined() {
            XCTAssertEqual(s.interior, true, "\(s.arm.name) at \(s.budget.label)")
        }
        let grid = plan.runs(in: dir).filter { !$0.isSearch }
        XCTAssertEqual(grid.count, 2 * 2)
        for r in grid { XCTAssertEqual(r.learningRateFactor, r.arm.name == "lstm" ? 4 : 1, r.name) }
        let md = try StudyReport(directory: dir).markdown
        XCTAssertTrue(md.contains("| inside the range |"), md)
        XCTAssertEqual(md.components(separatedBy: " | yes | ").count - 1, 4, "four searches, each bracketed")
        XCTAssertFalse(md.contains("not bracketed"), md)
    }

    func testASearchThatRunsOutOfExtensionsSaysItsBestIsAtAnEnd() throws {
        let (plan, dir) = try plan(extensions: 1, budgets: .first)
        let search = try finishSearches(plan, in: dir)
        XCTAssertEqual(factors(search, arm: "lstm", budget: plan.grid.budgets[0]), [0.5, 1, 2, 4])
        XCTAssertTrue(search.allSatisfy { $0.budget == plan.grid.budgets[0] }, "one search, at the smallest budget")
        let s = plan.searches(corpus: plan.corpora[0], size: plan.grid.sizes[0], directory: dir)
        XCTAssertEqual(s.count, 1)
        XCTAssertEqual(s[0].first { $0.arm.name == "lstm" }?.interior, false)
        XCTAssertEqual(s[0].first { $0.arm.name == "gru" }?.interior, true)
        for r in plan.runs(in: dir) where !r.isSearch {
            XCTAssertEqual(r.learningRateFactor, r.arm.name == "lstm" ? 4 : 1, "every budget takes the one choice")
        }
        let md = try StudyReport(directory: dir).markdown
        XCTAssertTrue(md.contains(" | **no** | "), md)
        XCTAssertTrue(md.contains("1 search ended with the best learning rate still at an end"), md)
    }

    /// The estimate counts the grid runs and each searched budget's first round, at the speeds given.
    func testTheEstimateCountsTheGridAndTheFirstRoundOfEachSearch() throws {
        let (plan, _) = try plan(extensions: 3)
        let e = plan.estimate(machine: "test") { _ in 1000 }
        // 2 arms × 2 budgets × (1 seed + 3 candidates).
        XCTAssertEqual(e.runs, 16)
        XCTAssertEqual(e.searchRuns, 12)
        let characters = Double(2 * 4 * (16 * 32 * 10 + 16 * 32 * 40))
        XCTAssertEqual(e.characters, characters)
        XCTAssertEqual(e.seconds, characters / 1000, accuracy: 1e-9)
        XCTAssertTrue(
            e.summary.hasPrefix("16 runs (12 of them the searches' first round), 204.8k characters"), e.summary)
    }

    /// The manifest is the order of work: the first size's search and grid before the second's.
    func testTheManifestFinishesOneCorpusAndSizeBeforeTheNext() throws {
        let (plan, dir) = try plan(extensions: 0, sizes: [.parameters(6_000), .parameters(12_000)])
        _ = try finishSearches(plan, in: dir)
        let runs = plan.runs(in: dir)
        let small = runs.indices.filter { runs[$0].size == .parameters(6_000) }
        let large = runs.indices.filter { runs[$0].size == .parameters(12_000) }
        XCTAssertFalse(small.isEmpty || large.isEmpty)
        XCTAssertLessThan(small.max()!, large.min()!)
        XCTAssertTrue(runs[small.min()!].isSearch && !runs[small.max()!].isSearch, "its search, then its grid")
    }

    /// A searched budget's grid takes the search's chosen run as its seed 1: the same settings
    /// and seed are not trained twice, and the report counts it once, as a grid run.
    func testTheGridTakesTheSearchsChosenRunAsItsFirstSeed() throws {
        let (plan, dir) = try plan(extensions: 3) {
            $0.seeds = 2; $0.gridReusesSearch = true
        }
        let search = try finishSearches(plan, in: dir)
        let runs = plan.runs(in: dir)
        XCTAssertEqual(Set(runs.map(\.name)).count, runs.count, "no run twice")
        let trained = runs.filter { !$0.isSearch }
        XCTAssertEqual(trained.map(\.seed), [2, 2, 2, 2], "2 arms × 2 budgets, seed 2 only")
        let counted = runs.filter(\.countsInGrid)
        XCTAssertEqual(counted.count, 8)
        for r in counted where r.isSearch {
            XCTAssertEqual(r.seed, 1)
            XCTAssertEqual(r.learningRateFactor, r.arm.name == "lstm" ? 4 : 1, "the chosen candidate, \(r.name)")
        }
        XCTAssertEqual(counted.filter(\.isSearch).count, 4, "one chosen run per arm and budget")
        XCTAssertEqual(search.count, runs.filter(\.isSearch).count)
        let report = try StudyReport(directory: dir)
        XCTAssertEqual(report.missing.waiting, 0)
        XCTAssertEqual(report.missing.known.count, 4, "the seed-2 runs")
        XCTAssertTrue(report.cells.allSatisfy { $0.arms.allSatisfy { $0.testLoss.keys.sorted() == [1] } })
        let e = plan.estimate(machine: "test") { _ in 1000 }
        XCTAssertEqual(e.runs, 2 * 2 * (2 - 1 + 3), "seed 1 is the search's")
    }

    /// While one arm's candidate is unfinished, the other arm has not chosen either (that result may
    /// widen both ranges): no grid run of the budget starts on a choice that could still move.
    func testNoArmChoosesWhileAnotherArmsCandidateRuns() throws {
        let (plan, dir) = try plan(extensions: 3, budgets: .first) {
            $0.seeds = 2; $0.gridReusesSearch = true
        }
        // The LSTM's candidates finish with the best inside its range; the GRU's are still running.
        for r in plan.runs(in: dir) where r.isSearch && r.arm.name == "lstm" {
            let loss = Double(1 + abs(log2(r.learningRateFactor)))
            let config = ModelConfig(architecture: .lstm, vocabularySize: 8, hiddenSize: r.hiddenSize, layers: 2)
            try FileManager.default.createDirectory(atPath: dir + "/runs/" + r.name, withIntermediateDirectories: true)
            try RunResult(
                runName: r.name, config: config, parameters: config.parameterCount,
                settings: TrainingSettings(trainFile: "x"), steps: 1, seconds: 1, charactersSeen: 1,
                bestValidationLoss: loss, bestStep: 1, finalValidationLoss: loss, testLoss: loss, testCharacters: 1
            ).write(runDirectory: dir + "/runs/" + r.name)
        }
        let runs = plan.runs(in: dir)
        XCTAssertEqual(runs.filter { !$0.isSearch }.map(\.name), [], "no grid run while the GRU's search runs")
        XCTAssertFalse(runs.contains(where: \.countsInGrid), "no candidate counted as chosen yet")
        // Once the GRU's finish too (best inside), both choose and the grid runs appear: seed 2 at
        // the searched budget, seeds 1 and 2 at the next, for both arms.
        _ = try finishSearches(plan, in: dir)
        XCTAssertEqual(plan.runs(in: dir).filter { !$0.isSearch }.map(\.seed).sorted(), [1, 1, 2, 2, 2, 2])
    }

    /// An omitted point is neither searched nor trained, and the report does not wait for it.
    func testAnOmittedPointIsNeitherSearchedNorTrained() throws {
        let (plan, dir) = try plan(extensions: 3, budgets: .ends) { g in
            g.gridReusesSearch = true
            let corpus = PathName.deletingExtension(PathName.lastComponent(g.corpora[0]))
            g.omitted = [StudyGrid.Omission(corpus: corpus, size: g.sizes[0], budget: g.budgets[1])]
        }
        _ = try finishSearches(plan, in: dir)
        let runs = plan.runs(in: dir)
        XCTAssertFalse(runs.isEmpty)
        XCTAssertTrue(runs.allSatisfy { $0.budget == plan.grid.budgets[0] }, runs.map(\.name).description)
        let report = try StudyReport(directory: dir)
        XCTAssertEqual(report.expectedGridRuns, 2)
        XCTAssertEqual(report.missing.waiting, 0)
        XCTAssertEqual(plan.estimate(machine: "test") { _ in 1000 }.runs, 2 * 3, "the first budget's search only")
        var other = plan.grid
        other.omitted = [StudyGrid.Omission(corpus: "elsewhere", size: other.sizes[0], budget: other.budgets[1])]
        XCTAssertThrowsError(try StudyPlan.make(other) { _ in 1 }) { error in
            XCTAssertEqual(
                error as? StudyError,
                .omissionOutsideGrid(point: "elsewhere:6k:20.48k-chars", corpora: [plan.corpora[0].name]))
        }
    }

    /// The report shows each point's regularisation and names every arm whose validation loss
    /// rose from one budget to the next, with what the rule changed between them.
    func testTheReportNamesABudgetThatEndedWorseAndItsRegularisation() throws {
        let (plan, dir) = try plan(extensions: 3) { $0.gridReusesSearch = true }
        let larger = plan.grid.budgets[1]
        _ = try finishSearches(plan, in: dir, adding: { r in r.arm.name == "lstm" && r.budget == larger ? 1 : 0 }) {
            var s = TrainingSettings(trainFile: "x")
            if $0.budget == larger { s.weightDecay = 0.1; s.weightDrop = $0.arm.name == "lstm" ? 0.3 : 0.25 }
            return s
        }
        let report = try StudyReport(directory: dir)
        XCTAssertEqual(report.regularisation.count, 4, "two arms at two budgets")
        let reversals = report.regularisationReversals
        XCTAssertEqual(reversals.count, 1, "the GRU improved with the budget; the LSTM did not")
        XCTAssertEqual(reversals.first?.smaller.arm, "lstm")
        XCTAssertEqual(reversals.first?.larger.budget, larger.label)
        XCTAssertEqual(reversals.first?.larger.weightDrop, 0.3)
        let md = report.markdown
        XCTAssertTrue(md.contains("## Regularisation along the budget"))
        XCTAssertTrue(md.contains("weight drop 0.00 → 0.30, weight decay 0.00 → 0.10"), md)
    }

    /// The runner's time left: before any run it is the plan's estimate (the grid and every search's
    /// first round), it falls as they finish, and a plan without speeds has none.
    func testTheTimeLeftStartsAtTheEstimateAndFallsAsRunsFinish() throws {
        var (plan, dir) = try plan(extensions: 3) {
            $0.gridReusesSearch = true; $0.seeds = 2
        }
        XCTAssertNil(plan.secondsLeft(known: plan.runs(in: dir), isFinished: { _ in false }))
        plan.recordSpeeds { $0.architecture == .gru ? 2000 : 1000 }
        try plan.save(in: dir)
        let finished = { (r: StudyPlan.Run) in RunResult.load(runDirectory: dir + "/runs/" + r.name) != nil }
        let estimate = plan.estimate(machine: "test") { $0.architecture == .gru ? 2000 : 1000 }
        XCTAssertEqual(plan.secondsLeft(known: plan.runs(in: dir), isFinished: finished)!, estimate.seconds)
        _ = try finishSearches(plan, in: dir)
        let b = plan.grid.budgets.map(\.amount)
        XCTAssertEqual(
            plan.secondsLeft(known: plan.runs(in: dir), isFinished: finished)!,
            (b[0] + b[1]) * (1.0 / 1000 + 1.0 / 2000),
            accuracy: 1e-9, "each arm's seed-2 grid run at both budgets is left")
    }

    /// A running run's progress is its metrics log's last record against its budget, read from the
    /// end of a log longer than the part read; no log is no progress.
    func testARunsProgressIsItsLastRecordAgainstItsBudget() throws {
        let (plan, dir) = try plan(extensions: 0)
        let run = plan.runs(in: dir)[0]
        let runner = StudyRunner(directory: dir, executable: "/bin/false")
        XCTAssertEqual(runner.progress(of: run), 0)
        guard case .characters(let budget) = run.budget else { return XCTFail("a budget in characters") }
        try FileManager.default.createDirectory(atPath: dir + "/runs/" + run.name, withIntermediateDirectories: true)
        var text = "{\"command\": \"charrnn train x\"}\n"
        for step in 1...100 {
            let r = MetricRecord(
                step: step, epoch: 0, characters: budget * step / 400, seconds: Double(step), trainLoss: 2,
                validationLoss: nil, learningRate: 1e-3, charactersPerSecond: nil)
            text += JSONCoding.string(r) + "\n"
        }
        XCTAssertGreaterThan(text.utf8.count, 1 << 12)
        try text.write(toFile: dir + "/runs/" + run.name + "/metrics.jsonl", atomically: true, encoding: .utf8)
        XCTAssertEqual(runner.progress(of: run), 0.25, accuracy: 1e-3)
        try (text + "{\"step\": 101, \"chara").write(
            toFile: dir + "/runs/" + run.name + "/metrics.jsonl", atomically: true, encoding: .utf8)
        XCTAssertEqual(runner.progress(of: run), 0.25, accuracy: 1e-3, "a line cut short is passed over")
    }

    /// At matched time the faster arm's budgets anchor: the slower arm's characters in the same
    /// time are the budget × the speed ratio, and a point it cannot bracket is left out.
    func testMatchedTimeAnchorsOnTheFasterArm() throws {
        var (plan, dir) = try plan(extensions: 3) { $0.gridReusesSearch = true }
        plan.recordSpeeds { $0.architecture == .gru ? 2000 : 1000 }
        try plan.save(in: dir)
        _ = try finishSearches(plan, in: dir)
        let m = try StudyReport(directory: dir).matchedTime
        XCTAssertEqual(m.count, 1)
        XCTAssertEqual(m[0].faster, "gru")
        XCTAssertEqual(m[0].speedRatio, 0.5)
        let b = plan.grid.budgets.map(\.amount)
        XCTAssertEqual(m[0].points.map(\.fasterCharacters), [b[1]], "half the smallest budget is outside the grid")
        XCTAssertEqual(m[0].points[0].slowerCharacters, b[1] / 2)
        XCTAssertEqual(m[0].points[0].interval.mean, 0, accuracy: 1e-12, "both chosen runs scored 1")
    }
}
