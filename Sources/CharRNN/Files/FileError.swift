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

/// What can be wrong with a path charrnn reads or writes. Each case names the path; together
/// they are the one policy for files: inputs are regular files (or `-`, standard input, read
/// once); outputs are regular files or new ones, never another kind of file, and never one of
/// the command's own inputs.
public enum FileError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case isDirectory(path: String, expected: String)
    /// A named pipe, a device, a socket: something that may never end or may not be ours to replace.
    case notRegular(path: String, kind: String)
    case outputNotRegular(path: String, kind: String)
    case unreadable(path: String, reason: String)
    case standardInputTooLarge(limit: Int)
    case emptyPath(what: String)
    case outputIsInput(path: String)
    case writeFailed(path: String, reason: String)
    /// An output path with a control character (a newline, a tab…), shown escaped.
    case controlCharacter(path: String)
    /// A default output path that already exists (`--overwrite` replaces it).
    case defaultOutputExists(path: String)

    /// One line that names the path and says what is wrong.
    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such file"
        case .isDirectory(let p, let expected): return "\(p): is a directory, not a \(expected)"
        case .notRegular(let p, let kind):
            return
                "\(p): is \(kind), not a regular file (charrnn reads and writes regular files only; use - for "
                    + "standard input)"
        case .outputNotRegular(let p, let kind):
            return "\(p): is \(kind); charrnn writes only regular files, and never replaces anything else"
        case .unreadable(let p, let r): return "\(p): cannot be read (\(r))"
        case .standardInputTooLarge(let limit):
            return "standard input: more than \(limit / (1 << 20)) MiB; save it to a file and give the file instead"
        case .emptyPath(let what): return "\(what): the path is empty"
        case .outputIsInput(let p): return "\(p): is an input of this command; choose another output file"
        case .writeFailed(let p, let r): return "\(p): cannot write (\(r))"
        case .controlCharacter(let p):
            let shown = p.unicodeScalars.map { $0.isControlCharacter ? $0.escaped(asASCII: true) : String($0) }
            return "\"\(shown.joined())\": an output file name cannot contain control characters"
        case .defaultOutputExists(let p):
            return "\(p): exists, and it is only the default output name; give --overwrite to replace it, or -o FILE"
        }
    }

    /// "a named pipe", "a character device", … for a `stat` mode.
    static func kindName(mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: return "a named pipe"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        case S_IFDIR: return "a directory"
        default: return "not a regular file"
        }
    }

    /// The error for a failed `stat`/`open` of `path` with `errno` value `code`.
    static func from(errno code: Int32, path: String) -> FileError {
        switch code {
        case ENOENT, ENOTDIR: return .missing(path: path)
        case ELOOP: return .unreadable(path: path, reason: "too many levels of symbolic links")
        case EACCES, EPERM: return .unreadable(path: path, reason: "permission denied")
        default: return .unreadable(path: path, reason: String(cString: strerror(code)))
        }
    }
}
