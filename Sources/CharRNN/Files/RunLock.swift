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

/// An exclusive lock on a run folder while a process trains in it: `flock` on `FOLDER/.lock`,
/// which holds the owner's pid. The kernel drops the lock when the process ends, however it ends,
/// so a killed run never leaves a stale lock; a second run in the folder is refused, naming the pid.
final class RunLock {
    let path: String
    private let fd: Int32

    enum Failure: Error, CustomStringConvertible, Equatable {
        case held(folder: String, pid: Int32?)
        case unavailable(folder: String, reason: String)
        var description: String {
            switch self {
            case .held(let f, let pid):
                return "\(f): another charrnn process\(pid.map { " (pid \($0))" } ?? "") is training in this run folder"
            case .unavailable(let f, let r): return "\(f): cannot lock the run folder (\(r))"
            }
        }
    }

    /// Takes the lock of `folder` (which must exist) or throws.
    init(folder: String) throws {
        path = folder + "/.lock"
        fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure.unavailable(folder: folder, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 31, 0) }
            close(fd)
            let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
            throw Failure.held(folder: folder, pid: Int32(text.trimmed))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, pid.count, 0) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
