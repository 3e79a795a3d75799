#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A minimal reader and writer of the safetensors format: an 8-byte little-endian header length,
/// a JSON header mapping tensor names to {dtype, shape, data_offsets} plus a `__metadata__` map of
/// strings, then the tensor bytes. Every offset and shape is checked against the buffer before
/// anything is allocated from it.
public enum Safetensors {
    /// Element types charrnn reads and writes.
    public enum DType: String, Sendable { case f32 = "F32", f16 = "F16", bf16 = "BF16" }

    /// One tensor: dtype, shape and little-endian bytes.
    public struct Tensor {
        /// The element type.
        public var dtype: DType
        /// The dimensions, outermost first.
        public var shape: [Int]
        /// The raw little-endian bytes.
        public var data: [UInt8]
        /// Where its bytes began in the file's data section (0 for a tensor not read from a file).
        var begin = 0
        /// Elements in the tensor (the product of the shape).
        public var elementCount: Int { shape.reduce(1, *) }

        /// A tensor of raw bytes.
        public init(dtype: DType, shape: [Int], data: [UInt8]) {
            self.dtype = dtype; self.shape = shape; self.data = data
        }

        /// An f32 tensor of `values`.
        public init(f32 values: UnsafeBufferPointer<Float>, shape: [Int]) {
            dtype = .f32; self.shape = shape
            data = [UInt8](UnsafeRawBufferPointer(values))
        }

        /// Values widened to Float (f16 and bf16 included).
        public func floats() -> [Float] {
            data.withUnsafeBytes { raw -> [Float] in
                switch dtype {
                case .f32:
                    return (0..<elementCount).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
                case .f16:
                    return (0..<elementCount).map {
                        Half.float(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))
                    }
                case .bf16:
                    return (0..<elementCount).map {
                        Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) << 16)
                    }
                }
            }
        }
    }

    /// A file that is not valid safetensors, with the reason.
    public enum Failure: Error, Equatable {
        /// Not safetensors at all (a bad header).
        case malformed(String)
        /// A safetensors header whose byte ranges cannot be a file's tensors (overlapping or
        /// gapped ranges, bytes after the last tensor) or whose JSON repeats a key.
        case inconsistentLayout(String)
    }

    static func elementSize(_ d: DType) -> Int { d == .f32 ? 4 : 2 }

    /// The safetensors bytes of `tensors` (in that order) and string `metadata`.
    public static func serialize(tensors: [(String, Tensor)], metadata: [String: String]) -> [UInt8] {
        var header = "{\"__metadata__\":" + jsonObject(metadata)
        var offset = 0
        for (name, t) in tensors {
            let shape = t.shape.map(String.init).joined(separator: ",")
            header += ",\(jsonString(name)):{\"dtype\":\"\(t.dtype.rawValue)\",\"shape\":[\(shape)],"
            header += "\"data_offsets\":[\(offset),\(offset + t.data.count)]}"
            offset += t.data.count
        }
        header += "}"
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: headerBytes)
        for (_, t) in tensors { out.append(contentsOf: t.data) }
        return out
    }

    /// The tensors and metadata of safetensors bytes; sizes are checked against the bytes present.
    public static func parse(_ bytes: [UInt8]) throws -> (tensors: [String: Tensor], metadata: [String: String]) {
        let (header, headerEnd) = try parseHeader(bytes)
        let data = bytes[headerEnd...]
        var metadata: [String: String] = [:]
        var tensors: [String: Tensor] = [:]
        for (key, value) in header {
            if key == "__metadata__" {
                metadata = try parseMetadata(value)
            } else {
                tensors[key] = try parseTensor(key, value, data: data)
            }
        }
        try checkRanges(tensors, dataCount: data.count)
        return (tensors, metadata)
    }

    /// The JSON header (after its 8-byte little-endian length) as an object, and where the data begins.
    static func parseHeader(_ bytes: [UInt8]) throws -> (header: [String: JSONValue], dataStart: Int) {
        guard bytes.count >= 8 else { throw Failure.malformed("shorter than the 8-byte header length") }
        var n: UInt64 = 0
        for i in 0..<8 { n |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard n <= UInt64(bytes.count - 8) else {
            throw Failure.malformed("header length \(n) exceeds the \(bytes.count - 8) bytes that follow")
        }
        let headerEnd = 8 + Int(n)
        let json: JSONValue
        let headerBytes = Array(bytes[8..<headerEnd])
        do { json = try JSONDecoder().decode(JSONValue.self, from: Data(headerBytes)) } catch {
            throw Failure.malformed("header is not valid JSON")
        }
        if let key = JSONKeys.firstDuplicate(headerBytes) {
            throw Failure.inconsistentLayout("the header names \(key) twice")
        }
        guard case .object(let header) = json else { throw Failure.malformed("header is not a JSON object") }
        return (header, headerEnd)
    }

    /// `__metadata__`: an object of strings.
    static func parseMetadata(_ value: JSONValue) throws -> [String: String] {
        guard case .object(let m) = value else { throw Failure.malformed("__metadata__ is not an object") }
        var metadata: [String: String] = [:]
        for (k, v) in m {
            guard case .string(let s) = v else { throw Failure.malformed("metadata \(k) is not a string") }
            metadata[k] = s
        }
        return metadata
    }

    /// One tensor's entry, its shape and byte range checked against the `data` that follows the header.
    static func parseTensor(_ key: String, _ value: JSONValue, data: ArraySlice<UInt8>) throws -> Tensor {
        guard case .object(let t) = value, case .string(let ds) = t["dtype"],
            case .array(let shapeAny) = t["shape"], case .array(let offsAny) = t["data_offsets"], offsAny.count == 2
        else {
            throw Failure.malformed("tensor \(key): needs dtype, shape and data_offsets")
        }
        guard let dtype = DType(rawValue: ds) else { throw Failure.malformed("tensor \(key): unsupported dtype \(ds)") }
        let dataCount = data.count
        var shape: [Int] = []
        var count = 1
        for s in shapeAny {
            guard let d = s.integer, d >= 0, d <= dataCount else { throw Failure.malformed("tensor \(key): bad shape") }
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o, p <= dataCount else { throw Failure.malformed("tensor \(key): shape larger than the file") }
            count = p
            shape.append(d)
        }
        guard let b = offsAny[0].integer, let e = offsAny[1].integer, b >= 0, e >= b, e <= dataCount else {
            throw Failure.malformed("tensor \(key): data_offsets outside the \(dataCount) data bytes")
        }
        guard e - b == count * elementSize(dtype) else {
            throw Failure.malformed("tensor \(key): \(e - b) bytes for shape \(shape) of \(ds)")
        }
        let start = data.startIndex
        var tensor = Tensor(dtype: dtype, shape: shape, data: Array(data[(start + b)..<(start + e)]))
        tensor.begin = b
        return tensor
    }

    /// The tensors' byte ranges must tile the data exactly: no overlap, no gap, nothing after.
    static func checkRanges(_ tensors: [String: Tensor], dataCount: Int) throws {
        var end = 0
        for (name, t) in tensors.sorted(by: { ($0.value.begin, $0.key) < ($1.value.begin, $1.key) }) {
            if t.begin < end { throw Failure.inconsistentLayout("tensor \(name) overlaps the tensor before it") }
            if t.begin > end { throw Failure.inconsistentLayout("\(t.begin - end) unused bytes before tensor \(name)") }
            end = t.begin + t.data.count
        }
        if end != dataCount { throw Failure.inconsistentLayout("\(dataCount - end) bytes after the last tensor") }
    }

    static func jsonString(_ s: String) -> String {
        let data = try! JSONEncoder().encode([s])
        let wrapped = String(decoding: data, as: UTF8.self)
        return String(wrapped.dropFirst().dropLast())
    }

    static func jsonObject(_ m: [String: String]) -> String {
        "{" + m.keys.sorted().map { "\(jsonString($0)):\(jsonString(m[$0]!))" }.joined(separator: ",") + "}"
    }
}

/// A parsed JSON value, for the header's mix of objects, arrays, strings and numbers.
enum JSONValue: Decodable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// The value as an Int when it is a whole number that fits.
    var integer: Int? {
        guard case .number(let d) = self else { return nil }
        return Int(exactly: d)
    }
}

/// Duplicate keys, which JSON decoders accept silently (keeping one of the values).
enum JSONKeys {
    /// The first key that appears twice in one object of `json` (already known to be valid JSON).
    static func firstDuplicate(_ json: [UInt8]) -> String? {
        var objects: [(isObject: Bool, keys: Set<[UInt8]>)] = []
        var expectKey = false
        var i = 0
        while i < json.count {
            switch json[i] {
            case UInt8(ascii: "{"): objects.append((true, [])); expectKey = true
            case UInt8(ascii: "["): objects.append((false, [])); expectKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"): _ = objects.popLast(); expectKey = false
            case UInt8(ascii: ","): expectKey = objects.last?.isObject ?? false
            case UInt8(ascii: ":"): expectKey = false
            case UInt8(ascii: "\""):
                var j = i + 1
                while j < json.count && json[j] != UInt8(ascii: "\"") { j += json[j] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectKey, !objects.isEmpty {
                    let key = Array(json[(i + 1)..<min(j, json.count)])
                    if !objects[objects.count - 1].keys.insert(key).inserted {
                        return String(decoding: key, as: UTF8.self)
                    }
                    expectKey = false
                }
                i = j
            default: break
            }
            i += 1
        }
        return nil
    }
}
