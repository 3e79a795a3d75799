#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A window onto a `TokenArray` (the training and validation parts share one array): the token
/// ids of one part of a corpus.
public struct TokenView: Sendable {
    let tokens: TokenArray
    let start: Int
    /// Tokens in the window.
    public let count: Int
    init(_ tokens: TokenArray, start: Int = 0, count: Int? = nil) {
        self.tokens = tokens; self.start = start; self.count = count ?? tokens.count - start
    }
    /// The id of token `i` of the window (0 ≤ i < count).
    @inline(__always) public subscript(i: Int) -> Int { tokens[start + i] }
}
