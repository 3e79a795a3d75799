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

/// The one way charrnn writes a file: to a regular file or a new one, never replacing a symbolic
/// link, a device, a named pipe or a directory, and never one of the command's inputs; atomically,
/// so a failure or a kill leaves any earlier file whole.
public enum OutputFile {
    /// Throws unless `path` may be written: it does not exist, or it is a regular file (not a
    /// symbolic link) that is none of `inputs`.
    public static func check(_ path: String, inputs: [String] = []) throws {
        if path.isEmpty { throw FileError.emptyPath(what: "output") }
        if path.unicodeScalars.contains(where: \.isControlCharacter) {
            throw FileError.controlCharacter(path: path)
        }
        var st = stat()
        if lstat(path, &st) != 0 {
            if errno == ENOENT { return }
            throw FileError.from(errno: errno, path: path)
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw FileError.isDirectory(path: path, expected: "file to write")
        default: throw FileError.outputNotRegular(path: path, kind: FileError.kindName(mode: st.st_mode))
        }
        let target = (UInt64(st.st_dev), UInt64(st.st_ino))
        for input in inputs {
            if let id = InputFile.identity(input), id == target { throw FileError.outputIsInput(path: path) }
        }
    }

    /// The folder holding `path` ("." for a bare name).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes `bytes` to `path` atomically (`path.tmp-PID`, fsync, rename) after `check`.
    public static func write(_ bytes: [UInt8], to path: String, inputs: [String] = []) throws {
        try check(path, inputs: inputs)
        let tmp = "\(path).tmp-\(getpid())"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else { throw FileError.writeFailed(path: path, reason: String(cString: strerror(errno))) }
        var failure: String?
        if !bytes.withUnsafeBytes({ writeAll(fd, $0) }) { failure = String(cString: strerror(errno)) }
        if failure == nil && fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        close(fd)
        if failure == nil && rename(tmp, path) != 0 { failure = String(cString: strerror(errno)) }
        if let reason = failure {
            unlink(tmp)
            throw FileError.writeFailed(path: path, reason: reason)
        }
        let dfd = open(folder(of: path), O_RDONLY)
        if dfd >= 0 { fsync(dfd); close(dfd) }
    }

    /// Writes `text` as UTF-8 (see the bytes variant).
    /// Refuses `path` when it exists and nobody named it: a default output name never replaces a
    /// file unless `overwrite`.
    public static func checkDefault(_ path: String, given: Bool, overwrite: Bool) throws {
        var info = stat()
        if !given && !overwrite && lstat(path, &info) == 0 { throw FileError.defaultOutputExists(path: path) }
    }

    public static func write(_ text: String, to path: String, inputs: [String] = []) throws {
        try write(Array(text.utf8), to: path, inputs: inputs)
    }
}
