import Foundation

/// Errors reading a corpus or prime text. Each names the file and, where it applies, the offset.
public enum TextError: Error, CustomStringConvertible, Equatable {
    case missing(path: String)
    case isDirectory(path: String)
    case unreadable(path: String, reason: String)
    case empty(path: String)
    case invalidUTF8(path: String, byteOffset: Int)
    case tooManySymbols(path: String, count: Int)

    public var description: String {
        switch self {
        case .missing(let p): return "\(p): no such file"
        case .isDirectory(let p): return "\(p): is a directory, not a text file"
        case .unreadable(let p, let r): return "\(p): cannot be read (\(r))"
        case .empty(let p): return "\(p): the file is empty"
        case .invalidUTF8(let p, let o):
            return "\(p): invalid UTF-8 at byte offset \(o) (use --bytes to train on raw bytes)"
        case .tooManySymbols(let p, let n): return "\(p): \(n) distinct characters; at most 65536 are supported"
        }
    }
}

public enum TextDecoding {
    /// Unicode scalars of UTF-8 `bytes`, without a leading byte-order mark.
    /// Throws `invalidUTF8` naming the offset of the first byte of the bad sequence.
    public static func scalars(utf8 bytes: UnsafeBufferPointer<UInt8>, path: String) throws -> [UInt32] {
        var out = [UInt32]()
        out.reserveCapacity(bytes.count)
        var i = 0
        let n = bytes.count
        if n >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
        while i < n {
            let b0 = UInt32(bytes[i])
            if b0 < 0x80 { out.append(b0); i += 1; continue }
            var need = 0
            var cp: UInt32 = 0
            var minimum: UInt32 = 0
            switch b0 {
            case 0xC2...0xDF: need = 1; cp = b0 & 0x1F; minimum = 0x80
            case 0xE0...0xEF: need = 2; cp = b0 & 0x0F; minimum = 0x800
            case 0xF0...0xF4: need = 3; cp = b0 & 0x07; minimum = 0x10000
            default: throw TextError.invalidUTF8(path: path, byteOffset: i)
            }
            if i + need >= n { throw TextError.invalidUTF8(path: path, byteOffset: i) }
            for j in 1...need {
                let b = UInt32(bytes[i + j])
                guard b & 0xC0 == 0x80 else { throw TextError.invalidUTF8(path: path, byteOffset: i) }
                cp = (cp << 6) | (b & 0x3F)
            }
            if cp < minimum || cp > 0x10FFFF || (0xD800...0xDFFF).contains(cp) {
                throw TextError.invalidUTF8(path: path, byteOffset: i)
            }
            out.append(cp)
            i += need + 1
        }
        return out
    }

    public static func scalars(of string: String) -> [UInt32] {
        var s = string.unicodeScalars.map { $0.value }
        if s.first == 0xFEFF { s.removeFirst() }
        return s
    }

    /// Reads a text file as symbols (Unicode scalars, or bytes when `kind == .bytes`).
    public static func readFile(_ path: String, kind: Vocabulary.Kind) throws -> [UInt32] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { throw TextError.missing(path: path) }
        if isDir.boolValue { throw TextError.isDirectory(path: path) }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw TextError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        if data.isEmpty { throw TextError.empty(path: path) }
        return try data.withUnsafeBytes { raw -> [UInt32] in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch kind {
            case .unicode: return try scalars(utf8: bytes, path: path)
            case .bytes: return bytes.map { UInt32($0) }
            }
        }
    }
}
