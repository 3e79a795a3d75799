/// Token ids stored in one byte each when the vocabulary has at most 256 symbols, else two
/// (a 1 GB text of ASCII costs 1 GB here, not the 4–16 GB of a Swift String or [UInt32]).
struct TokenArray: Sendable {
    let count: Int
    let bytesPerToken: Int
    var storage: [UInt8]

    init(count: Int, vocabularySize: Int) {
        self.count = count
        bytesPerToken = vocabularySize <= 256 ? 1 : 2
        storage = [UInt8](repeating: 0, count: count * bytesPerToken)
    }

    @inline(__always)
    subscript(i: Int) -> Int {
        get { bytesPerToken == 1 ? Int(storage[i]) : Int(storage[2 * i]) | Int(storage[2 * i + 1]) << 8 }
        set {
            if bytesPerToken == 1 {
                storage[i] = UInt8(newValue)
            } else {
                storage[2 * i] = UInt8(newValue & 0xFF); storage[2 * i + 1] = UInt8(newValue >> 8)
            }
        }
    }
}
