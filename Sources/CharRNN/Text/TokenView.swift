import Foundation

/// A window onto a `TokenArray` (the training and validation parts share one array).
public struct TokenView: Sendable {
    public let tokens: TokenArray
    public let start: Int
    public let count: Int
    public init(_ tokens: TokenArray, start: Int = 0, count: Int? = nil) {
        self.tokens = tokens; self.start = start; self.count = count ?? tokens.count - start
    }
    @inline(__always) public subscript(i: Int) -> Int { tokens[start + i] }
}
