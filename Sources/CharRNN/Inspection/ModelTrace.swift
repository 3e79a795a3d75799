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

/// What one model does over a text, character by character, as `charrnn view` shows it: the
/// surprisal of every character (scored exactly as `eval` and `compare` score it), the top
/// predictions, the activations of its units, the units that track properties of the text, and
/// how often its gates saturate.
public final class ModelTrace {
    /// A kind of unit: the LSTM's gates i, f, o, its cell c and hidden h; the GRU's gates r, z, n
    /// and hidden h.
    public enum UnitKind: String, Codable, Sendable, CaseIterable {
        case c, h, i, f, o, r, z, n

        /// The kinds of an architecture, in the order the page lists them.
        public static func kinds(_ a: Architecture) -> [UnitKind] {
            a == .lstm ? [.c, .h, .i, .f, .o] : [.h, .r, .z, .n]
        }
        /// The gates whose saturation the page draws.
        public static func gates(_ a: Architecture) -> [UnitKind] { a == .lstm ? [.i, .f, .o] : [.r, .z] }
        /// Whether its values lie in [0, 1] (a gate) rather than [−1, 1] or beyond.
        public var isGate: Bool { [.i, .f, .o, .r, .z].contains(self) }
    }

    /// One unit: a layer, a kind and an index.
    public struct Unit: Codable, Hashable, Sendable {
        public var layer: Int, kind: UnitKind, index: Int
    }

    /// A unit that tracks a property of the text.
    public struct Tracker: Codable, Sendable {
        public var unit: Unit
        public var feature: TextFeature
        /// Pearson correlation between the unit's activation and the feature over the text.
        public var correlation: Double
    }

    /// The checkpoint's configuration and vocabulary.
    public let config: ModelConfig
    public let vocabulary: Vocabulary
    /// Characters traced.
    public let count: Int
    /// Loss in nats of character i (predicted after reading 0…i−1); NaN for character 0 and for
    /// characters not scored (outside the vocabulary, or not followed by a known one).
    public private(set) var losses: [Float]
    /// Whether character i is outside the vocabulary.
    public let unknown: [Bool]
    /// Top predictions for character i (made after reading i − 1): ids and probabilities, `top` per position.
    public static let top = 5
    public private(set) var topIds: [Int32], topProbabilities: [Float]
    /// Characters 0..<window: every unit's activation after reading each, [layer][kind][unit][position].
    public let window: Int
    public private(set) var activations: [[[[Float]]]]
    /// Units tracking a property, strongest first, and their activations over the whole text.
    public private(set) var trackers: [Tracker] = []
    public private(set) var trackerActivations: [[Float]] = []
    /// Per layer and gate kind, per unit: the fraction of characters at which it was below 0.1 and above 0.9.
    public private(set) var saturation: [[UnitKind: (left: [Double], right: [Double])]] = []
    /// Scratch for one character's softmax (`recordTopPredictions`).
    private var probabilities: [Float] = []

    /// Traces the checkpoint's model over the first `limit` characters of `ids` (−1 outside the
    /// vocabulary); `text` holds the same characters, for the features. `window` caps the characters
    /// kept for every unit; `trackersPerFeature` units are kept per feature. The products are in
    /// `precision`.
    public init(
        checkpoint: Checkpoint, ids: [Int32], text: [Unicode.Scalar], window: Int, trackersPerFeature: Int = 4,
        precision: Precision = .fp32
    ) {
        precondition(ids.count == text.count)
        config = checkpoint.config; vocabulary = checkpoint.vocabulary
        let n = ids.count, L = config.layers, H = config.hiddenSize
        count = n
        unknown = ids.map { $0 < 0 }
        let kinds = UnitKind.kinds(config.architecture)
        self.window = min(window, n)
        losses = [Float](repeating: .nan, count: n)
        topIds = [Int32](repeating: -1, count: n * Self.top)
        topProbabilities = [Float](repeating: 0, count: n * Self.top)
        probabilities = [Float](repeating: 0, count: config.vocabularySize)
        activations = (0..<L).map { _ in
            kinds.map { _ in (0..<H).map { _ in [Float](repeating: .nan, count: min(window, n)) } }
        }
        let streams = min(64, max(1, n / 1000))
        let evaluator = Evaluator(
            model: checkpoint.makeModel(), streams: streams, burnIn: streams == 1 ? 0 : 200, precision: precision)

        // Pass 1: losses, predictions, every unit inside the window, saturation counts and the
        // sums for correlations with the features.
        let sums = TraceSums(config: config, text: text)
        let result = evaluator.evaluate(
            count: n, keepPositionLosses: true,
            observe: { obs in
                if obs.position + 1 < n { self.recordTopPredictions(obs) }
                sums.observe(obs) { l, k, j, v in
                    if obs.position < self.window { self.activations[l][k][j][obs.position] = v }
                }
            }
        ) { ids[$0] }
        if let pl = result.positionLosses { for i in 0..<pl.count { losses[i + 1] = pl[i] } }
        saturation = sums.saturation()
        trackers = sums.trackers(characters: n, perFeature: trackersPerFeature)
        traceTrackers(evaluator: evaluator, ids: ids)
    }

    /// Pass 2: the trackers' activations over the whole text.
    private func traceTrackers(evaluator: Evaluator, ids: [Int32]) {
        let n = ids.count, H = config.hiddenSize
        trackerActivations = trackers.map { _ in [Float](repeating: .nan, count: n) }
        guard !trackers.isEmpty else { return }
        let units = trackers.map(\.unit)
        _ = evaluator.evaluate(
            count: n,
            observe: { obs in
                for (t, u) in units.enumerated() {
                    self.trackerActivations[t][obs.position] = Self.value(
                        obs.activations(layer: u.layer), u.kind, u.index, hiddenSize: H)
                }
            }
        ) { ids[$0] }
    }

    /// The top predictions for the character after `obs.position`, with their probabilities.
    private func recordTopPredictions(_ obs: Evaluator.Observation) {
        let V = config.vocabularySize, p = obs.position
        var m = -Float.infinity
        for v in 0..<V { m = max(m, obs.logits[v]) }
        var sum: Float = 0
        for v in 0..<V { probabilities[v] = exp(obs.logits[v] - m); sum += probabilities[v] }
        var best: [(Float, Int)] = []
        for v in 0..<V {
            let q = probabilities[v] / sum
            if best.count < Self.top || q > best.last!.0 {
                best.append((q, v))
                best.sort { $0.0 > $1.0 }
                if best.count > Self.top { best.removeLast() }
            }
        }
        for (k, (q, v)) in best.enumerated() {
            topIds[(p + 1) * Self.top + k] = Int32(v)
            topProbabilities[(p + 1) * Self.top + k] = q
        }
    }

    /// Unit `j` of `kind` in one layer's activations (gates in PyTorch's order, then h and c).
    static func value(
        _ a: (gates: UnsafePointer<Float>, h: UnsafePointer<Float>, c: UnsafePointer<Float>?), _ kind: UnitKind,
        _ j: Int, hiddenSize H: Int
    ) -> Float {
        switch kind {
        case .h: return a.h[j]
        case .c: return a.c![j]
        case .i, .r: return a.gates[j]
        case .f, .z: return a.gates[H + j]
        case .n: return a.gates[2 * H + j]
        case .o: return a.gates[3 * H + j]
        }
    }

    /// Total loss and count over the characters where `keep` is true and the loss is known.
    public func total(keep: [Bool]? = nil) -> (nats: Double, scored: Int) {
        var s = 0.0, k = 0
        for i in 0..<count where losses[i].isFinite && (keep?[i] ?? true) { s += Double(losses[i]); k += 1 }
        return (s, k)
    }
}

/// What the first pass of a trace sums over the characters: each unit's activation and its square,
/// its product with each feature of the text (for Pearson's r), and how often each gate is below
/// 0.1 or above 0.9. Raw pointers: the feature loop runs units × features times per character.
private final class TraceSums {
    let config: ModelConfig
    let kinds: [ModelTrace.UnitKind], gateKinds: [ModelTrace.UnitKind]
    /// The features that vary over the text, and their values per character.
    let features: [TextFeature], featureRows: [[Float]]
    let units: Int
    let sx, sxx, x: UnsafeMutablePointer<Double>
    /// Feature-major: sxy[f·units + u].
    let sxy: UnsafeMutablePointer<Double>
    var left: [Int], right: [Int]
    var observed = 0

    init(config: ModelConfig, text: [Unicode.Scalar]) {
        self.config = config
        kinds = ModelTrace.UnitKind.kinds(config.architecture)
        gateKinds = ModelTrace.UnitKind.gates(config.architecture)
        let values = TextFeature.values(text)
        features = TextFeature.allCases.filter { f in values[f]!.contains { $0 != values[f]!.first } }
        featureRows = features.map { values[$0]! }
        units = config.layers * kinds.count * config.hiddenSize
        let U = units, F = features.count
        sx = .allocate(capacity: U); sxx = .allocate(capacity: U); x = .allocate(capacity: U)
        sxy = .allocate(capacity: max(1, U * F))
        sx.initialize(repeating: 0, count: U); sxx.initialize(repeating: 0, count: U)
        x.initialize(repeating: 0, count: U); sxy.initialize(repeating: 0, count: max(1, U * F))
        left = [Int](repeating: 0, count: config.layers * gateKinds.count * config.hiddenSize)
        right = left
    }

    deinit { sx.deallocate(); sxx.deallocate(); sxy.deallocate(); x.deallocate() }

    /// Adds one character's activations; `unit(layer, kind, index, value)` sees each unit's value.
    func observe(_ obs: Evaluator.Observation, unit: (Int, Int, Int, Float) -> Void) {
        let H = config.hiddenSize, U = units
        observed += 1
        for l in 0..<config.layers {
            let a = obs.activations(layer: l)
            for (k, kind) in kinds.enumerated() {
                let base = (l * kinds.count + k) * H
                for j in 0..<H {
                    let v = ModelTrace.value(a, kind, j, hiddenSize: H)
                    x[base + j] = Double(v)
                    unit(l, k, j, v)
                }
            }
            for (g, kind) in gateKinds.enumerated() {
                let base = (l * gateKinds.count + g) * H
                for j in 0..<H {
                    let v = ModelTrace.value(a, kind, j, hiddenSize: H)
                    if v < 0.1 { left[base + j] += 1 } else if v > 0.9 { right[base + j] += 1 }
                }
            }
        }
        for u in 0..<U { sx[u] += x[u]; sxx[u] += x[u] * x[u] }
        for fi in features.indices {
            let y = Double(featureRows[fi][obs.position])
            if y == 0 { continue }
            let row = sxy + fi * U
            for u in 0..<U { row[u] += x[u] * y }
        }
    }

    /// Per layer and gate kind, per unit: the fractions of characters below 0.1 and above 0.9.
    func saturation() -> [[ModelTrace.UnitKind: (left: [Double], right: [Double])]] {
        let H = config.hiddenSize, N = Double(max(1, observed))
        return (0..<config.layers).map { l in
            Dictionary(
                uniqueKeysWithValues: gateKinds.enumerated().map { g, kind in
                    let base = (l * gateKinds.count + g) * H
                    return (
                        kind,
                        ((0..<H).map { Double(left[base + $0]) / N }, (0..<H).map { Double(right[base + $0]) / N })
                    )
                })
        }
    }

    /// The `perFeature` units most correlated with each feature, strongest first overall.
    func trackers(characters n: Int, perFeature: Int) -> [ModelTrace.Tracker] {
        let N = Double(max(1, observed)), H = config.hiddenSize, U = units
        var candidates: [ModelTrace.Tracker] = []
        for (fi, f) in features.enumerated() {
            var sy = 0.0, syy = 0.0
            // Every character but the last is read once.
            for i in 0..<(n - 1) { let y = Double(featureRows[fi][i]); sy += y; syy += y * y }
            let vy = syy / N - (sy / N) * (sy / N)
            guard vy > 1e-12 else { continue }
            var forFeature: [ModelTrace.Tracker] = []
            for l in 0..<config.layers {
                for (k, kind) in kinds.enumerated() {
                    for j in 0..<H {
                        let u = (l * kinds.count + k) * H + j
                        let vx = sxx[u] / N - (sx[u] / N) * (sx[u] / N)
                        guard vx > 1e-12 else { continue }
                        let cov = sxy[fi * U + u] / N - (sx[u] / N) * (sy / N)
                        forFeature.append(
                            ModelTrace.Tracker(
                                unit: ModelTrace.Unit(layer: l, kind: kind, index: j), feature: f,
                                correlation: cov / (vx * vy).squareRoot()))
                    }
                }
            }
            forFeature.sort { abs($0.correlation) > abs($1.correlation) }
            candidates += forFeature.prefix(perFeature)
        }
        return candidates.sorted { abs($0.correlation) > abs($1.correlation) }
    }
}
