#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Checkpoints scored on one text, ranked like with like: when they know different characters,
/// every one is scored on the characters all of them know (a model that knows fewer would
/// otherwise skip the hard ones), and each other checkpoint is tested against the best, character
/// by character: the mean loss difference with a 95% block-bootstrap interval (blocks of 200, since
/// neighbouring losses are correlated). `compare` renders it; `view` uses the same rule.
public struct Comparison: Sendable {
    /// The scores, restricted to the common characters when that was needed.
    public let scores: [Score]
    /// How many characters every checkpoint knows.
    public let commonCount: Int
    /// Whether the scores were restricted (the checkpoints know different characters).
    public let restricted: Bool
    /// The index of the lowest nats/char.
    public let best: Int?
    /// Per checkpoint: its loss minus the best's, per character (nil for the best).
    public let differences: [Statistics.Interval?]

    /// Nothing to rank: no character is known to every checkpoint.
    public struct NothingInCommon: Error {}

    /// Compares `scores` from their per-character `losses` (NaN where not scored).
    public init(scores: [Score], losses: [[Float]]) throws {
        let common = Self.commonPositions(losses)
        let count = common.filter { $0 }.count
        if count == 0 { throw NothingInCommon() }
        commonCount = count
        var losses = losses
        let restrict = scores.contains { $0.charactersScored != count }
        restricted = restrict
        if restrict {
            self.scores = scores.indices.map { scores[$0].restricted(to: common, losses: losses[$0]) }
            for i in losses.indices { for j in losses[i].indices where !common[j] { losses[i][j] = .nan } }
        } else {
            self.scores = scores
        }
        let ranked = self.scores
        let best = ranked.indices.filter { ranked[$0].natsPerCharacter.isFinite }
            .min { ranked[$0].natsPerCharacter < ranked[$1].natsPerCharacter }
        self.best = best
        differences = ranked.indices.map { i in
            guard let b = best, i != b else { return nil }
            var d: [Double] = []
            for (x, y) in zip(losses[i], losses[b]) where x.isFinite && y.isFinite { d.append(Double(x) - Double(y)) }
            return d.isEmpty ? nil : Statistics.bootstrapMean(d, block: 200, resamples: 1000)
        }
    }

    /// The positions every model scores (finite loss in each of `losses`).
    public static func commonPositions(_ losses: [[Float]]) -> [Bool] {
        (0..<(losses.first?.count ?? 0)).map { i in losses.allSatisfy { $0[i].isFinite } }
    }
}
