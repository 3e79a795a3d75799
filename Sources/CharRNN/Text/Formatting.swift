#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension String {
    /// C's printf formatting (`%d`, `%.4f`, `%s` with a C string…), without Foundation: numbers print
    /// the same on every locale. Swift strings are interpolated, not passed as arguments.
    public init(printf format: String, _ arguments: CVarArg...) {
        let needed = withVaList(arguments) { vsnprintf(nil, 0, format, $0) }
        guard needed > 0 else {
            self = ""
            return
        }
        var buffer = [CChar](repeating: 0, count: Int(needed) + 1)
        _ = withVaList(arguments) { vsnprintf(&buffer, buffer.count, format, $0) }
        self = String(decoding: buffer.prefix(Int(needed)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

}

extension StringProtocol {
    /// The text without leading and trailing white space (spaces, tabs, newlines).
    public var trimmed: SubSequence {
        guard let start = firstIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        let end = lastIndex(where: { !$0.isWhitespace })!
        return self[start...end]
    }

    /// Padded with spaces on the right to `width` characters (never cut).
    public func padded(to width: Int) -> String { String(self) + String(repeating: " ", count: Swift.max(0, width - count)) }
}

/// `n` with a comma between groups of three digits ("1,234,567").
public func groupedDigits(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}

extension Unicode.Scalar {
    /// A C0 control character or DEL (a newline, a tab, an escape…): never part of a name.
    public var isControlCharacter: Bool { value < 0x20 || value == 0x7F }
}
