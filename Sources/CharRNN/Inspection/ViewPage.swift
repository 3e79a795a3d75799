#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `charrnn view`'s page: one self-contained HTML file (inline CSS, JavaScript and SVG; nothing
/// from the network) that colours a text by each character's surprisal under one model, or by
/// the difference between two; shows the top predictions at any character; colours the text by
/// any unit's activation; lists the units that track properties of the text; and draws how often
/// each gate saturates. The text is drawn in blocks as they scroll into view, so 100K characters
/// stay responsive.
public struct ViewPage {
    /// One model on the page.
    public struct Model {
        /// What the page calls it (its path), and its trace.
        public var name: String
        public var trace: ModelTrace
        public init(name: String, trace: ModelTrace) { self.name = name; self.trace = trace }
    }

    /// The text shown (as traced), the models, how many characters the file held, and the flag
    /// that raises the limit.
    public var text: [Unicode.Scalar]
    public var models: [Model]
    public var totalCharacters: Int
    public var limitFlag = "--max-chars"

    public init(text: [Unicode.Scalar], models: [Model], totalCharacters: Int) {
        self.text = text; self.models = models; self.totalCharacters = totalCharacters
    }

    /// The characters every model scores (all of them for one model).
    public var common: [Bool] { Comparison.commonPositions(models.map(\.trace.losses)) }

    /// Per model: the mean loss in nats over the common characters, and how many there are.
    public var totals: [(nats: Double, scored: Int, notScored: Int)] {
        let keep = common
        return models.map { m in
            let t = m.trace.total(keep: models.count > 1 ? keep : nil)
            return (t.nats / Double(max(1, t.scored)), t.scored, max(0, text.count - 1 - t.scored))
        }
    }

    struct Tracked: Encodable {
        var layer: Int, kind: String, unit: Int, feature: String, r: Double, lo: Float, hi: Float, values: String
    }
    struct Saturation: Encodable { var layer: Int, gate: String, left: [Double], right: [Double] }
    struct ModelData: Encodable {
        var name: String, architecture: String, layers: Int, hidden: Int, parameters: Int
        var vocabulary: [String]
        var nats: Double, scored: Int, notScored: Int
        var loss: String, topIds: String, topProbabilities: String
        var kinds: [String], window: Int, windowValues: String, windowLo: String, windowHi: String
        var trackers: [Tracked]
        var saturation: [Saturation]
    }
    struct PageData: Encodable {
        var text: String, shown: Int, total: Int, limitFlag: String, commonCount: Int, sameVocabulary: Bool
        var top: Int
        var models: [ModelData]
    }

    static func base64<T>(_ values: [T]) -> String {
        values.withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// Values as bytes 0…254 between their finite minimum and maximum (255: none).
    static func quantize(_ x: [Float]) -> (bytes: [UInt8], lo: Float, hi: Float) {
        let finite = x.filter(\.isFinite)
        let lo = finite.min() ?? 0, hi = finite.max() ?? 0
        let scale = hi > lo ? 254 / (hi - lo) : 0
        return (x.map { $0.isFinite ? UInt8(((($0 - lo) * scale)).rounded()) : 255 }, lo, hi)
    }

    /// The symbols of a vocabulary as the page shows them.
    static func symbols(_ v: Vocabulary) -> [String] {
        v.symbols.map { s in
            if v.kind == .bytes { return s < 0x80 ? String(UnicodeScalar(UInt8(s))) : String(printf: "\\x%02X", s) }
            return Unicode.Scalar(s).map { String(Character($0)) } ?? "?"
        }
    }

    /// The page's data as JSON.
    func data() -> String {
        let keep = common
        var s = String.UnicodeScalarView()
        s.append(contentsOf: text)
        let page = PageData(
            text: String(s), shown: text.count, total: totalCharacters, limitFlag: limitFlag,
            commonCount: keep.filter { $0 }.count,
            sameVocabulary: models.allSatisfy { $0.trace.vocabulary == models[0].trace.vocabulary },
            top: ModelTrace.top,
            models: zip(models, totals).map { modelData($0, totals: $1, common: keep) })
        return JSONCoding.string(page).replacing("</", with: "<\\/")
    }

    /// One model's part of the data: what it is, its losses (only at the characters every model
    /// scores, when there are two), its top predictions, every unit in the window, its trackers and
    /// how often its gates saturate.
    private func modelData(
        _ m: Model, totals t: (nats: Double, scored: Int, notScored: Int), common keep: [Bool]
    ) -> ModelData {
        let tr = m.trace, cfg = tr.config
        let kinds = ModelTrace.UnitKind.kinds(cfg.architecture)
        let window = Self.windowData(tr)
        let tracked = zip(tr.trackers, tr.trackerActivations).map { t, values in
            let q = Self.quantize(values)
            return Tracked(
                layer: t.unit.layer, kind: t.unit.kind.rawValue, unit: t.unit.index, feature: t.feature.rawValue,
                r: t.correlation, lo: q.lo, hi: q.hi, values: Self.base64(q.bytes))
        }
        let sat = tr.saturation.enumerated().flatMap { l, gates in
            ModelTrace.UnitKind.gates(cfg.architecture).map { g in
                Saturation(layer: l, gate: g.rawValue, left: gates[g]!.left, right: gates[g]!.right)
            }
        }
        let shownLoss = models.count > 1 ? zip(tr.losses, keep).map { $1 ? $0 : .nan } : tr.losses
        return ModelData(
            name: m.name, architecture: cfg.architecture.displayName, layers: cfg.layers,
            hidden: cfg.hiddenSize, parameters: cfg.parameterCount, vocabulary: Self.symbols(tr.vocabulary),
            nats: t.nats, scored: t.scored, notScored: t.notScored, loss: Self.base64(shownLoss),
            topIds: Self.base64(tr.topIds),
            topProbabilities: Self.base64(tr.topProbabilities.map { UInt16(($0 * 65535).rounded()) }),
            kinds: kinds.map(\.rawValue), window: tr.window, windowValues: Self.base64(window.bytes),
            windowLo: Self.base64(window.lo), windowHi: Self.base64(window.hi), trackers: tracked, saturation: sat)
    }

    /// Every unit's activations over the window, each quantized to bytes over its own range, in the
    /// order layer, kind, unit.
    private static func windowData(_ tr: ModelTrace) -> (bytes: [UInt8], lo: [Float], hi: [Float]) {
        var bytes: [UInt8] = [], lo: [Float] = [], hi: [Float] = []
        for l in 0..<tr.config.layers {
            for k in ModelTrace.UnitKind.kinds(tr.config.architecture).indices {
                for j in 0..<tr.config.hiddenSize {
                    let q = quantize(tr.activations[l][k][j])
                    bytes += q.bytes; lo.append(q.lo); hi.append(q.hi)
                }
            }
        }
        return (bytes, lo, hi)
    }

    /// The whole page.
    public var html: String {
        Self.template.replacing("/*DATA*/", with: data())
    }
}

extension ViewPage {
    /// What can stop a page.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case mixedKinds(String, String)
        case tooShort(path: String)
        case nothingKnown(text: String, checkpoint: String)
        public var description: String {
            switch self {
            case .mixedKinds(let a, let b):
                return "\(a) reads characters and \(b) reads bytes; view needs checkpoints of the same kind"
            case .tooShort(let p): return "\(p): a text needs at least two characters to score"
            case .nothingKnown(let t, let c): return "\(t): no character pair of it is known to \(c); nothing to show"
            }
        }
    }

    /// The page for `checkpoints` (one or two paths) on the text file `text`, cut to its first
    /// `maxCharacters`. Every unit is kept for the first characters up to about four million values
    /// per model); the units that track the text are kept for all of it. The models' products are
    /// in `precision`.
    public static func make(
        checkpoints paths: [String], text: String, maxCharacters: Int, precision: Precision = .fp32
    ) throws -> ViewPage {
        let loaded = try load(paths)
        let kind = loaded[0].vocabulary.kind
        var symbols: [UInt32] = []
        try CorpusReader.forEachSymbol(text, kind: kind) { s in
            if symbols.count < maxCharacters + 1 { symbols.append(s) }
        }
        let total = try CorpusReader.scan(text, kind: kind).count
        return try make(
            checkpoints: paths, loaded: loaded, symbols: Array(symbols.prefix(maxCharacters)), total: total,
            kind: kind, text: text, precision: precision)
    }

    /// The page for the held-out `split` of the first checkpoint's run (`HeldOutText`).
    public static func make(
        checkpoints paths: [String], split: Score.Split, maxCharacters: Int, precision: Precision = .fp32
    ) throws -> ViewPage {
        let loaded = try load(paths)
        let part = try HeldOutText.load(loaded[0], path: paths[0], split: split)
        return try make(
            checkpoints: paths, loaded: loaded, symbols: Array(part.symbols.prefix(maxCharacters)),
            total: part.symbols.count, kind: part.kind, text: part.name, precision: precision)
    }

    /// The checkpoints, refused when they read different kinds of characters.
    static func load(_ paths: [String]) throws -> [Checkpoint] {
        let loaded = try paths.map { try Checkpoint.load($0) }
        if loaded.count == 2, loaded[0].vocabulary.kind != loaded[1].vocabulary.kind {
            throw loaded[0].vocabulary.kind == .bytes
                ? Failure.mixedKinds(paths[1], paths[0]) : Failure.mixedKinds(paths[0], paths[1])
        }
        return loaded
    }

    static func make(
        checkpoints paths: [String], loaded: [Checkpoint], symbols shown: [UInt32], total: Int,
        kind: Vocabulary.Kind, text: String, precision: Precision
    ) throws -> ViewPage {
        if shown.count < 2 { throw Failure.tooShort(path: text) }
        let scalars = shown.map { s in
            kind == .bytes ? Unicode.Scalar(UInt8(truncatingIfNeeded: s)) : (Unicode.Scalar(s) ?? "\u{FFFD}")
        }
        var models: [Model] = []
        for (path, ckpt) in zip(paths, loaded) {
            let index = Dictionary(uniqueKeysWithValues: ckpt.vocabulary.symbols.enumerated().map { ($1, Int32($0)) })
            let ids = shown.map { index[$0] ?? -1 }
            let cfg = ckpt.config
            let units = cfg.layers * ModelTrace.UnitKind.kinds(cfg.architecture).count * cfg.hiddenSize
            let window = min(5000, max(200, 1_500_000 / max(1, units)))
            models.append(
                Model(
                    name: path,
                    trace: ModelTrace(
                        checkpoint: ckpt, ids: ids, text: scalars, window: window, precision: precision)))
        }
        let page = ViewPage(text: scalars, models: models, totalCharacters: total)
        if let i = page.models.firstIndex(where: { $0.trace.total().scored == 0 }) {
            throw Failure.nothingKnown(text: text, checkpoint: paths[i])
        }
        if page.models.count == 2 && !page.common.contains(true) {
            throw Failure.nothingKnown(text: text, checkpoint: "both \(paths[0]) and \(paths[1])")
        }
        return page
    }
}
