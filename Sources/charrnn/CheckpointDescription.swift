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
    let enc = JSONEncoder()
    enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try! enc.encode(value), as: UTF8.self))
}

/// A plain text table with right-aligned numbers.
func renderTable(_ header: [String], _ rows: [[String]], rightAligned: Set<Int>) -> String {
    var widths = header.map(\.count)
    for r in rows { for (i, c) in r.enumerated() { widths[i] = max(widths[i], c.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in
            let pad = String(repeating: " ", count: widths[i] - c.count)
            return rightAligned.contains(i) ? pad + c : c + pad
        }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line)).joined(separator: "\n")
}
