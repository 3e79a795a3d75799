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
import Dispatch
import Synchronization

/// The one gate every input file passes: a regular file (symbolic links followed), or `-` for
/// standard input, which is read once, into memory, up to `standardInputLimit` bytes. A named
/// pipe, a device or a socket is refused before anything is read, so `/dev/zero` cannot hang a
/// command and a FIFO cannot block it.
public enum InputFile {
    /// The most bytes read from standard input.
    public static let standardInputLimit = 1 << 30
    /// The path that means standard input.
    public static let standardInputPath = "-"

    /// Throws unless `path` is `-` or a regular file. `expected` names what a directory is not
    /// ("text file", "checkpoint").
    public static func check(_ path: String, expected: String) throws {
        if path == standardInputPath { return }
        if path.isEmpty { throw FileError.emptyPath(what: expected) }
        var st = stat()
        guard stat(path, &st) == 0 else { throw FileError.from(errno: errno, path: path) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw FileError.isDirectory(path: path, expected: expected)
        default: throw FileError.notRegular(path: path, kind: FileError.kindName(mode: st.st_mode))
        }
    }

    /// The whole content of `path` (checked as above).
    public static func read(_ path: String, expected: String) throws -> [UInt8] {
        try check(path, expected: expected)
        if path == standardInputPath { return try standardInput() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError.unreadable(path: path, reason: String(cString: strerror(errno == 0 ? EIO : errno)))
        }
        return [UInt8](data)
    }

    private static let stdinCache = Mutex<[UInt8]?>(nil)

    /// Standard input, read on first use and kept, so two passes over `-` see the same bytes.
    public static func standardInput() throws -> [UInt8] {
        try stdinCache.withLock { cache in
            if let bytes = cache { return bytes }
            var bytes: [UInt8] = []
            let chunk = 1 << 20
            var buffer = [UInt8](repeating: 0, count: chunk)
            while true {
                let n = buffer.withUnsafeMutableBytes { posixRead(0, $0.baseAddress!, chunk) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw FileError.unreadable(path: "standard input", reason: String(cString: strerror(errno)))
                }
                if n == 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
                if bytes.count > standardInputLimit { throw FileError.standardInputTooLarge(limit: standardInputLimit) }
            }
            cache = bytes
            return bytes
        }
    }

    /// (device, inode) of an existing path, to tell whether two paths are the same file.
    public static func identity(_ path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard path != standardInputPath, stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }
}
