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

/// The path of the running executable (Linux: /proc/self/exe), else argv[0].
public var executablePath: String {
    #if os(Linux)
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 { return String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
    #endif
    return CommandLine.arguments[0]
}

/// Writes all of `bytes` to a file descriptor, retrying on EINTR; false on failure (a closed or
/// full output), never a signal or a crash.
@discardableResult
public func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var done = 0
    while done < bytes.count {
        let n = posixWrite(fd, bytes.baseAddress! + done, bytes.count - done)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return false }
        done += n
    }
    return true
}

/// File-name arithmetic on "/"-separated paths, as NSString's path methods do it.
public enum PathName {
    /// "a/b/c.txt" → "c.txt" (trailing slashes ignored; "/" stays "/").
    public static func lastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        if p == "/" { return "/" }
        return String(p.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
    }

    /// "a/b/c.txt" → "a/b/c"; a leading dot of the last component is not an extension.
    public static func deletingExtension(_ path: String) -> String {
        let last = lastComponent(path)
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return path }
        let cut = last.distance(from: dot, to: last.endIndex)
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        return String(p.dropLast(cut))
    }

    /// "a/b/c.txt" → "a/b"; "c.txt" → ""; "/c" → "/".
    public static func deletingLastComponent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }
}
