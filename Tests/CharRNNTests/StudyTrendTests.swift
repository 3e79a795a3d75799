import XCTest

@testable import CharRNN

/// A comparison along the budget (where its sign changes, or where the trend puts the change) and
/// at matched wall-clock time (the slower arm's loss read off its own curve, never extrapolated).
final class StudyTrendTests: XCTestCase {
    func interval(_ mean: Double) -> Statistics.Interval { .init(mean: mean, low: mean - 0.01, high: mean + 0.01) }

    func testASignChangeIsPlacedBetweenTheTwoBudgetsAroundIt() {
        let c = Crossover(
            corpus: "c", size: "1M", first: "lstm", second: "gru",
            points: [(4e6, interval(0.2)), (16e6, interval(0.1)), (64e6, interval(-0.1))])
        XCTAssertEqual(c.signChange?.from, 16e6)
        XCTAssertEqual(c.signChange?.to, 64e6)
        // Halfway in the means is halfway in log budget: 32M.
        XCTAssertEqual(c.signChange!.at, 32e6, accuracy: 1)
        XCTAssertNil(c.trendZero)
    }

    func testWithoutASignChangeTheTrendSaysWhereItWouldReachZero() {
        let c = Crossover(
            corpus: "c", size: "1M", first: "lstm", second: "gru",
            points: [(4e6, interval(0.3)), (16e6, interval(0.2)), (64e6, interval(0.1))])
        XCTAssertNil(c.signChange)
        // −0.1 per 4×: zero one more 4× on, at 256M.
        XCTAssertEqual(c.trendZero!, 256e6, accuracy: 1e3)
        let away = Crossover(
            corpus: "c", size: "1M", first: "lstm", second: "gru",
            points: [(4e6, interval(0.1)), (16e6, interval(0.2))])
        XCTAssertNil(away.trendZero, "a gap that grows never closes")
    }

    /// A budget located on a line through a few noisy means is written to two figures.
    func testALocatedBudgetIsWrittenToTwoFigures() {
        XCTAssertEqual(StudyReport.roughly(448.99e6), "450M")
        XCTAssertEqual(StudyReport.roughly(31.7e6), "32M")
        XCTAssertEqual(StudyReport.roughly(1.234e9), "1.2G")
    }

    /// "What to pick": the arm better on some corpus and worse on none; otherwise no finding, and
    /// the faster arm.
    func testThePickIsTheArmBetterSomewhereAndWorseNowhere() {
        func d(_ mean: Double, _ winner: String?) -> StudyReport.Difference {
            .init(first: "lstm", second: "gru", seeds: 3, interval: interval(mean), winner: winner)
        }
        func pick(_ ds: [StudyReport.Difference]) -> String {
            StudyReport.pick(
                first: "lstm", second: "gru", names: ["lstm": "LSTM", "gru": "GRU"], differences: ds,
                faster: ("GRU", 1.06))
        }
        XCTAssertEqual(pick([d(0.05, "gru"), d(0.02, nil)]), "**GRU** (better on 1 of 2 corpora; LSTM − GRU +0.035)")
        XCTAssertEqual(pick([d(-0.04, "lstm")]), "**LSTM** (better on 1 of 1 corpus; LSTM − GRU -0.040)")
        XCTAssertEqual(
            pick([d(0.02, nil), d(-0.01, nil)]),
            "no significant difference (LSTM − GRU +0.005); GRU trains 1.06× as fast")
        XCTAssertEqual(
            pick([d(0.05, "gru"), d(-0.04, "lstm")]), "depends on the corpus (LSTM better on 1, GRU on 1 of 2 corpora)")
        XCTAssertEqual(pick([]), "—")
    }

    func testTheSlowerArmsLossIsInterpolatedInLogBudgetAndNeverExtrapolated() {
        let curve = [(1e6, 2.0), (4e6, 1.0), (16e6, 0.5)]
        XCTAssertEqual(StudyReport.interpolate(curve, at: 2e6)!, 1.5, accuracy: 1e-12)
        XCTAssertEqual(StudyReport.interpolate(curve, at: 4e6)!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(StudyReport.interpolate(curve, at: 8e6)!, 0.75, accuracy: 1e-12)
        XCTAssertNil(StudyReport.interpolate(curve, at: 0.5e6))
        XCTAssertNil(StudyReport.interpolate(curve, at: 17e6))
    }
}
