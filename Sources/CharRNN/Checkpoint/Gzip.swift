import CZlib
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// gzip streams (RFC 1952) through the system zlib.
enum Gzip {
    enum Failure: Error, Equatable {
        case notGzip
        case truncated
        case corrupt(String)
        case tooLarge
    }

    /// The most input or output bytes handed to zlib in one call: its counts are 32-bit, so a
    /// larger buffer (a checkpoint of more than 4 GB) goes through in pieces. Tests make it small.
    nonisolated(unsafe) static var piece = 1 << 30

    /// A gzip stream of `input` (deterministic: no file name, no time).
    static func compress(_ input: [UInt8], level: Int32 = 6) -> [UInt8] {
        var stream = z_stream()
        // windowBits 15 + 16 selects the gzip wrapper.
        let initResult = deflateInit2_(
            &stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initResult == Z_OK, "deflateInit2 failed: \(initResult)")
        defer { deflateEnd(&stream) }
        var output = [UInt8]()
        output.reserveCapacity(Int(deflateBound(&stream, uLong(input.count))) + 64)
        var chunk = [UInt8](repeating: 0, count: min(piece, 1 << 20))
        input.withUnsafeBufferPointer { inp in
            var offset = 0
            while true {
                let n = min(piece, inp.count - offset)
                stream.next_in = n > 0 ? UnsafeMutablePointer(mutating: inp.baseAddress! + offset) : nil
                stream.avail_in = uInt(n)
                offset += n
                let flush = offset == inp.count ? Z_FINISH : Z_NO_FLUSH
                // Until zlib leaves output room unused: then it has taken all of this piece.
                var r: Int32
                repeat {
                    r = chunk.withUnsafeMutableBufferPointer { out in
                        stream.next_out = out.baseAddress
                        stream.avail_out = uInt(out.count)
                        return deflate(&stream, flush)
                    }
                    output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                } while stream.avail_out == 0
                if flush == Z_FINISH {
                    precondition(r == Z_STREAM_END, "deflate failed: \(r)")
                    return
                }
            }
        }
        return output
    }

    /// Decompresses a whole gzip stream. Output grows as data arrives (never from a size field),
    /// up to `limit` bytes.
    static func decompress(_ input: [UInt8], limit: Int = 1 << 36) throws -> [UInt8] {
        guard input.count >= 2, input[0] == 0x1F, input[1] == 0x8B else { throw Failure.notGzip }
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure.corrupt("inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: min(piece, 1 << 20))
        try input.withUnsafeBufferPointer { inp in
            var offset = 0
            while true {
                if stream.avail_in == 0 && offset < inp.count {
                    let n = min(piece, inp.count - offset)
                    stream.next_in = UnsafeMutablePointer(mutating: inp.baseAddress! + offset)
                    stream.avail_in = uInt(n)
                    offset += n
                }
                let r = chunk.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(out.count)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
                if output.count > limit { throw Failure.tooLarge }
                switch r {
                case Z_STREAM_END:
                    return
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: the input ended before the stream did.
                    if stream.avail_in == 0 && offset == inp.count { throw Failure.truncated }
                    continue
                case Z_DATA_ERROR:
                    let msg = stream.msg.map { String(cString: $0) } ?? "invalid data"
                    throw Failure.corrupt(msg)
                default:
                    throw Failure.corrupt("zlib error \(r)")
                }
            }
        }
        return output
    }
}
