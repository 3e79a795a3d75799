import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--format`: the one output option of every command that prints results. Each command takes
/// the formats that fit its output and refuses the others by name.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, csv, markdown

    /// Empty, so that help does not list every format for every command: each command's help
    /// names the formats it takes (and `check` refuses the others).
    static var allValueStrings: [String] { [] }

    /// Throws unless `self` is one of `allowed` (for `validate()`).
    func check(_ allowed: [OutputFormat]) throws {
        if !allowed.contains(self) {
            throw ValidationError(
                "--format \(rawValue): this command prints \(allowed.map(\.rawValue).joined(separator: ", "))")
        }
    }
}

/// A table as text (aligned columns), CSV or Markdown.
func renderRows(_ format: OutputFormat, header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
    switch format {
    case .csv:
        return ([header] + rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\n")
    case .markdown:
        let align = header.indices.map { rightAligned.contains($0) ? "---:" : "---" }
        return
            (["| " + header.joined(separator: " | ") + " |", "|" + align.joined(separator: "|") + "|"]
            + rows.map { "| " + $0.joined(separator: " | ") + " |" }).joined(separator: "\n")
    case .text, .json:
        return renderTable(header, rows, rightAligned: rightAligned)
    }
}

func csvField(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n")
        ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
}
