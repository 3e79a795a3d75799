#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The characters a model knows, in code-point (or byte-value) order; a token id is an index here.
///
/// Characters are Unicode scalars (so "\r\n" is two characters), or raw bytes with `--bytes`.
/// The vocabulary is built from the training text, sorted, so the same text always gives the same
/// ids; it is stored in every checkpoint.
public struct Vocabulary: Equatable, Sendable {
    /// Unicode scalars, or raw bytes (`--bytes`).
    public enum Kind: String, Codable, Sendable { case unicode, bytes }

    /// What the symbols are.
    public let kind: Kind
    /// Code points (or byte values) in ascending order.
    public let symbols: [UInt32]
    private let index: [UInt32: Int]

    /// Symbols in the vocabulary.
    public var count: Int { symbols.count }

    /// A vocabulary of `symbols` in id order.
    public init(kind: Kind, symbols: [UInt32]) {
        self.kind = kind
        self.symbols = symbols
        var index = [UInt32: Int](minimumCapacity: symbols.count)
        for (i, s) in symbols.enumerated() { index[s] = i }
        self.index = index
    }

    /// The vocabulary of the given symbol sequences (their union, sorted).
    public init(kind: Kind, scanning texts: [[UInt32]]) {
        var seen = Set<UInt32>()
        for t in texts { seen.formUnion(t) }
        self.init(kind: kind, symbols: seen.sorted())
    }

    /// Same kind and symbols.
    public static func == (a: Vocabulary, b: Vocabulary) -> Bool { a.kind == b.kind && a.symbols == b.symbols }

    /// The id of `symbol`, or nil if it is not in the vocabulary.
    public func id(of symbol: UInt32) -> Int? { index[symbol] }

    /// Token ids of `text`; symbols outside the vocabulary map to nil.
    public func encode(_ text: [UInt32]) -> [Int?] { text.map { index[$0] } }

    /// The text of `ids` (valid ids only).
    public func decode(_ ids: [Int]) -> String {
        switch kind {
        case .unicode:
            var s = String.UnicodeScalarView()
            for i in ids { s.append(Unicode.Scalar(symbols[i])!) }
            return String(s)
        case .bytes:
            return String(decoding: ids.map { UInt8(symbols[$0]) }, as: UTF8.self)
        }
    }

    /// Raw bytes of one token, for streaming output (UTF-8 of the scalar, or the byte itself).
    public func bytes(of id: Int) -> [UInt8] {
        switch kind {
        case .unicode: return Array(String(Unicode.Scalar(symbols[id])!).utf8)
        case .bytes: return [UInt8(symbols[id])]
        }
    }

    /// "U+0041 'A'" style description of a symbol, for error messages.
    public static func describe(_ symbol: UInt32, kind: Kind = .unicode) -> String {
        if kind == .bytes { return String(printf: "byte 0x%02X", symbol) }
        let hex = "U+" + String(printf: "%04X", symbol)
        guard let scalar = Unicode.Scalar(symbol) else { return hex }
        if scalar.properties.generalCategory == .control || scalar == " " {
            return "\(hex) (\(scalar.escaped(asASCII: true)))"
        }
        return "'\(String(scalar))' (\(hex))"
    }
}
