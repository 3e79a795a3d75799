#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The learning-rate and dropout search of one arm at one budget: its candidates (each a run of
/// seed 1), its choice once they have all finished, and whether the chosen learning rate lies
/// inside the range tried.
///
/// A study planned with `StudyGrid.searchBudgets` searches at those budgets. The first search of
/// a (corpus, size) tries the rule's learning rate × `searchLearningRates`; a later budget's
/// search centres the same multipliers on the previous searched budget's choice. When an arm's
/// best candidate lies at an end of its learning rates, every arm of the (corpus, size) gets one
/// more candidate beyond that end (× 2 or × 0.5, with each dropout), so that tuning effort stays
/// equal, until every best is inside or `searchExtensions` is used up. Every learning rate is
/// tried with each of `searchDropouts`; the lowest validation loss chooses.
public struct StudySearch: Sendable {
    public var corpus: String, size: StudyGrid.Size, arm: StudyGrid.Arm, budget: StudyGrid.Budget
    /// The candidates known now.
    public var candidates: [StudyPlan.Run]
    /// The chosen learning-rate factor and dropout addition; nil while a candidate has not finished.
    public var choice: (factor: Float, added: Float)?
    /// Whether the chosen factor lies strictly between the smallest and largest tried (nil while
    /// pending; false when the extensions ran out with the best still at an end).
    public var interior: Bool?
}

extension StudyPlan {
    /// The budgets of one (corpus, size) that get a search of their own (none without a search;
    /// an omitted point is neither searched nor trained).
    func searchedBudgets(corpus: String, size: StudyGrid.Size) -> [StudyGrid.Budget] {
        let budgets = grid.budgets.filter { grid.includes(corpus: corpus, size: size, budget: $0) }
        guard grid.searches, let first = budgets.first else { return [] }
        switch grid.searchBudgets ?? .first {
        case .all: return budgets
        case .ends: return budgets.count > 1 ? [first, budgets.last!] : [first]
        case .first: return [first]
        }
    }

    /// The searches of one (corpus, size): per searched budget, smallest first, one per arm. It
    /// stops at the first budget whose searches have not all finished (later ones centre on it).
    func searches(corpus: Corpus, size: StudyGrid.Size, directory: String) -> [[StudySearch]] {
        var out: [[StudySearch]] = []
        var centre: [String: Float] = [:]
        for budget in searchedBudgets(corpus: corpus.name, size: size) {
            let (round, pending) = bracket(
                corpus: corpus, size: size, budget: budget, centre: centre, directory: directory)
            out.append(round)
            if pending { return out }
            for s in round { centre[s.arm.name] = s.choice!.factor }
        }
        return out
    }

    /// One budget's searches, each arm's learning-rate factors centred on `centre` (its choice at
    /// the budget before) and widened for every arm alike while any arm's best lies at an end of
    /// them, up to `searchExtensions` times each way; `pending` while a candidate has not finished.
    func bracket(
        corpus: Corpus, size: StudyGrid.Size, budget: StudyGrid.Budget, centre: [String: Float], directory: String
    ) -> (searches: [StudySearch], pending: Bool) {
        var factors: [String: [Float]] = [:]
        for arm in grid.arms {
            factors[arm.name] = grid.searchLearningRates.map { (centre[arm.name] ?? 1) * $0 }.sorted()
        }
        let extensions = grid.searchBudgets == nil ? 0 : grid.searchExtensions ?? 3
        var up = 0, down = 0
        while true {
            let round = grid.arms.map { arm in
                search(
                    corpus: corpus, size: size, arm: arm, budget: budget, factors: factors[arm.name]!,
                    directory: directory)
            }
            let high = round.contains { s in s.choice.map { $0.factor == factors[s.arm.name]!.last! } ?? false }
            let low = round.contains { s in s.choice.map { $0.factor == factors[s.arm.name]!.first! } ?? false }
            let pending = round.contains { $0.choice == nil }
            let widenUp = high && up < extensions, widenDown = low && down < extensions
            if pending || !(widenUp || widenDown) || grid.searchLearningRates.count < 2 {
                return (settled(round, factors: factors, pending: pending), pending)
            }
            for arm in grid.arms {
                if widenUp { factors[arm.name]!.append(factors[arm.name]!.last! * 2) }
                if widenDown { factors[arm.name]!.insert(factors[arm.name]!.first! / 2, at: 0) }
            }
            if widenUp { up += 1 }
            if widenDown { down += 1 }
        }
    }

    /// A budget's last round as the plan sees it. While any arm's candidate runs, no arm has
    /// chosen: its result may widen every arm's range, and a grid run must not start on a choice
    /// that moves. Each choice is marked inside its factors or at an end.
    func settled(_ round: [StudySearch], factors: [String: [Float]], pending: Bool) -> [StudySearch] {
        round.map { s in
            var s = s
            if pending { s.choice = nil }
            if let c = s.choice, grid.searchLearningRates.count > 1 {
                let f = factors[s.arm.name]!
                s.interior = c.factor != f.first! && c.factor != f.last!
            }
            return s
        }
    }

    /// One arm's candidates at `factors` × the dropouts, and its choice when all have finished.
    func search(
        corpus: Corpus, size: StudyGrid.Size, arm: StudyGrid.Arm, budget: StudyGrid.Budget, factors: [Float],
        directory: String
    ) -> StudySearch {
        let p = point(corpus.name, size, arm.name, budget)
        var candidates: [Run] = []
        var best: (factor: Float, added: Float, loss: Double)?
        var pending = false
        for factor in factors {
            for added in grid.searchDropouts {
                let run = run(
                    name: searchRunName(
                        corpus: corpus, size: size, arm: arm, budget: budget, factor: factor,
                        added: added),
                    isSearch: true, corpus: corpus, point: p, arm: arm, seed: 1, factor: factor, added: added,
                    directory: directory)
                candidates.append(run)
                guard let r = RunResult.load(runDirectory: directory + "/runs/" + run.name) else {
                    pending = true
                    continue
                }
                let v = r.bestValidationLoss ?? .infinity
                if best == nil || v < best!.loss { best = (factor, added, v) }
            }
        }
        return StudySearch(
            corpus: corpus.name, size: size, arm: arm, budget: budget, candidates: candidates,
            choice: pending ? nil : best.map { ($0.factor, $0.added) }, interior: nil)
    }

    /// Named by their values: lr0.5 is the rule's learning rate × 0.5, dropout+0.1 its dropout +
    /// 0.1; a study that searches at more than one budget names the budget too.
    func searchRunName(
        corpus: Corpus, size: StudyGrid.Size, arm: StudyGrid.Arm, budget: StudyGrid.Budget, factor: Float, added: Float
    ) -> String {
        let budgetPart = grid.searchBudgets == nil ? "" : "-\(budget.label)"
        return "\(corpus.name)-\(size.label)-\(arm.name)\(budgetPart)-search-lr\(String(printf: "%g", Double(factor)))"
            + "-dropout+\(String(printf: "%g", Double(added)))"
    }

    /// The (factor, added) the grid runs of one arm at `budget` use: the choice of the budget's own
    /// search, or of the nearest smaller searched budget (`searched`, the (corpus, size)'s
    /// searched budgets); (1, 0) without a search; nil while pending.
    func settings(
        for arm: StudyGrid.Arm, at budget: StudyGrid.Budget, in searches: [[StudySearch]], searched: [StudyGrid.Budget]
    ) -> (factor: Float, added: Float)? {
        if searched.isEmpty { return (1, 0) }
        guard let source = searched.last(where: { $0 <= budget }),
            let index = searched.firstIndex(of: source), index < searches.count
        else { return nil }
        return searches[index].first { $0.arm.name == arm.name }?.choice
    }
}
