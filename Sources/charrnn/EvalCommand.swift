import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Cross-entropy, bits per character and perplexity of checkpoints on a text.")

    @Argument(help: "Checkpoint files", completion: .file(extensions: ["ckpt"])) var checkpoints: [String]
    @Option(help: "The text to score", completion: .file()) var text: String?
    @Option(
        help: "Instead of --text: the validation or test part of the corpus each checkpoint's run trained on")
    var split: Score.Split?
    @Option(help: "text, json, csv or markdown") var format: OutputFormat = .text
    @Option(
        parsing: .unconditional,
        help: "Parallel streams (default: one per 1000 characters, at most 64; 1 = exactly one pass from the start)")
    var streams: Int?
    @Option(
        help:
            """
            Also write the raw logits of the first checkpoint, one stream from the start: float32 little-endian \
            [characters, V]
            """
    ) var logits: String?

    @OptionGroup var precisionOption: PrecisionOption
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
        if let s = streams, s <= 0 { throw ValidationError("--streams must be positive (got \(s))") }
        try format.check(OutputFormat.allCases)
        if (text == nil) == (split == nil) { throw ValidationError("give --text FILE or --split validation|test") }
        if split != nil && logits != nil { throw ValidationError("--logits needs --text") }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let precision = precisionOption.resolved
            var scores: [Score] = []
            for path in checkpoints {
                if let split {
                    scores.append(
                        try Score.score(checkpoint: path, split: split, streams: streams, precision: precision))
                } else {
                    scores.append(
                        try Score.score(checkpoint: path, text: text!, streams: streams, precision: precision).score)
                }
            }
            if let out = logits, let text { try writeLogits(checkpoint: checkpoints[0], text: text, to: out) }
            if format == .json { printJSON(scores); return }
            let rows = scores.map { s in
                [
                    s.checkpoint, "\(s.architecture.uppercased()) \(s.layers)×\(s.hiddenSize)",
                    formatCount(s.parameters, format),
                    String(printf: "%.4f", s.natsPerCharacter), String(printf: "%.4f", s.bitsPerCharacter),
                    String(printf: "%.3f", s.perplexity), formatCount(s.charactersScored, format),
                    formatCount(s.charactersNotScored, format),
                ]
            }
            print(
                renderRows(
                    format,
                    header: [
                        "checkpoint", "model", "parameters", "nats/char", "bits/char", "perplexity",
                        "scored", "not scored",
                    ], rows: rows, rightAligned: [2, 3, 4, 5, 6, 7]))
        }
    }

    /// Single-stream logits of the whole text (for comparing with another implementation).
    func writeLogits(checkpoint: String, text: String, to path: String) throws {
        let out = try Score.logits(checkpoint: checkpoint, text: text)
        try OutputFile.write(out.withUnsafeBytes { Array($0) }, to: path, inputs: [checkpoint, text])
    }
}

extension Score.Split: ExpressibleByArgument {}
