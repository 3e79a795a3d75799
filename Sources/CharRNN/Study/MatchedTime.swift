#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A comparison at matched wall-clock time, from a study run at matched characters.
///
/// Each arm's speed is its model's training chars/s measured when the study was planned, on the
/// whole machine with nothing else running (`StudyPlan.Point.charactersPerSecond`). In the time the
/// faster arm takes for its budget of C characters, the slower one sees C × (slower / faster)
/// characters; its test loss there is read, seed by seed, off its own losses at the grid's budgets
/// (linear in the logarithm of the budget, between the two budgets around it; never extrapolated).
/// The differences are then paired by seed as at matched characters.
public struct MatchedTime: Encodable, Sendable {
    public var corpus: String, size: String
    /// The comparison, first − second, and which of the two is faster (its budgets anchor the time).
    public var first: String, second: String, faster: String
    /// Slower chars/s ÷ faster chars/s.
    public var speedRatio: Double
    /// One point per budget of the faster arm that the slower arm's grid brackets.
    public var points: [Point]

    public struct Point: Encodable, Sendable {
        /// The faster arm's budget (characters) and the slower arm's characters in the same time.
        public var fasterCharacters: Double, slowerCharacters: Double
        public var seeds: Int
        /// first − second, mean and 95% t interval over paired seeds.
        public var interval: Statistics.Interval
    }
}

extension StudyReport {
    /// The matched-time comparisons of every (corpus, size) whose speeds were measured; empty for
    /// plans without speeds or with time budgets (those compare at matched time already).
    public var matchedTime: [MatchedTime] {
        guard case .characters = plan.grid.budgets.first else { return [] }
        let cells = self.cells
        var out: [MatchedTime] = []
        for corpus in plan.corpora {
            for size in plan.grid.sizes {
                let mine = cells.filter { $0.corpus == corpus.name && $0.size == size.label }
                for (a, b) in plan.grid.activeComparisons {
                    if let m = matchedTime(a.name, b.name, corpus: corpus.name, size: size, cells: mine) {
                        out.append(m)
                    }
                }
            }
        }
        return out
    }

    func matchedTime(
        _ first: String, _ second: String, corpus: String, size: StudyGrid.Size, cells: [Cell]
    ) -> MatchedTime? {
        let budgets = plan.grid.budgets.filter { plan.grid.includes(corpus: corpus, size: size, budget: $0) }
        guard let b0 = budgets.first,
            let v1 = plan.point(corpus, size, first, b0).charactersPerSecond,
            let v2 = plan.point(corpus, size, second, b0).charactersPerSecond, v1 > 0, v2 > 0
        else { return nil }
        let (fast, slow) = v1 >= v2 ? (first, second) : (second, first)
        let ratio = min(v1, v2) / max(v1, v2)
        let fastCurves = Self.testLossCurves(fast, cells: cells), slowCurves = Self.testLossCurves(slow, cells: cells)
        let points = budgets.compactMap { budget -> MatchedTime.Point? in
            let target = budget.amount * ratio
            // Seed by seed, in the order of the seeds: the faster arm at its budget, the slower at
            // the same time.
            let differences = fastCurves.keys.sorted().compactMap { seed -> Double? in
                guard let fastLoss = fastCurves[seed]!.first(where: { $0.0 == budget.amount })?.1,
                    let slowLoss = Self.interpolate(slowCurves[seed] ?? [], at: target)
                else { return nil }
                return fast == first ? fastLoss - slowLoss : slowLoss - fastLoss
            }
            guard !differences.isEmpty else { return nil }
            return MatchedTime.Point(
                fasterCharacters: budget.amount, slowerCharacters: target, seeds: differences.count,
                interval: Statistics.tInterval(differences))
        }
        guard !points.isEmpty else { return nil }
        return MatchedTime(
            corpus: corpus, size: size.label, first: first, second: second, faster: fast, speedRatio: ratio,
            points: points)
    }

    /// Seed → [(characters, test loss)] of one arm over `cells`, in the order of the budgets.
    static func testLossCurves(_ arm: String, cells: [Cell]) -> [UInt64: [(Double, Double)]] {
        var out: [UInt64: [(Double, Double)]] = [:]
        for c in cells.sorted(by: { $0.budgetAmount < $1.budgetAmount }) {
            for (seed, loss) in c.arms.first(where: { $0.arm == arm })?.testLoss ?? [:] {
                out[seed, default: []].append((c.budgetAmount, loss))
            }
        }
        return out
    }

    /// The loss at `x` characters, linear in log(characters) between the two points around it;
    /// nil outside them.
    static func interpolate(_ curve: [(Double, Double)], at x: Double) -> Double? {
        for (p, q) in zip(curve, curve.dropFirst()) where p.0 <= x && x <= q.0 {
            if p.0 == q.0 { return p.1 }
            let t = (log(x) - log(p.0)) / (log(q.0) - log(p.0))
            return p.1 + t * (q.1 - p.1)
        }
        return curve.count == 1 && curve[0].0 == x ? curve[0].1 : nil
    }
}
