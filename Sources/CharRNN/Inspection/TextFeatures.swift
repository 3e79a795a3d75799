/// Properties of a text at every character, for finding the units of a model that track them
/// (Karpathy, Johnson and Fei-Fei 2015 found cells for quotes, line length and brackets).
/// Each value describes the text up to and including character i: what a unit could know after
/// reading it.
public enum TextFeature: String, CaseIterable, Codable, Sendable {
    case insideQuotes = "inside quotes"
    case positionInLine = "position in the line"
    case bracketDepth = "depth inside brackets"
    case indentation = "indentation of the line"
    case insideWord = "inside a word"
    case uppercase = "upper-case letter"

    /// The feature at every character of `text`.
    public static func values(_ text: [Unicode.Scalar]) -> [TextFeature: [Float]] {
        let n = text.count
        var out = Dictionary(uniqueKeysWithValues: allCases.map { ($0, [Float](repeating: 0, count: n)) })
        var quoted = false, column = 0, depth = 0, indent = 0, leading = true
        for (i, ch) in text.enumerated() {
            if ch == "\n" {
                column = 0; indent = 0; leading = true
            } else {
                column += 1
                if leading && (ch == " " || ch == "\t") { indent += ch == "\t" ? 4 : 1 } else { leading = false }
            }
            if ch == "\"" || ch == "\u{201C}" || ch == "\u{201D}" {
                quoted = ch == "\u{201C}" ? true : ch == "\u{201D}" ? false : !quoted
            }
            switch ch {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth = max(0, depth - 1)
            default: break
            }
            out[.insideQuotes]![i] = quoted ? 1 : 0
            out[.positionInLine]![i] = Float(column)
            out[.bracketDepth]![i] = Float(depth)
            out[.indentation]![i] = Float(indent)
            out[.insideWord]![i] = ch.properties.isAlphabetic ? 1 : 0
            out[.uppercase]![i] = ch.properties.isUppercase ? 1 : 0
        }
        return out
    }
}
