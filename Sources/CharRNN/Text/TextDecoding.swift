#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Errors reading a corpus or prime text. Each names the file and, where it applies, the offset.
public enum TextError: Error, CustomStringConvertible, Equatable {
    case empty(path: String)
    case invalidUTF8(path: String, byteOffset: Int)
    case tooManySymbols(path: String, count: Int)
    case outsideVocabulary(path: String, symbols: [String])

    /// One line that names the file and, where it applies, the offset.
    public var description: String {
        switch self {
        case .empty(let p): return "\(p): the file is empty"
        case .invalidUTF8(let p, let o):
            return "\(p): invalid UTF-8 at byte offset \(o) (use --bytes to train on raw bytes)"
        case .tooManySymbols(let p, let n): return "\(p): \(n) distinct characters; at most 65536 are supported"
        case .outsideVocabulary(let p, let s):
            let shown = s.prefix(20).joined(separator: ", ") + (s.count > 20 ? ", …" : "")
            return
                "\(p): \(s.count) character\(s.count == 1 ? " is" : "s are") not in the checkpoint's vocabulary: "
                    + "\(shown)"
        }
    }
}

/// Text as symbols.
public enum TextDecoding {
    /// The Unicode scalars of `string`, without a leading byte-order mark.
    public static func scalars(of string: String) -> [UInt32] {
        var s = string.unicodeScalars.map { $0.value }
        if s.first == 0xFEFF { s.removeFirst() }
        return s
    }

    /// Reads a (small) text file as symbols: Unicode scalars, or bytes when `kind == .bytes`.
    /// Corpora go through `CorpusReader`, which never holds the whole text.
    public static func readFile(_ path: String, kind: Vocabulary.Kind) throws -> [UInt32] {
        var out: [UInt32] = []
        try CorpusReader.forEachSymbol(path, kind: kind) { out.append($0) }
        return out
    }
}
