import XCTest

@testable import CharRNN

/// `--arch auto` follows the published study: its table is the study's report, point by point,
/// and a run takes the architecture favoured at the nearest point, or the faster one where the
/// study found no difference.
final class ArchitectureEvidenceTests: XCTestCase {
    /// The table, rebuilt from the published studies' results (each point from the first study
    /// that has it): a study published without updating the table fails here, and the message is
    /// the table to paste.
    func testTheTableIsThePublishedStudies() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var points: [ArchitectureEvidence.Point] = []
        for study in ArchitectureEvidence.studies {
            let report = try StudyReport(directory: root.appendingPathComponent(study).path)
            let missing = report.missing
            XCTAssertTrue(
                missing.known.isEmpty && missing.waiting == 0,
                "\(study) is not finished: \(missing.known.count) runs to do, \(missing.waiting) waiting")
            for point in Self.points(of: report, study: study)
            where !points.contains(where: { $0.parameters == point.parameters && $0.characters == point.characters }) {
                points.append(point)
            }
        }
        let literal = points.map {
            "Point(parameters: \($0.parameters), characters: \($0.characters), meanDifference: \($0.meanDifference), "
                + "gruBetter: \($0.gruBetter), lstmBetter: \($0.lstmBetter), corpora: \($0.corpora)"
                + "\($0.study == ArchitectureEvidence.studies[0] ? "" : ", study: \"\($0.study)\"")),"
        }.joined(separator: "\n")
        XCTAssertEqual(ArchitectureEvidence.points, points, "the table should be:\n\(literal)")
    }

    /// One study's points: LSTM − GRU at each size and budget, over the corpora that compared them.
    static func points(of report: StudyReport, study: String) -> [ArchitectureEvidence.Point] {
        var points: [ArchitectureEvidence.Point] = []
        for size in report.plan.grid.sizes {
            guard case .parameters(let n) = size else { continue }
            for budget in report.plan.grid.budgets {
                guard case .characters(let c) = budget else { continue }
                let ds = report.cells.filter { $0.size == size.label && $0.budgetAmount == budget.amount }
                    .compactMap { $0.difference("lstm", "gru") }
                guard !ds.isEmpty else { continue }
                let mean = ds.map(\.interval.mean).reduce(0, +) / Double(ds.count)
                points.append(
                    .init(
                        parameters: n, characters: c, meanDifference: (mean * 1e4).rounded() / 1e4,
                        gruBetter: ds.filter { $0.winner == "gru" }.count,
                        lstmBetter: ds.filter { $0.winner == "lstm" }.count, corpora: ds.count, study: study))
            }
        }
        return points
    }

    /// With points from two studies, a run names the study of the point that decided it.
    func testARunNamesTheStudyOfItsNearestPoint() throws {
        let newer = ArchitectureEvidence.Point(
            parameters: 250_000, characters: 4_000_000, meanDifference: 0.01, gruBetter: 0, lstmBetter: 0, corpora: 2,
            study: "docs/study")
        let older = ArchitectureEvidence.Point(
            parameters: 60_000, characters: 1_000_000, meanDifference: 0.2, gruBetter: 3, lstmBetter: 0, corpora: 3,
            study: "docs/study-small")
        let c = ArchitectureEvidence.choose(
            parameters: 70_000, characters: 1e6, faster: (.lstm, "faster"), in: [newer, older])
        XCTAssertEqual(c.architecture, .gru)
        XCTAssertTrue(c.reason.contains("the study (docs/study-small/report.md) found it"), c.reason)
        let d = ArchitectureEvidence.choose(
            parameters: 250_000, characters: 4e6, faster: (.lstm, "faster"), in: [newer, older])
        XCTAssertEqual(d.architecture, .lstm)
        XCTAssertTrue(d.reason.contains("the study (docs/study/report.md) found no significant"), d.reason)
    }

    /// Inside one study's sizes and budgets is measured; a corner between two studies' ranges is not.
    func testOnlyOneStudysRangeCoversARun() {
        let small = [(60_000, 250_000), (250_000, 4_000_000)].map {
            ArchitectureEvidence.Point(
                parameters: $0.0, characters: $0.1, meanDifference: 0.1, gruBetter: 1, lstmBetter: 0, corpora: 1,
                study: "docs/study-small")
        }
        let large = [(250_000, 4_000_000), (1_000_000, 64_000_000)].map {
            ArchitectureEvidence.Point(
                parameters: $0.0, characters: $0.1, meanDifference: 0.01, gruBetter: 0, lstmBetter: 0, corpora: 1,
                study: "docs/study")
        }
        let both = small + large
        XCTAssertTrue(ArchitectureEvidence.covers(parameters: 100_000, characters: 1e6, in: both))
        XCTAssertTrue(ArchitectureEvidence.covers(parameters: 500_000, characters: 20e6, in: both))
        XCTAssertFalse(ArchitectureEvidence.covers(parameters: 1_000_000, characters: 1e6, in: both))
        XCTAssertFalse(ArchitectureEvidence.covers(parameters: 60_000, characters: 64e6, in: both))
        let corner = ArchitectureEvidence.choose(
            parameters: 900_000, characters: 500_000, faster: (.lstm, "faster"), in: both)
        XCTAssertTrue(corner.reason.contains("so an extrapolation"), corner.reason)
    }

    let table: [ArchitectureEvidence.Point] = [
        .init(
            parameters: 250_000, characters: 4_000_000, meanDifference: 0.09, gruBetter: 3, lstmBetter: 0, corpora: 3),
        .init(
            parameters: 1_000_000, characters: 64_000_000, meanDifference: 0.01, gruBetter: 0, lstmBetter: 0, corpora: 2
        ),
        .init(
            parameters: 1_000_000, characters: 16_000_000, meanDifference: -0.02, gruBetter: 0, lstmBetter: 2,
            corpora: 2),
    ]

    func testTheNearestPointDecides() {
        let gru = ArchitectureEvidence.choose(
            parameters: 300_000, characters: 5e6, faster: (.lstm, "faster"), in: table)
        XCTAssertEqual(gru.architecture, .gru)
        XCTAssertTrue(
            gru.reason.contains("significantly better on 3 of 3 corpora at 250k parameters and 4M"), gru.reason)
        XCTAssertFalse(gru.reason.contains("extrapolation"), "inside the range measured: \(gru.reason)")
        let lstm = ArchitectureEvidence.choose(
            parameters: 900_000, characters: 20e6, faster: (.gru, "faster"), in: table)
        XCTAssertEqual(lstm.architecture, .lstm)
        XCTAssertTrue(lstm.reason.contains("LSTM − GRU -0.020"), lstm.reason)
    }

    func testWithoutASignificantDifferenceTheFasterOneIsPicked() {
        let c = ArchitectureEvidence.choose(
            parameters: 2_000_000, characters: 100e6, faster: (.gru, "41K chars/s against the LSTM's 38K"), in: table)
        XCTAssertEqual(c.architecture, .gru)
        XCTAssertTrue(c.reason.contains("no significant difference at 1M parameters and 64M characters"), c.reason)
        XCTAssertTrue(c.reason.contains("so the faster one here, 41K chars/s"), c.reason)
        XCTAssertTrue(c.reason.contains("so an extrapolation"), "beyond the largest size: \(c.reason)")
    }

    /// Where the study found no difference and neither is clearly faster here, the lower mean decides.
    func testWithoutADifferenceOrAClearlyFasterOneTheLowerMeanIsPicked() {
        let tie = [
            ArchitectureEvidence.Point(
                parameters: 1_000_000, characters: 4_000_000, meanDifference: 0.026, gruBetter: 0, lstmBetter: 0,
                corpora: 2),
            ArchitectureEvidence.Point(
                parameters: 1_000_000, characters: 64_000_000, meanDifference: -0.004, gruBetter: 0, lstmBetter: 0,
                corpora: 2),
        ]
        let gru = ArchitectureEvidence.choose(parameters: 1.4e6, characters: 7e6, faster: (nil, "speeds"), in: tie)
        XCTAssertEqual(gru.architecture, .gru)
        XCTAssertTrue(gru.reason.contains("neither trains faster here by 10% (speeds), so the one with the lower mean"))
        XCTAssertTrue(gru.reason.contains("(LSTM − GRU +0.026 nats/char)"), gru.reason)
        let lstm = ArchitectureEvidence.choose(parameters: 1e6, characters: 60e6, faster: (nil, "speeds"), in: tie)
        XCTAssertEqual(lstm.architecture, .lstm)
        let quicker = ArchitectureEvidence.choose(parameters: 1e6, characters: 60e6, faster: (.gru, "faster"), in: tie)
        XCTAssertEqual(quicker.architecture, .gru)
    }

    /// Faster means more work per second (characters per second × parameters), by at least 10%.
    func testTheFasterOneIsFasterAtTheSameSizeAndBeyondTheNoise() {
        let lstm = ModelConfig(architecture: .lstm, vocabularySize: 65, hiddenSize: 320, layers: 2)
        let gru = ModelConfig(architecture: .gru, vocabularySize: 65, hiddenSize: 384, layers: 2)
        let both = [(Architecture.lstm, lstm, 7.4e6), (.gru, gru, 7.6e6)]
        func pick(lstm l: Double, gru g: Double) -> (Architecture, String) {
            TrainingPlan.automaticArchitecture(both, measured: true) { $0.architecture == .lstm ? l : g }
        }
        // 49K chars/s on the smaller LSTM against 43K on the larger GRU: 1.07× the work, not faster.
        let near = pick(lstm: 49_000, gru: 43_000)
        XCTAssertTrue(near.1.contains("neither trains faster here by 10%"), near.1)
        XCTAssertTrue(
            near.1.contains("LSTM 49K chars/s at 1.3M parameters against the GRU's 43K chars/s at 1.4M"), near.1)
        let fast = pick(lstm: 60_000, gru: 43_000)
        XCTAssertTrue(fast.1.contains("so the faster one here, LSTM 60K chars/s"), fast.1)
        XCTAssertTrue(fast.1.contains("1.30× the work per second"), fast.1)
        XCTAssertEqual(fast.0, ArchitectureEvidence.nearest(parameters: 1.4e6, characters: 7.5e6).favoured ?? .lstm)
    }

    /// A run without --arch states the architecture, the reason, and names it in the repeat command.
    func testARunWithoutArchSaysWhichAndWhyAndTheCommandNamesIt() throws {
        let file = NSTemporaryDirectory() + "charrnn-arch-\(UUID().uuidString).txt"
        try String(repeating: "the quick brown fox jumps over the lazy dog.\n", count: 2000)
            .write(toFile: file, atomically: true, encoding: .utf8)
        let d = try TrainingData.load(trainFile: file, validationFile: nil, validationFraction: 0.1, bytes: false)
        var r = TrainingRequest(trainFile: "/data/corpus.txt")
        r.steps = 100
        let plan = TrainingPlan.resolve(r, data: d, checkpointDirectory: "/runs", runName: { _ in "x" }) { _ in
            XCTFail("a step budget needs no measuring")
            return 0
        }
        let expected = ArchitectureEvidence.nearest(parameters: 2e5, characters: 2e5).favoured ?? .gru
        XCTAssertEqual(plan.config.architecture, expected)
        XCTAssertTrue(plan.explanation.hasPrefix("architecture \(expected.displayName): the study"), plan.explanation)
        XCTAssertTrue(plan.settings.command!.contains("--arch \(expected.rawValue) "), plan.settings.command!)
        r.architecture = .lstm
        let given = TrainingPlan.resolve(r, data: d, checkpointDirectory: "/runs", runName: { _ in "x" }) { _ in 0 }
        XCTAssertEqual(given.config.architecture, .lstm)
        XCTAssertFalse(given.explanation.contains("the study"), given.explanation)
    }
}
