#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a study will cost on the machine that planned it, before any run: the grid runs and the
/// first round of each search, at the training speed measured for each model (a few timed steps
/// each, on every core this process may use). Searches that widen their range add runs that no
/// estimate can know in advance; the report's compute section gives what was spent.
public struct StudyEstimate: Codable, Equatable, Sendable {
    /// Runs counted: the grid's, and the first round of every search.
    public var runs: Int, searchRuns: Int
    /// Characters those runs see.
    public var characters: Double
    /// Seconds of training they take at the measured speeds, one run at a time.
    public var seconds: Double
    /// The CPU and thread count the speeds were measured with.
    public var measuredOn: String

    /// One line: "224 runs (48 of them search), 2.9G characters, about 14h of training here".
    public var summary: String {
        "\(runs) runs (\(searchRuns) of them the searches' first round), "
            + "\(formatQuantity(characters)) characters, about \(formatDuration(seconds)) of training at the speed "
            + "measured on \(measuredOn), one run at a time (more with widened searches)"
    }
}

extension StudyPlan {
    /// The estimate at `speed` (training characters per second of a model, called once per point:
    /// the caller keeps what it measured), measured on `machine`.
    public func estimate(machine: String, speed: (ModelConfig) -> Double) -> StudyEstimate {
        var runs = 0, searchRuns = 0, characters = 0.0, seconds = 0.0
        let candidates = grid.searchLearningRates.count * grid.searchDropouts.count
        for p in points where grid.includes(corpus: p.corpus, size: p.size, budget: p.budget) {
            guard let arm = grid.arms.first(where: { $0.name == p.arm }),
                let corpus = corpora.first(where: { $0.name == p.corpus })
            else { continue }
            let rate = speed(model(of: p, arm: arm, corpus: corpus))
            let searched = searchedBudgets(corpus: p.corpus, size: p.size).contains(p.budget)
            let reused = searched && grid.gridReusesSearch == true ? 1 : 0
            let count = max(1, grid.seeds) - reused + (searched ? candidates : 0)
            searchRuns += searched ? candidates : 0
            runs += count
            switch p.budget {
            case .characters(let c):
                characters += Double(count * c)
                seconds += Double(count * c) / max(rate, 1)
            case .seconds(let s):
                characters += Double(count) * s * rate
                seconds += Double(count) * s
            }
        }
        return StudyEstimate(
            runs: runs, searchRuns: searchRuns, characters: characters, seconds: seconds, measuredOn: machine)
    }

    /// Training seconds left at the speeds measured when the study was planned: the known `runs`
    /// not finished, the grid runs still waiting for their search, and the first round of every
    /// search not listed yet (searches that widen add more). nil for a plan without those speeds.
    /// Before any run it equals the estimate's seconds.
    public func secondsLeft(known runs: [Run], isFinished: (Run) -> Bool) -> Double? {
        let candidates = grid.searchLearningRates.count * grid.searchDropouts.count
        var left = 0.0
        for p in points where grid.includes(corpus: p.corpus, size: p.size, budget: p.budget) {
            guard let each = plannedSeconds(p) else { return nil }
            let here = runs.filter {
                $0.corpus == p.corpus && $0.size == p.size && $0.arm.name == p.arm && $0.budget == p.budget
            }
            let searched = searchedBudgets(corpus: p.corpus, size: p.size).contains(p.budget)
            let gridRuns = max(1, grid.seeds) - (searched && grid.gridReusesSearch == true ? 1 : 0)
            let unlisted =
                max(0, gridRuns - here.filter { !$0.isSearch }.count)
                + (searched && !here.contains(where: \.isSearch) ? candidates : 0)
            left += Double(here.filter { !isFinished($0) }.count + unlisted) * each
        }
        return left
    }

    /// Seconds of one run of `run`'s point at the speed measured when the study was planned.
    public func plannedSeconds(of run: Run) -> Double? {
        plannedSeconds(point(run.corpus, run.size, run.arm.name, run.budget))
    }

    /// Seconds of one run at `p` (nil without a measured speed).
    func plannedSeconds(_ p: Point) -> Double? {
        guard let rate = p.charactersPerSecond, rate > 0 else { return nil }
        switch p.budget {
        case .characters(let c): return Double(c) / rate
        case .seconds(let s): return s
        }
    }

    /// The model a point trains.
    func model(of p: Point, arm: StudyGrid.Arm, corpus: Corpus) -> ModelConfig {
        ModelConfig(
            architecture: arm.architecture, vocabularySize: corpus.vocabularySize, hiddenSize: p.hiddenSize,
            layers: grid.layers)
    }

    /// Each point's model's training speed (`speed`, called once per point), stored in the plan.
    public mutating func recordSpeeds(_ speed: (ModelConfig) -> Double) {
        for (i, p) in points.enumerated() {
            guard let arm = grid.arms.first(where: { $0.name == p.arm }),
                let corpus = corpora.first(where: { $0.name == p.corpus })
            else { continue }
            points[i].charactersPerSecond = speed(model(of: p, arm: arm, corpus: corpus))
        }
    }
}
