#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A text to score with a given vocabulary: ids, and which characters fall outside it.
struct ScoringText: Sendable {
    let tokens: TokenArray
    let unknownBits: [UInt64]
    let unknownCount: Int
    var count: Int { tokens.count }

    static func load(_ path: String, vocabulary: Vocabulary) throws -> ScoringText {
        let count = try CorpusReader.scan(path, kind: vocabulary.kind).count
        let (tokens, unknown) = try CorpusReader.encode(
            path, kind: vocabulary.kind, vocabulary: vocabulary, count: count)
        var bits = [UInt64](repeating: 0, count: unknown.isEmpty ? 0 : count / 64 + 1)
        for i in unknown { bits[i >> 6] |= 1 << UInt64(i & 63) }
        return ScoringText(tokens: tokens, unknownBits: bits, unknownCount: unknown.count)
    }

    /// Id of character i, or −1 when it is outside the vocabulary.
    @inline(__always) public func id(_ i: Int) -> Int32 {
        if !unknownBits.isEmpty && unknownBits[i >> 6] & (1 << UInt64(i & 63)) != 0 { return -1 }
        return Int32(tokens[i])
    }
}
