#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// # The charrnn checkpoint format, version 1
///
/// A checkpoint file (`*.ckpt`) is a standard **gzip** stream (RFC 1952; `gzip -dc` opens it) whose
/// payload is a standard **safetensors** file:
///
/// 1. 8 bytes: little-endian u64 `N`, the length of the JSON header;
/// 2. `N` bytes: a JSON object (padded with spaces to a multiple of 8) mapping each tensor name to
///    `{"dtype": "F32"|"F16"|"BF16", "shape": [...], "data_offsets": [begin, end]}`, plus
///    `"__metadata__"`, a map of string to string;
/// 3. the tensor bytes, little-endian, row-major, at the given offsets.
///
/// **Tensors.** The model's parameters under PyTorch `state_dict` names and shapes
/// (`emb.weight [V,E]` for embedding models, `rnn.weight_ih_l{k} [G·H, In]`,
/// `rnn.weight_hh_l{k} [G·H, H]`, `rnn.bias_ih_l{k} [G·H]`, `rnn.bias_hh_l{k} [G·H]`,
/// `out.weight [V,H]`, `out.bias [V]`; G = 4 for LSTM in gate order i,f,g,o, G = 3 for GRU in
/// order r,z,n). Training checkpoints also hold Adam's moments as
/// `optimizer.exp_avg.<name>` and `optimizer.exp_avg_sq.<name>` (same shapes, F32), and the hidden
/// state carried between batches as `state.h` and, for LSTM, `state.c` (`[layers, batch, H]`).
/// When a run averages its weights (`--ema`), the parameters are the average and the raw weights
/// the optimizer updates are `optimizer.weights.<name>`.
///
/// **Metadata** (every value is a string; JSON where structured):
/// - `format`: `"charrnn"`; `format_version`: `"1"` (readers refuse newer versions);
/// - `config`: `{"architecture": "lstm"|"gru", "vocabularySize", "hiddenSize", "layers",
///   "embeddingSize" (0 = one-hot input), "dropout"}`;
/// - `vocabulary`: `{"kind": "unicode"|"bytes", "symbols": [code points or byte values, ascending]}`
///   (token id = index in `symbols`);
/// - `training` (optional): `{"settings": {...}, "progress": {...}}` — the run's hyper-parameters,
///   and step, epoch, position in the data, characters seen, elapsed time, the random generator's
///   state (four 64-bit words in hex), the optimizer step, and the best validation loss so far;
/// - `metrics` (optional): the history of `{step, epoch, characters, seconds, trainLoss,
///   validationLoss, learningRate}` records.
///
/// Files are written atomically: a temporary file in the same folder, flushed, then renamed.
/// Loading checks every layer of the file and names what is wrong (`CheckpointError`).
public struct Checkpoint {
    /// The format version this build writes and the newest it reads.
    public static let formatVersion = 1
    /// The file extension charrnn uses for checkpoints.
    public static let fileExtension = "ckpt"

    /// Adam's state, stored in training checkpoints so `--resume` continues exactly.
    public struct OptimizerState: Equatable {
        /// Adam's step count (PyTorch's `step`).
        public var step: Int
        /// First moments, in the parameter layout.
        public var m: [Float]
        /// Second moments, in the parameter layout.
        public var v: [Float]
        /// The raw weights the optimizer updates, when the checkpoint's parameters are their
        /// moving average (`TrainingSettings.emaDecay`); nil otherwise.
        public var weights: [Float]?
        /// Adam's state; `weights` are the raw weights when the parameters hold their moving average.
        public init(step: Int, m: [Float], v: [Float], weights: [Float]? = nil) {
            self.step = step; self.m = m; self.v = v; self.weights = weights
        }
    }

    /// The hidden (and cell) state carried from one batch to the next, so a resumed run continues
    /// its streams where they stopped.
    public struct CarriedState: Equatable {
        /// Streams in the batch the state belongs to.
        public var batch: Int
        /// Hidden state, [layers, batch, hidden].
        public var h: [Float]
        /// LSTM cell state, [layers, batch, hidden] (empty for a GRU).
        public var c: [Float]
        /// A carried state of `batch` streams.
        public init(batch: Int, h: [Float], c: [Float]) { self.batch = batch; self.h = h; self.c = c }
    }

    /// The model's architecture and sizes.
    public var config: ModelConfig
    /// The characters (or bytes) the model reads and writes, in id order.
    public var vocabulary: Vocabulary
    /// All parameters in `ParameterLayout` order.
    public var parameters: [Float]
    /// Adam's moments and step (training checkpoints only).
    public var optimizer: OptimizerState?
    /// The hidden state carried between batches (training checkpoints only).
    public var carriedState: CarriedState?
    /// The run's settings and where it stands (training checkpoints only).
    public var training: TrainingRecord?
    /// The run's metric history (one record per 10 steps and per validation).
    public var metrics: [MetricRecord]
    /// Storage type of the parameters in the file.
    public var dtype: Safetensors.DType

    /// A checkpoint of a model; training state is optional.
    public init(
        config: ModelConfig, vocabulary: Vocabulary, parameters: [Float], optimizer: OptimizerState? = nil,
        carriedState: CarriedState? = nil, training: TrainingRecord? = nil, metrics: [MetricRecord] = [],
        dtype: Safetensors.DType = .f32
    ) {
        self.config = config; self.vocabulary = vocabulary; self.parameters = parameters
        self.optimizer = optimizer; self.carriedState = carriedState; self.training = training
        self.metrics = metrics; self.dtype = dtype
    }

    /// Parameters in the model.
    public var parameterCount: Int { parameters.count }
    /// A model holding these parameters.
    public func makeModel() -> LanguageModel { LanguageModel(config: config, parameters: FloatBuffer(parameters)) }

    // MARK: writing

    /// The checkpoint file's bytes: gzip around safetensors, as the format above specifies.
    public func serialized() -> [UInt8] {
        Gzip.compress(Safetensors.serialize(tensors: fileTensors(), metadata: fileMetadata()), level: 1)
    }

    /// The tensors the file holds, in its order: the parameters (in `dtype`), the optimizer's two
    /// moments and raw weights, and the carried state.
    private func fileTensors() -> [(String, Safetensors.Tensor)] {
        let layout = ParameterLayout(config)
        var tensors: [(String, Safetensors.Tensor)] = []
        func add(_ name: String, _ values: ArraySlice<Float>, _ shape: [Int], dtype: Safetensors.DType = .f32) {
            values.withUnsafeBufferPointer { buf in
                var t = Safetensors.Tensor(f32: buf, shape: shape)
                if dtype != .f32 { t = Self.narrow(buf, shape: shape, to: dtype) }
                tensors.append((name, t))
            }
        }
        for e in layout.entries { add(e.name, parameters[e.offset..<(e.offset + e.count)], e.shape, dtype: dtype) }
        if let o = optimizer {
            for e in layout.entries {
                add("optimizer.exp_avg.\(e.name)", o.m[e.offset..<(e.offset + e.count)], e.shape)
            }
            for e in layout.entries {
                add("optimizer.exp_avg_sq.\(e.name)", o.v[e.offset..<(e.offset + e.count)], e.shape)
            }
            if let w = o.weights {
                for e in layout.entries {
                    add("optimizer.weights.\(e.name)", w[e.offset..<(e.offset + e.count)], e.shape)
                }
            }
        }
        if let s = carriedState {
            let shape = [config.layers, s.batch, config.hiddenSize]
            add("state.h", s.h[...], shape)
            if config.architecture == .lstm { add("state.c", s.c[...], shape) }
        }
        return tensors
    }

    /// The file's metadata: the format and its version, the configuration, the vocabulary, and
    /// (when present) the training settings, the metrics and the optimizer's step.
    private func fileMetadata() -> [String: String] {
        var metadata: [String: String] = [
            "format": "charrnn",
            "format_version": String(Self.formatVersion),
            "config": Self.json(config),
            "vocabulary": Self.json(VocabularyRecord(kind: vocabulary.kind, symbols: vocabulary.symbols)),
        ]
        if let t = training { metadata["training"] = Self.json(t) }
        if !metrics.isEmpty { metadata["metrics"] = Self.json(metrics) }
        if let o = optimizer { metadata["optimizer_step"] = String(o.step) }
        return metadata
    }

    /// Writes atomically: `path.tmp-PID`, fsync, rename over `path`. A failure leaves any existing
    /// file at `path` untouched.
    /// A checkpoint whose weights are not all finite is never written (it could not be loaded).
    public func write(to path: String) throws {
        try Self.checkFinite(parameters, layout: ParameterLayout(config), prefix: "", path: path)
        try Self.atomicWrite(serialized(), to: path)
    }

    /// Writes `bytes` to `path` atomically and only as a regular file (see `OutputFile.write`).
    public static func atomicWrite(_ bytes: [UInt8], to path: String, inputs: [String] = []) throws {
        try OutputFile.write(bytes, to: path, inputs: inputs)
    }

    // MARK: reading

    /// Reads and checks a checkpoint file (any dtype; f16 and bf16 widen to f32). `-` is standard input.
    public static func load(_ path: String) throws -> Checkpoint {
        return try decode(InputFile.read(path, expected: "checkpoint file"), path: path)
    }

    /// Decodes checkpoint bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> Checkpoint {
        if bytes.isEmpty { throw CheckpointError.truncated(path: path, detail: "the file is empty") }
        let file = try CheckpointReader(payload: try decompress(bytes, path: path), path: path)
        let config = try file.config()
        let vocabulary = try file.vocabulary(size: config.vocabularySize)
        let layout = ParameterLayout(config)
        try file.checkSize(layout)
        let params = try file.parameters(layout)
        let optimizer = try file.optimizer(layout)
        let carried = try file.carriedState(config)
        let training = file.meta["training"] == nil ? nil : try file.json("training", as: TrainingRecord.self)
        if let p = training?.progress, let field = p.negativeCounter {
            throw CheckpointError.corrupt(path: path, detail: "training.progress.\(field) is negative")
        }
        try checkFinite(params, layout: layout, prefix: "", path: path)
        if let o = optimizer {
            try checkFinite(o.m, layout: layout, prefix: "optimizer.exp_avg.", path: path)
            try checkFinite(o.v, layout: layout, prefix: "optimizer.exp_avg_sq.", path: path)
            if let w = o.weights { try checkFinite(w, layout: layout, prefix: "optimizer.weights.", path: path) }
        }
        let metrics = file.meta["metrics"] == nil ? [] : try file.json("metrics", as: [MetricRecord].self)
        return Checkpoint(
            config: config, vocabulary: vocabulary, parameters: params, optimizer: optimizer, carriedState: carried,
            training: training, metrics: metrics, dtype: file.tensors[layout.entries[0].name]!.dtype)
    }

    /// The safetensors bytes inside the gzip stream, each failure named.
    static func decompress(_ bytes: [UInt8], path: String) throws -> [UInt8] {
        // No real checkpoint expands more than ~2000×: cap what a forged stream can make us allocate.
        do { return try Gzip.decompress(bytes, limit: max(1 << 28, bytes.count * 2000)) } catch let e as Gzip.Failure {
            switch e {
            case .notGzip: throw CheckpointError.notGzip(path: path)
            case .truncated: throw CheckpointError.truncated(path: path, detail: "the gzip stream ends early")
            case .corrupt(let m): throw CheckpointError.corrupt(path: path, detail: "gzip data: \(m)")
            case .tooLarge: throw CheckpointError.corrupt(path: path, detail: "decompresses to implausibly many bytes")
            }
        }
    }

    // MARK: helpers

    /// Refuses a non-finite value, naming its tensor and its index in the tensor.
    static func checkFinite(_ values: [Float], layout: ParameterLayout, prefix: String, path: String) throws {
        guard let i = values.firstIndex(where: { !$0.isFinite }) else { return }
        let e = layout.entries.last { $0.offset <= i }!
        throw CheckpointError.corrupt(
            path: path,
            detail: "tensor \(prefix)\(e.name) holds \(values[i]) at index \(i - e.offset); a model's values are finite"
        )
    }

    struct VocabularyRecord: Codable {
        var kind: Vocabulary.Kind
        var symbols: [UInt32]
    }

    static func json<T: Encodable>(_ value: T) -> String {
        JSONCoding.string(value)
    }

    static func narrow(
        _ values: UnsafeBufferPointer<Float>, shape: [Int], to dtype: Safetensors.DType
    ) -> Safetensors.Tensor {
        var bytes = [UInt8](); bytes.reserveCapacity(values.count * 2)
        for x in values {
            let bits: UInt16
            if dtype == .f16 {
                bits = Half.bits(x)
            } else {
                bits = BFloat16.bits(x)
            }
            bytes.append(UInt8(bits & 0xFF)); bytes.append(UInt8(bits >> 8))
        }
        return Safetensors.Tensor(dtype: dtype, shape: shape, data: bytes)
    }
}

/// Everything wrong with a checkpoint file, each naming the file.
public enum CheckpointError: Error, CustomStringConvertible, Equatable {
    case notGzip(path: String)
    case truncated(path: String, detail: String)
    case corrupt(path: String, detail: String)
    case notCharRNN(path: String, detail: String)
    case newerVersion(path: String, found: Int, supported: Int)
    case inconsistent(path: String, detail: String)

    /// One line that names the file and says what is wrong with it.
    public var description: String {
        switch self {
        case .notGzip(let p): return "\(p): not a charrnn checkpoint (not a gzip file)"
        case .truncated(let p, let d): return "\(p): truncated checkpoint (\(d))"
        case .corrupt(let p, let d): return "\(p): corrupt checkpoint (\(d))"
        case .notCharRNN(let p, let d): return "\(p): not a charrnn checkpoint (\(d))"
        case .newerVersion(let p, let f, let s):
            return "\(p): checkpoint format version \(f) is newer than this charrnn supports (\(s)); upgrade charrnn"
        case .inconsistent(let p, let d): return "\(p): inconsistent checkpoint: \(d)"
        }
    }
}

extension Error {
    var shortDescription: String {
        if let d = self as? DecodingError {
            switch d {
            case .keyNotFound(let k, _): return "missing key \(k.stringValue)"
            case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
                return c.codingPath.map(\.stringValue).joined(separator: ".") + ": " + c.debugDescription
            @unknown default: return "\(d)"
            }
        }
        return "\(self)"
    }
}

/// A checkpoint's safetensors payload, parsed and checked part by part: the format and its
/// version, the configuration, the vocabulary, the tensors. Every refusal names the file and
/// what is wrong with it.
struct CheckpointReader {
    let tensors: [String: Safetensors.Tensor]
    let meta: [String: String]
    let path: String
    let payloadSize: Int

    /// Parses `payload` and checks that it is a charrnn checkpoint of a version this build reads.
    init(payload: [UInt8], path: String) throws {
        self.path = path
        payloadSize = payload.count
        do { (tensors, meta) = try Safetensors.parse(payload) } catch Safetensors.Failure.malformed(let m) {
            throw CheckpointError.notCharRNN(path: path, detail: "not a safetensors file: \(m)")
        } catch Safetensors.Failure.inconsistentLayout(let m) {
            throw CheckpointError.corrupt(path: path, detail: m)
        }
        guard meta["format"] == "charrnn" else {
            throw CheckpointError.notCharRNN(path: path, detail: "safetensors metadata has no format \"charrnn\"")
        }
        guard let vs = meta["format_version"], let version = Int(vs) else {
            throw CheckpointError.notCharRNN(path: path, detail: "missing format_version")
        }
        if version > Checkpoint.formatVersion {
            throw CheckpointError.newerVersion(path: path, found: version, supported: Checkpoint.formatVersion)
        }
        if version < 1 { throw CheckpointError.corrupt(path: path, detail: "format_version \(vs) is not a version") }
    }

    /// The JSON metadata entry `key`, decoded (refused when missing, ambiguous or invalid).
    func json<T: Decodable>(_ key: String, as: T.Type) throws -> T {
        guard let s = meta[key] else {
            throw CheckpointError.inconsistent(path: path, detail: "metadata \(key) is missing")
        }
        if let duplicate = JSONKeys.firstDuplicate(Array(s.utf8)) {
            throw CheckpointError.corrupt(path: path, detail: "metadata \(key) names \(duplicate) twice")
        }
        do { return try JSONCoding.decoder().decode(T.self, from: Data(s.utf8)) } catch {
            throw CheckpointError.inconsistent(
                path: path, detail: "metadata \(key) is not valid: \(error.shortDescription)")
        }
    }

    /// The model's configuration, within the ranges a model can have.
    func config() throws -> ModelConfig {
        let config = try json("config", as: ModelConfig.self)
        guard config.layers >= 1, config.layers <= 64, config.hiddenSize >= 1, config.hiddenSize <= 1 << 16,
            config.vocabularySize >= 1, config.vocabularySize <= 1 << 21, config.embeddingSize >= 0,
            config.embeddingSize <= 1 << 16, config.dropout >= 0, config.dropout < 1
        else {
            throw CheckpointError.inconsistent(path: path, detail: "config out of range: \(config)")
        }
        return config
    }

    /// Refuses a config that promises more parameters than the file holds (at 2 bytes each at least).
    func checkSize(_ layout: ParameterLayout) throws {
        let count = layout.totalCount
        guard count.multipliedReportingOverflow(by: 2).partialValue <= payloadSize, count > 0 else {
            throw CheckpointError.inconsistent(
                path: path, detail: "the config needs \(count) parameters but the file is \(payloadSize) bytes")
        }
    }

    /// The vocabulary: `size` ascending, valid symbols.
    func vocabulary(size: Int) throws -> Vocabulary {
        let vr = try json("vocabulary", as: Checkpoint.VocabularyRecord.self)
        guard vr.symbols.count == size else {
            throw CheckpointError.inconsistent(
                path: path, detail: "vocabulary has \(vr.symbols.count) symbols but config says \(size)")
        }
        guard zip(vr.symbols, vr.symbols.dropFirst()).allSatisfy({ $0 < $1 }),
            vr.symbols.allSatisfy({ vr.kind == .bytes ? $0 < 256 : Unicode.Scalar($0) != nil })
        else {
            throw CheckpointError.inconsistent(
                path: path, detail: "vocabulary symbols are not ascending valid characters")
        }
        return Vocabulary(kind: vr.kind, symbols: vr.symbols)
    }

    /// The tensor `name`, which must have `shape`, widened to f32.
    func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        guard let t = tensors[name] else {
            throw CheckpointError.inconsistent(path: path, detail: "tensor \(name) is missing")
        }
        guard t.shape == shape else {
            throw CheckpointError.inconsistent(
                path: path, detail: "tensor \(name) has shape \(t.shape), expected \(shape) from the config")
        }
        return t.floats()
    }

    /// The parameters, in layout order; a tensor the layout does not know is refused.
    func parameters(_ layout: ParameterLayout) throws -> [Float] {
        var params = [Float]()
        params.reserveCapacity(layout.totalCount)
        for e in layout.entries { params += try tensor(e.name, shape: e.shape) }
        let known = Set(layout.entries.map(\.name))
        for name in tensors.keys
        where !known.contains(name) && !name.hasPrefix("optimizer.") && !name.hasPrefix("state.") {
            throw CheckpointError.inconsistent(path: path, detail: "unexpected tensor \(name) for this config")
        }
        return params
    }

    /// Adam's moments and step, and the raw weights of an averaging run, when the file has them.
    func optimizer(_ layout: ParameterLayout) throws -> Checkpoint.OptimizerState? {
        guard tensors["optimizer.exp_avg.\(layout.entries[0].name)"] != nil else { return nil }
        func all(_ prefix: String) throws -> [Float] {
            var out = [Float]()
            for e in layout.entries { out += try tensor(prefix + e.name, shape: e.shape) }
            return out
        }
        let m = try all("optimizer.exp_avg."), v = try all("optimizer.exp_avg_sq.")
        guard let s = meta["optimizer_step"], let step = Int(s), step >= 0 else {
            throw CheckpointError.inconsistent(path: path, detail: "optimizer moments without optimizer_step")
        }
        let weights =
            tensors["optimizer.weights.\(layout.entries[0].name)"] != nil ? try all("optimizer.weights.") : nil
        return Checkpoint.OptimizerState(step: step, m: m, v: v, weights: weights)
    }

    /// The hidden (and cell) state carried between batches, when the file has it.
    func carriedState(_ config: ModelConfig) throws -> Checkpoint.CarriedState? {
        guard let h = tensors["state.h"] else { return nil }
        guard h.shape.count == 3, h.shape[0] == config.layers, h.shape[2] == config.hiddenSize else {
            throw CheckpointError.inconsistent(path: path, detail: "tensor state.h has shape \(h.shape)")
        }
        let c = config.architecture == .lstm ? try tensor("state.c", shape: h.shape) : []
        return Checkpoint.CarriedState(batch: h.shape[1], h: h.floats(), c: c)
    }
}
