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

/// One comparison (first − second) along the budget, for one corpus and size: where its mean
/// changes sign, and, where it does not within the grid, where a straight line through the means
/// against log(budget) would put the change.
public struct Crossover: Encodable, Sendable {
    public var corpus: String, size: String, first: String, second: String
    /// Budget (its amount) and the paired difference there, smallest budget first.
    public var amounts: [Double]
    public var intervals: [Statistics.Interval]
    /// The first pair of neighbouring budgets whose means have opposite signs, and the budget
    /// between them where the line through the two reaches 0 (in log budget).
    public var signChange: (from: Double, to: Double, at: Double)?
    /// Where the least-squares line of mean against log(budget) reaches 0, beyond the largest
    /// budget; nil when the sign changes inside the grid, when the line moves away from 0, or with
    /// fewer than two budgets.
    public var trendZero: Double?

    enum CodingKeys: String, CodingKey { case corpus, size, first, second, amounts, intervals, signChangeAt, trendZero }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(corpus, forKey: .corpus); try c.encode(size, forKey: .size)
        try c.encode(first, forKey: .first); try c.encode(second, forKey: .second)
        try c.encode(amounts, forKey: .amounts); try c.encode(intervals, forKey: .intervals)
        try c.encodeIfPresent(signChange?.at, forKey: .signChangeAt);
        try c.encodeIfPresent(trendZero, forKey: .trendZero)
    }

    /// From the differences at each budget (amount, interval), smallest budget first.
    public init(
        corpus: String, size: String, first: String, second: String, points: [(Double, Statistics.Interval)]
    ) {
        self.corpus = corpus; self.size = size; self.first = first; self.second = second
        amounts = points.map(\.0); intervals = points.map(\.1)
        for (p, q) in zip(points, points.dropFirst()) where (p.1.mean < 0) != (q.1.mean < 0) {
            let t = p.1.mean / (p.1.mean - q.1.mean)
            signChange = (p.0, q.0, exp(log(p.0) + t * (log(q.0) - log(p.0))))
            break
        }
        guard signChange == nil, points.count >= 2 else { return }
        let x = points.map { log($0.0) }, y = points.map(\.1.mean)
        let mx = Statistics.mean(x), my = Statistics.mean(y)
        var sxx = 0.0, sxy = 0.0
        for (u, v) in zip(x, y) {
            sxx += (u - mx) * (u - mx)
            sxy += (u - mx) * (v - my)
        }
        let slope = sxy / sxx
        // The line reaches 0 beyond the grid only if it moves toward 0 as the budget grows.
        guard sxx > 0, slope != 0, (y.last! > 0) == (slope < 0) else { return }
        let zero = mx - my / slope
        if zero > x.last! { trendZero = exp(zero) }
    }
}

extension StudyReport {
    /// Every comparison's course along the budget, per corpus and size, where it has two or more budgets.
    public var crossovers: [Crossover] {
        let cells = self.cells
        var out: [Crossover] = []
        for corpus in plan.corpora {
            for size in plan.grid.sizes {
                let mine = cells.filter { $0.corpus == corpus.name && $0.size == size.label }
                    .sorted { $0.budgetAmount < $1.budgetAmount }
                for (a, b) in plan.grid.activeComparisons {
                    let points = mine.compactMap { c in
                        c.difference(a.name, b.name).map {
                            (c.budgetAmount, $0.interval)
                        }
                    }
                    guard points.count >= 2 else { continue }
                    out.append(
                        Crossover(corpus: corpus.name, size: size.label, first: a.name, second: b.name, points: points))
                }
            }
        }
        return out
    }
}
