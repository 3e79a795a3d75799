import CharRNN
import Foundation

extension Checkpoint {
    /// "LSTM 2×256, one-hot input, 818,497 parameters"
    var summary: String {
        let input = config.usesEmbedding ? "embedding \(config.embeddingSize)" : "one-hot input"
        return "\(config.architecture.displayName) \(config.layers)×\(config.hiddenSize), \(input), \(formatCount(parameterCount)) parameters"
    }

    var validationLoss: Double? { training?.progress.lastValidationLoss }
}

func formatCount(_ n: Int) -> String {
    let f = NumberFormatter()
    f.numberStyle = .decimal
    f.groupingSeparator = ","
    return f.string(from: NSNumber(value: n)) ?? String(n)
}

/// Scores a checkpoint on a text file (read with the checkpoint's own vocabulary kind).
struct Score: Codable {
    var checkpoint: String
    var architecture: String
    var layers: Int
    var hiddenSize: Int
    var parameters: Int
    var natsPerCharacter: Double
    var bitsPerCharacter: Double
    var perplexity: Double
    var charactersScored: Int
    var charactersNotScored: Int
}

func score(_ path: String, text: String, streams: Int?) throws -> Score {
    let ckpt = try Checkpoint.load(path)
    let t = try ScoringText.load(text, vocabulary: ckpt.vocabulary)
    let s = streams ?? min(64, max(1, t.count / 1000))
    let r = Evaluator(model: ckpt.makeModel(), streams: s, burnIn: s == 1 ? 0 : 200).evaluate(count: t.count) { t.id($0) }
    return Score(checkpoint: path, architecture: ckpt.config.architecture.rawValue, layers: ckpt.config.layers,
                 hiddenSize: ckpt.config.hiddenSize, parameters: ckpt.parameterCount,
                 natsPerCharacter: r.meanLoss, bitsPerCharacter: r.bitsPerCharacter, perplexity: r.perplexity,
                 charactersScored: r.scored, charactersNotScored: r.unscored)
}

/// Refuses a score of nothing: a text of one character, or one none of whose characters the
/// checkpoint knows, has no mean loss to report.
func requireScored(_ s: Score, text: String) throws {
    guard s.charactersScored == 0 else { return }
    if s.charactersNotScored == 0 {
        throw CLIError("\(text): nothing to score (a text needs at least 2 characters; the first is only context)")
    }
    throw CLIError("\(text): none of its \(s.charactersNotScored) scored characters is in the vocabulary of \(s.checkpoint)")
}

extension Score {
    /// The score over the positions where `keep` is true, from the per-character losses.
    func restricted(to keep: [Bool], losses: [Float]) -> Score {
        var total = 0.0, n = 0
        for (k, l) in zip(keep, losses) where k { total += Double(l); n += 1 }
        var s = self
        s.natsPerCharacter = n > 0 ? total / Double(n) : .nan
        s.bitsPerCharacter = s.natsPerCharacter / log(2)
        s.perplexity = exp(s.natsPerCharacter)
        s.charactersNotScored += s.charactersScored - n
        s.charactersScored = n
        return s
    }
}

/// The score and the loss of every character (NaN where not scored), for paired comparisons.
func scoreWithPositions(_ path: String, text: String) throws -> (Score, [Float]) {
    let ckpt = try Checkpoint.load(path)
    let t = try ScoringText.load(text, vocabulary: ckpt.vocabulary)
    let s = min(64, max(1, t.count / 1000))
    let r = Evaluator(model: ckpt.makeModel(), streams: s, burnIn: s == 1 ? 0 : 200).evaluate(count: t.count, keepPositionLosses: true) { t.id($0) }
    return (Score(checkpoint: path, architecture: ckpt.config.architecture.rawValue, layers: ckpt.config.layers,
                  hiddenSize: ckpt.config.hiddenSize, parameters: ckpt.parameterCount,
                  natsPerCharacter: r.meanLoss, bitsPerCharacter: r.bitsPerCharacter, perplexity: r.perplexity,
                  charactersScored: r.scored, charactersNotScored: r.unscored), r.positionLosses ?? [])
}

func printJSON<T: Encodable>(_ value: T) {
    print(JSONCoding.string(value, pretty: true))
}

/// A plain text table with right-aligned numbers.
func renderTable(_ header: [String], _ rows: [[String]], rightAligned: Set<Int>) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let pad = String(repeating: " ", count: widths[i] - c.count)
            return rightAligned.contains(i) ? pad + c : c + pad
        }.joined(separator: "  ").replacingOccurrences(of: #"\s+$"#, with: "", options: .regularExpression)
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
}
