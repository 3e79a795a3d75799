/// Token ids stored in one byte each when the vocabulary has at most 256 symbols, else two
/// (a 1 GB text of ASCII costs 1 GB here, not the 4–16 GB of a Swift String or [UInt32]).
public struct TokenArray: Sendable {
    public let count: Int
    public let bytesPerToken: Int
    var storage: [UInt8]

    public init(count: Int, vocabularySize: Int) {
        self.count = count
        bytesPerToken = vocabularySize <= 256 ? 1 : 2
        storage = [UInt8](repeating: 0, count: count * bytesPerToken)
    }

    public init(_ ids: [Int], vocabularySize: Int) {
        self.init(count: ids.count, vocabularySize: vocabularySize)
        for (i, v) in ids.enumerated() { self[i] = v }
    }

    @inline(__always)
    public subscript(i: Int) -> Int {
        get { bytesPerToken == 1 ? Int(storage[i]) : Int(storage[2 * i]) | Int(storage[2 * i + 1]) << 8 }
        set {
            if bytesPerToken == 1 { storage[i] = UInt8(newValue) } else {
                storage[2 * i] = UInt8(newValue & 0xFF); storage[2 * i + 1] = UInt8(newValue >> 8)
            }
        }
    }

    /// A copy of ids[range].
    public func slice(_ range: Range<Int>) -> TokenArray {
        var out = TokenArray(count: range.count, vocabularySize: bytesPerToken == 1 ? 256 : 65536)
        out.storage = Array(storage[(range.lowerBound * bytesPerToken)..<(range.upperBound * bytesPerToken)])
        return out
    }

    /// Calls body with the raw storage (for fast batch filling).
    @inline(__always)
    public func withStorage<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { storage.withUnsafeBufferPointer(body) }

    public var int32: [Int32] { (0..<count).map { Int32(self[$0]) } }
}
