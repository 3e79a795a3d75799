import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Checkpoint {
    /// "LSTM 2×256, one-hot input, 818,497 parameters"
    var summary: String {
        let input = config.usesEmbedding ? "embedding \(config.embeddingSize)" : "one-hot input"
        return
            "\(config.architecture.displayName) \(config.layers)×\(config.hiddenSize), \(input), "
                + "\(formatCount(parameterCount)) parameters"
    }

    var validationLoss: Double? { training?.progress.lastValidationLoss }
}

/// A count for a table: digits grouped for people (text, Markdown), plain for machines (CSV).
func formatCount(_ n: Int, _ format: OutputFormat) -> String { format == .csv ? String(n) : formatCount(n) }

func formatCount(_ n: Int) -> String {
    groupedDigits(n)
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
        }.joined(separator: "  ").replacing(/\s+$/, with: "")
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
        .joined(separator: "\n")
}
