#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open file descriptor, closed on deinit: the few reads and appends that need a handle
/// (reading a corpus in chunks, appending to a log), without Foundation's FileHandle.
final class PosixFile {
    let descriptor: Int32

    private init(_ fd: Int32) { descriptor = fd }
    deinit { close(descriptor) }

    /// For reading; nil (with errno set) when it cannot be opened.
    static func reading(_ path: String) -> PosixFile? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        return fd < 0 ? nil : PosixFile(fd)
    }

    /// For appending, created (mode 0644) if missing; nil (with errno set) when it cannot be opened.
    static func appending(_ path: String) -> PosixFile? {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        return fd < 0 ? nil : PosixFile(fd)
    }

    /// Up to `count` bytes (fewer only at the end of the file); throws the errno on failure.
    func read(upTo count: Int) throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = buffer.withUnsafeMutableBytes { posixRead(descriptor, $0.baseAddress! + done, count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PosixError(code: errno)
            }
            if n == 0 { break }
            done += n
        }
        buffer.removeLast(count - done)
        return buffer
    }

    /// Writes all of `bytes`; false on failure.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { writeAll(descriptor, $0) } }

    /// Writes a string's UTF-8 bytes.
    @discardableResult
    func write(_ text: String) -> Bool { write(Array(text.utf8)) }
}

/// An errno, described by strerror.
struct PosixError: Error, CustomStringConvertible {
    var code: Int32
    var description: String { String(cString: strerror(code)) }
}

@inline(__always) func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    read(fd, p, n)
}

@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
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
