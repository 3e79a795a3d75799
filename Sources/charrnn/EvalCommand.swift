import ArgumentParser
import CharRNN
import Foundation

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Cross-entropy, bits per character and perplexity of checkpoints on a text.")

    @Argument(help: "Checkpoint files.") var checkpoints: [String]
    @Option(help: "The text to score.") var text: String
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
    }

    func run() throws {
        try reportingErrors {
            var scores: [Score] = []
            for path in checkpoints { scores.append(try score(path, text: text)) }
            if json { printJSON(scores); return }
            let rows = scores.map { s in
                [s.checkpoint, "\(s.architecture.uppercased()) \(s.layers)×\(s.hiddenSize)", formatCount(s.parameters),
                 String(format: "%.4f", s.natsPerCharacter), String(format: "%.4f", s.bitsPerCharacter),
                 String(format: "%.3f", s.perplexity), String(s.charactersScored), String(s.charactersNotScored)]
            }
            print(renderTable(["checkpoint", "model", "parameters", "nats/char", "bits/char", "perplexity", "scored", "not scored"],
                              rows, rightAligned: [2, 3, 4, 5, 6, 7]))
        }
    }
}
