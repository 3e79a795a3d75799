import ArgumentParser
import CharRNN
import Foundation

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare checkpoints on the same text in one table; the best is marked.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, markdown, json, csv }

    @Argument(help: "Checkpoint files.") var checkpoints: [String]
    @Option(help: "The text to score.") var text: String
    @Option(help: "table, markdown, json or csv.") var format: Format = .table

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
    }

    func run() throws {
        try reportingErrors {
            var scores: [Score] = []
            for path in checkpoints { scores.append(try score(path, text: text)) }
            let bestIndex = scores.indices.filter { scores[$0].natsPerCharacter.isFinite }
                .min { scores[$0].natsPerCharacter < scores[$1].natsPerCharacter }
            let header = ["", "checkpoint", "model", "parameters", "nats/char", "bits/char", "perplexity", "scored", "not scored"]
            let rows = scores.enumerated().map { i, s in
                [i == bestIndex ? "*" : "", s.checkpoint, "\(s.architecture.uppercased()) \(s.layers)×\(s.hiddenSize)", String(s.parameters),
                 String(format: "%.4f", s.natsPerCharacter), String(format: "%.4f", s.bitsPerCharacter),
                 String(format: "%.3f", s.perplexity), String(s.charactersScored), String(s.charactersNotScored)]
            }
            switch format {
            case .table:
                print(renderTable(header, rows, rightAligned: [3, 4, 5, 6, 7, 8]))
                if let b = bestIndex { print("* best: \(scores[b].checkpoint) (lowest nats/char on \(text))") }
            case .markdown:
                print("| best | " + header.dropFirst().joined(separator: " | ") + " |")
                print("|" + String(repeating: "---|", count: header.count))
                for r in rows { print("| " + (r[0].isEmpty ? "" : "**best**") + " | " + r.dropFirst().joined(separator: " | ") + " |") }
            case .csv:
                print((["best"] + header.dropFirst()).joined(separator: ","))
                for r in rows { print(([r[0].isEmpty ? "0" : "1"] + r.dropFirst().map(csvField)).joined(separator: ",")) }
            case .json:
                struct Row: Codable { var best: Bool; var score: Score }
                struct Out: Codable { var text: String; var best: String?; var checkpoints: [Row] }
                printJSON(Out(text: text, best: bestIndex.map { scores[$0].checkpoint },
                              checkpoints: scores.enumerated().map { Row(best: $0.offset == bestIndex, score: $0.element) }))
            }
        }
    }

    func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
