#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one policy for numbers in JSON, for everything charrnn logs, saves or prints: JSON has no
/// NaN or infinity, so a value that is not finite (a diverged loss, the mean of nothing) is
/// written as the string "NaN", "Infinity" or "-Infinity" (as Python's `json` module writes them
/// without quotes) and read back as that value. Encoding therefore never fails on a number.
public enum JSONCoding {
    /// An encoder with this policy; `pretty` indents (for output people read).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
            nan: "NaN")
        return e
    }

    /// A decoder with this policy.
    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity",
            nan: "NaN")
        return d
    }

    /// One line of JSON (sorted keys). Values whose encoding could fail otherwise are not used here.
    public static func string<T: Encodable>(_ value: T, pretty: Bool = false) -> String {
        do { return String(decoding: try encoder(pretty: pretty).encode(value), as: UTF8.self) } catch {
            preconditionFailure("JSON encoding of \(T.self) failed: \(error)")
        }
    }
}
