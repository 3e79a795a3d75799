#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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

    /// A path made absolute against the working directory ("-", standard input, stays as it is).
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") || path == InputFile.standardInputPath { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            .standardizedFileURL.path
    }
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
