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
