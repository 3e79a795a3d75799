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

/// What the published studies found, LSTM against GRU at matched parameters and characters, point
/// by point: the evidence `--arch auto` follows. `ArchitectureEvidenceTests` rebuilds the table
/// from the studies' `results.json`, so it cannot drift from their reports.
public enum ArchitectureEvidence {
    /// One size and budget of the study, over its corpora.
    public struct Point: Equatable, Sendable {
        /// The matched parameter count and the characters each run saw.
        public var parameters: Int, characters: Int
        /// LSTM − GRU test loss (nats/char), the mean over the corpora of each one's paired mean.
        public var meanDifference: Double
        /// Corpora where the GRU, or the LSTM, had significantly lower test loss; corpora compared.
        public var gruBetter: Int, lstmBetter: Int, corpora: Int
        /// The study's folder (one of `studies`).
        public var study: String

        public init(
            parameters: Int, characters: Int, meanDifference: Double, gruBetter: Int, lstmBetter: Int, corpora: Int,
            study: String = ArchitectureEvidence.studies[0]
        ) {
            self.parameters = parameters; self.characters = characters; self.meanDifference = meanDifference
            self.gruBetter = gruBetter; self.lstmBetter = lstmBetter; self.corpora = corpora; self.study = study
        }

        /// The architecture significantly better on some corpus and worse on none; nil otherwise.
        public var favoured: Architecture? {
            if gruBetter > 0 && lstmBetter == 0 { return .gru }
            if lstmBetter > 0 && gruBetter == 0 { return .lstm }
            return nil
        }
    }

    /// The published studies, first the one that decides where two measured the same size and
    /// budget: each point is taken from the first study that has it.
    public static let studies = ["docs/study", "docs/study-small"]

    /// The published studies' points: docs/study (2026-12-02 to 12-03: tiny Shakespeare and the
    /// whole KJV, 250k and 1M parameters, 4M to 64M characters, 3 paired seeds; the KJV's 1M point
    /// at 64M left out), then docs/study-small (2026-11-29: three corpora, 60k and 250k parameters,
    /// 250k to 4M characters, 3 paired seeds), whose 250k-parameter 4M point docs/study measured again.
    public static let points: [Point] = [
        Point(
            parameters: 250_000, characters: 4_000_000, meanDifference: 0.0388, gruBetter: 2, lstmBetter: 0, corpora: 2),
        Point(
            parameters: 250_000, characters: 16_000_000, meanDifference: 0.0233, gruBetter: 1, lstmBetter: 0, corpora: 2
        ),
        Point(
            parameters: 250_000, characters: 64_000_000, meanDifference: 0.0215, gruBetter: 1, lstmBetter: 0, corpora: 2
        ),
        Point(
            parameters: 1_000_000, characters: 4_000_000, meanDifference: 0.0258, gruBetter: 0, lstmBetter: 0,
            corpora: 2),
        Point(
            parameters: 1_000_000, characters: 16_000_000, meanDifference: 0.0166, gruBetter: 0, lstmBetter: 0,
            corpora: 2),
        Point(
            parameters: 1_000_000, characters: 64_000_000, meanDifference: 0.011, gruBetter: 1, lstmBetter: 0,
            corpora: 1),
        Point(
            parameters: 60_000, characters: 250_000, meanDifference: 0.3947, gruBetter: 2, lstmBetter: 0, corpora: 3,
            study: "docs/study-small"),
        Point(
            parameters: 60_000, characters: 1_000_000, meanDifference: 0.2145, gruBetter: 2, lstmBetter: 0, corpora: 3,
            study: "docs/study-small"),
        Point(
            parameters: 60_000, characters: 4_000_000, meanDifference: 0.1422, gruBetter: 2, lstmBetter: 0, corpora: 3,
            study: "docs/study-small"),
        Point(
            parameters: 250_000, characters: 250_000, meanDifference: 0.316, gruBetter: 3, lstmBetter: 0, corpora: 3,
            study: "docs/study-small"),
        Point(
            parameters: 250_000, characters: 1_000_000, meanDifference: 0.1836, gruBetter: 3, lstmBetter: 0, corpora: 3,
            study: "docs/study-small"),
    ]

    /// The study's point nearest to a run of `parameters` and `characters` (distance in the
    /// logarithms of both).
    public static func nearest(parameters: Double, characters: Double, in points: [Point] = points) -> Point {
        func distance(_ p: Point) -> Double {
            abs(log(parameters / Double(p.parameters))) + abs(log(characters / Double(p.characters)))
        }
        return points.min { distance($0) < distance($1) }!
    }

    /// Whether a run lies inside the range of sizes and budgets that one study measured (two studies'
    /// ranges together leave corners that neither measured).
    public static func covers(parameters: Double, characters: Double, in points: [Point] = points) -> Bool {
        Dictionary(grouping: points, by: \.study).values.contains { study in
            let ps = study.map { Double($0.parameters) }, cs = study.map { Double($0.characters) }
            return (ps.min()!...ps.max()!).contains(parameters) && (cs.min()!...cs.max()!).contains(characters)
        }
    }

    /// How much more work per second one architecture must do here to count as faster: speeds
    /// measured in short bursts on a shared machine differ by nearly this much from one run to the next.
    public static let clearlyFaster = 1.1

    /// `clearlyFaster` as the margin a reason states ("10%").
    public static var clearlyFasterMargin: String { String(printf: "%.0f%%", (clearlyFaster - 1) * 100) }

    /// The architecture for a run of about `parameters` and `characters`, and why: the one the
    /// nearest point favours; where it favours neither, `faster.0` with its reason `faster.1`, or,
    /// where neither is clearly faster here (`faster.0` nil), the one with the lower mean there.
    public static func choose(
        parameters: Double, characters: Double, faster: (Architecture?, String), in points: [Point] = points
    ) -> (architecture: Architecture, reason: String) {
        let p = nearest(parameters: parameters, characters: characters, in: points)
        let here =
            "its nearest point to this run (about \(formatQuantity(twoFigures(parameters))) parameters, "
            + "\(formatQuantity(twoFigures(characters))) characters\(covers(parameters: parameters, characters: characters, in: points) ? "" : "; outside the sizes and budgets it measured, so an extrapolation"))"
        let at =
            "\(formatQuantity(Double(p.parameters))) parameters and \(formatQuantity(Double(p.characters))) characters"
        let source = p.study + "/report.md"
        guard let a = p.favoured else {
            let none = "the study (\(source)) found no significant difference at \(at), \(here); "
            if let quicker = faster.0 {
                return (quicker, "\(quicker.displayName): " + none + "so the faster one here, \(faster.1)")
            }
            let lower: Architecture = p.meanDifference < 0 ? .lstm : .gru
            return (
                lower,
                "\(lower.displayName): " + none + "neither trains faster here by \(clearlyFasterMargin) "
                    + "(\(faster.1)), so the one with the "
                    + "lower mean test loss there (LSTM − GRU " + String(printf: "%+.3f", p.meanDifference)
                    + " nats/char)"
            )
        }
        let wins = a == .gru ? p.gruBetter : p.lstmBetter
        return (
            a,
            "\(a.displayName): the study (\(source)) found it significantly better on \(wins) of \(p.corpora) corpora "
                + "at \(at) (LSTM − GRU " + String(printf: "%+.3f", p.meanDifference) + " nats/char), \(here)"
        )
    }

    /// `x` to two significant figures (209,330 → 210,000).
    static func twoFigures(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x }
        let unit = pow(10, floor(log10(x)) - 1)
        return (x / unit).rounded() * unit
    }
}
