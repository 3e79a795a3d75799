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

/// Reads a corpus in two streaming passes over the file, in 4 MB chunks, so a 1 GB text is never
/// held as a String: pass 1 decodes UTF-8 (or takes bytes), counts characters and marks each
/// code point seen in a bitmap; pass 2 encodes into a `TokenArray` with the sorted vocabulary.
enum CorpusReader {
    static let chunkSize = 1 << 22

    /// The symbols present (as a bitmap over 0..<0x110000) and the character count.
    static func scan(_ path: String, kind: Vocabulary.Kind) throws -> (symbols: [UInt32], count: Int) {
        var seen = [UInt64](repeating: 0, count: 0x110000 / 64 + 1)
        var count = 0
        try forEachSymbol(path, kind: kind) { s in
            seen[Int(s >> 6)] |= 1 << UInt64(s & 63)
            count += 1
        }
        var symbols: [UInt32] = []
        for (w, bits) in seen.enumerated() where bits != 0 {
            for b in 0..<64 where bits & (1 << UInt64(b)) != 0 { symbols.append(UInt32(w * 64 + b)) }
        }
        return (symbols, count)
    }

    /// The text as ids of `vocabulary`, −1 for symbols outside it, in `count` positions.
    static func encode(
        _ path: String, kind: Vocabulary.Kind, vocabulary: Vocabulary, count: Int
    ) throws -> (tokens: TokenArray, unknown: [Int]) {
        var table = [Int32](repeating: -1, count: kind == .bytes ? 256 : 0x110000)
        for (i, s) in vocabulary.symbols.enumerated() where Int(s) < table.count { table[Int(s)] = Int32(i) }
        var tokens = TokenArray(count: count, vocabularySize: vocabulary.count)
        var unknown: [Int] = []
        var i = 0
        try table.withUnsafeBufferPointer { t in
            try forEachSymbol(path, kind: kind) { s in
                let id = t[Int(s)]
                if id >= 0 { tokens[i] = Int(id) } else { unknown.append(i) }
                i += 1
            }
        }
        return (tokens, unknown)
    }

    /// Calls `body` with every symbol of the file; throws `TextError` naming the file and, for
    /// invalid UTF-8, the byte offset. A leading byte-order mark is skipped. `-` is standard input
    /// (read once and kept, so both passes see the same text).
    @inline(__always)
    static func forEachSymbol(_ path: String, kind: Vocabulary.Kind, _ body: (UInt32) throws -> Void) throws {
        var source = try ChunkSource(path: path)
        var pending: [UInt8] = []  // an incomplete UTF-8 sequence carried into the next chunk
        var offset = 0  // file offset of pending[0] / the chunk start
        var first = true
        while true {
            let chunk = try source.next()
            let last = chunk.isEmpty
            if first && last { throw TextError.empty(path: path) }
            if kind == .bytes {
                for b in chunk { try body(UInt32(b)) }
                if last { return }
                first = false
                continue
            }
            var bytes = pending
            bytes.append(contentsOf: chunk)
            pending.removeAll(keepingCapacity: true)
            let start = first && bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
            first = false
            let consumed = try bytes.withUnsafeBufferPointer { buf in
                try decodeUTF8(buf, from: start, final: last, baseOffset: offset, path: path, body)
            }
            pending.append(contentsOf: bytes[consumed...])
            offset += consumed
            if last { return }
        }
    }

    /// A file's bytes, `chunkSize` at a time: read from the file, or sliced from standard input's
    /// kept bytes. An empty chunk is the end.
    private struct ChunkSource {
        let path: String
        let file: PosixFile?, standardInput: [UInt8]?
        var standardInputOffset = 0

        init(path: String) throws {
            try InputFile.check(path, expected: "text file")
            self.path = path
            if path == InputFile.standardInputPath {
                standardInput = try InputFile.standardInput(); file = nil
            } else {
                guard let f = PosixFile.reading(path) else { throw FileError.from(errno: errno, path: path) }
                file = f; standardInput = nil
            }
        }

        mutating func next() throws -> [UInt8] {
            if let bytes = standardInput {
                let end = min(bytes.count, standardInputOffset + chunkSize)
                defer { standardInputOffset = end }
                return Array(bytes[standardInputOffset..<end])
            }
            do { return try file!.read(upTo: chunkSize) } catch {
                throw FileError.unreadable(path: path, reason: String(describing: error))
            }
        }
    }

    /// Decodes buf[from...]; returns how many bytes were consumed (an incomplete sequence at the
    /// end is left for the next chunk unless `final`).
    @inline(__always)
    static func decodeUTF8(
        _ buf: UnsafeBufferPointer<UInt8>, from start: Int, final: Bool, baseOffset: Int, path: String,
        _ body: (UInt32) throws -> Void
    ) throws -> Int {
        var i = start
        let n = buf.count
        while i < n {
            let b0 = UInt32(buf[i])
            if b0 < 0x80 { try body(b0); i += 1; continue }
            var need = 0, cp: UInt32 = 0, minimum: UInt32 = 0
            switch b0 {
            case 0xC2...0xDF: need = 1; cp = b0 & 0x1F; minimum = 0x80
            case 0xE0...0xEF: need = 2; cp = b0 & 0x0F; minimum = 0x800
            case 0xF0...0xF4: need = 3; cp = b0 & 0x07; minimum = 0x10000
            default: throw TextError.invalidUTF8(path: path, byteOffset: baseOffset + i)
            }
            if i + need >= n {
                // Check the continuation bytes we do have, then wait for more (or fail at the end).
                for j in (i + 1)..<n where buf[j] & 0xC0 != 0x80 {
                    throw TextError.invalidUTF8(path: path, byteOffset: baseOffset + i)
                }
                if final { throw TextError.invalidUTF8(path: path, byteOffset: baseOffset + i) }
                return i
            }
            for j in 1...need {
                let b = UInt32(buf[i + j])
                guard b & 0xC0 == 0x80 else { throw TextError.invalidUTF8(path: path, byteOffset: baseOffset + i) }
                cp = (cp << 6) | (b & 0x3F)
            }
            if cp < minimum || cp > 0x10FFFF || (0xD800...0xDFFF).contains(cp) {
                throw TextError.invalidUTF8(path: path, byteOffset: baseOffset + i)
            }
            try body(cp)
            i += need + 1
        }
        return i
    }
}
