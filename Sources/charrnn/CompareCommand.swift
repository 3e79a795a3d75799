import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare checkpoints on the same text in one table; the best is marked.")

    @Argument(help: "Checkpoint files", completion: .file(extensions: ["ckpt"])) var checkpoints: [String]
    @Option(help: "The text to score", completion: .file()) var text: String?
    @Option(help: "Instead of --text: the validation or test part of the corpus the first checkpoint's run trained on")
    var split: Score.Split?
    @Option(help: "text, json, csv or markdown") var format: OutputFormat = .text

    @OptionGroup var precisionOption: PrecisionOption
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
        if (text == nil) == (split == nil) { throw ValidationError("give --text FILE or --split validation|test") }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let (comparison, text) = try compare()
            if comparison.restricted {
                writeErr(
                    "note: the checkpoints know different characters; each is scored on the "
                        + "\(comparison.commonCount) characters that all of them know\n")
            }
            render(comparison, text: text)
        }
    }

    /// Scores every checkpoint on the text (character by character) and compares them.
    func compare() throws -> (Comparison, String) {
        var scores: [Score] = []
        var losses: [[Float]] = []  // per character, NaN where not scored
        let part = try split.map { try HeldOutText.load(checkpoint: checkpoints[0], split: $0) }
        let text = part?.name ?? self.text!
        let precision = precisionOption.resolved
        for path in checkpoints {
            let (s, l) =
                try part.map { try Score.score(checkpoint: path, text: $0, positions: true, precision: precision) }
                ?? Score.score(checkpoint: path, text: text, positions: true, precision: precision)
            scores.append(s); losses.append(l)
        }
        do { return (try Comparison(scores: scores, losses: losses), text) } catch is Comparison.NothingInCommon {
            throw CLIError("\(text): no character is known to every checkpoint; nothing to compare")
        }
    }

    static let header = [
        "", "checkpoint", "model", "parameters", "nats/char", "bits/char", "perplexity", "scored", "not scored",
    ]

    func verdict(_ iv: Statistics.Interval) -> String {
        iv.containsZero ? "no significant difference" : "significantly worse"
    }

    /// The table, the best and each one's difference from it, in the chosen format.
    func render(_ comparison: Comparison, text: String) {
        let scores = comparison.scores, bestIndex = comparison.best, paired = comparison.differences
        let header = Self.header
        let rows = scores.enumerated().map { i, s in
            [
                i == bestIndex ? "*" : "", s.checkpoint,
                "\(s.architecture.uppercased()) \(s.layers)×\(s.hiddenSize)",
                formatCount(s.parameters, format), String(printf: "%.4f", s.natsPerCharacter),
                String(printf: "%.4f", s.bitsPerCharacter),
                String(printf: "%.3f", s.perplexity), formatCount(s.charactersScored, format),
                formatCount(s.charactersNotScored, format),
            ]
        }
        let differences = paired.enumerated().compactMap { i, iv in iv.map { (scores[i].checkpoint, $0) } }
        switch format {
        case .text:
            print(renderTable(header, rows, rightAligned: [3, 4, 5, 6, 7, 8]))
            if let b = bestIndex { print("* best: \(scores[b].checkpoint) (lowest nats/char on \(text))") }
            for (name, iv) in differences {
                print(
                    "  \(name) − best: \(iv.text) nats/char (95% block-bootstrap interval over characters): "
                        + verdict(iv))
            }
        case .markdown:
            print("| best | " + header.dropFirst().joined(separator: " | ") + " |")
            print("|" + String(repeating: "---|", count: header.count))
            for r in rows {
                print("| " + (r[0].isEmpty ? "" : "**best**") + " | " + r.dropFirst().joined(separator: " | ") + " |")
            }
            for (name, iv) in differences {
                print("\n`\(name)` − best: \(iv.text) nats/char (95% interval): \(verdict(iv))")
            }
        case .csv:
            print((["best"] + header.dropFirst()).joined(separator: ","))
            for r in rows { print(([r[0].isEmpty ? "0" : "1"] + r.dropFirst().map(csvField)).joined(separator: ",")) }
        case .json:
            renderJSON(comparison, text: text)
        }
    }

    func renderJSON(_ comparison: Comparison, text: String) {
        struct Row: Codable {
            var best: Bool; var score: Score; var differenceFromBest: Statistics.Interval?
            var significant: Bool?
        }
        struct Out: Codable { var text: String; var best: String?; var checkpoints: [Row] }
        let scores = comparison.scores, paired = comparison.differences
        printJSON(
            Out(
                text: text, best: comparison.best.map { scores[$0].checkpoint },
                checkpoints: scores.enumerated().map {
                    Row(
                        best: $0.offset == comparison.best, score: $0.element, differenceFromBest: paired[$0.offset],
                        significant: paired[$0.offset].map { !$0.containsZero })
                }))
    }
}
