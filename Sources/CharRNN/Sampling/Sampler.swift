import Foundation

/// Generates text one character at a time from a single stream.
///
/// Each step is matrix–vector work on the PyTorch-layout weights (rows of W are contiguous dot
/// products); for one-hot models the first layer's input contribution is a row of a precomputed
/// per-character table (W_ihᵀ plus biases), so layer 0 costs only its recurrent product.
public final class Sampler {
    public let model: LanguageModel
    let packed: PackedWeights
    let H: Int, GH: Int, V: Int
    /// [L, H] hidden and cell state; [GH] gate buffers; [V] logits.
    let h: FloatBuffer, c: FloatBuffer
    let gates: FloatBuffer, hiddenGates: FloatBuffer
    let scratch: FloatBuffer
    public let logits: FloatBuffer
    let probabilities: FloatBuffer
    var order: [Int]

    public init(model: LanguageModel) {
        self.model = model
        packed = PackedWeights(config: model.config, backward: false)
        packed.update(from: model)
        let cfg = model.config
        H = cfg.hiddenSize; GH = cfg.gateWidth; V = cfg.vocabularySize
        h = FloatBuffer(count: cfg.layers * H); c = FloatBuffer(count: cfg.layers * H)
        gates = FloatBuffer(count: GH); hiddenGates = FloatBuffer(count: GH); scratch = FloatBuffer(count: H)
        logits = FloatBuffer(count: V)
        probabilities = FloatBuffer(count: V)
        order = Array(0..<V)
    }

    public func reset() { h.zero(); c.zero() }

    /// Feeds one token (−1 = unknown: zero input) and leaves the next-character logits in `logits`.
    public func step(_ token: Int) {
        let cfg = model.config
        var x: ConstFloatPointer? = nil
        for l in 0..<cfg.layers {
            let g = gates.pointer, bias = packed.inputBias[l].pointer
            if l == 0 && !cfg.usesEmbedding {
                if token >= 0 {
                    let row = packed.oneHotTable!.pointer + token * GH
                    for j in 0..<GH { g[j] = row[j] + bias[j] }
                } else { g.update(from: bias, count: GH) }
            } else {
                let inSize = cfg.inputSize(layer: l)
                let input: ConstFloatPointer? = l > 0 ? x : (token >= 0 ? ConstFloatPointer(model.pointer("emb.weight") + token * inSize) : nil)
                if let input {
                    gemv(n: GH, k: inSize, w: model.pointer("rnn.weight_ih_l\(l)"), x: input, y: g, accumulate: false)
                    for j in 0..<GH { g[j] += bias[j] }
                } else {
                    g.update(from: bias, count: GH)
                }
            }
            let hl = h.pointer + l * H, cl = c.pointer + l * H
            switch cfg.architecture {
            case .lstm:
                gemv(n: GH, k: H, w: model.pointer("rnn.weight_hh_l\(l)"), x: hl, y: g, accumulate: true)
                LSTMLayer.cellForward(gates: g, cPrev: cl, cOut: cl, tanhC: hiddenGates.pointer, hOut: hl, count: H)
            case .gru:
                let hp = hiddenGates.pointer
                gemv(n: GH, k: H, w: model.pointer("rnn.weight_hh_l\(l)"), x: hl, y: hp, accumulate: false)
                // h is updated in place: each element reads only its own h_prev.
                GRULayer.cellForward(gates: g, hiddenProjection: hp, bhn: model.pointer("rnn.bias_hh_l\(l)") + 2 * H,
                                     hPrev: hl, hn: scratch.pointer, hOut: hl, count: H)
            }
            x = ConstFloatPointer(hl)
        }
        let lg = logits.pointer
        gemv(n: V, k: H, w: model.pointer("out.weight"), x: x!, y: lg, accumulate: false)
        let b = model.pointer("out.bias")
        for j in 0..<V { lg[j] += b[j] }
    }

    /// Feeds each token of `prime` in turn.
    public func prime(_ tokens: [Int]) { for t in tokens { step(t) } }

    /// Draws the next token from the current logits.
    /// temperature 0 = argmax; topK 0 = off; topP 1 = off.
    public func draw(temperature: Float, topK: Int, topP: Float, random: inout RandomGenerator) -> Int {
        let lg = logits.pointer
        if temperature <= 0 {
            var best = 0
            for j in 1..<V where lg[j] > lg[best] { best = j }
            return best
        }
        let p = probabilities.pointer
        for j in 0..<V { p[j] = lg[j] / temperature }
        softmaxInPlace(p, count: V)
        if (topK > 0 && topK < V) || topP < 1 {
            order.sort { p[$0] > p[$1] }
            var keep = topK > 0 ? min(topK, V) : V
            if topP < 1 {
                var cum: Float = 0
                for (i, j) in order.prefix(keep).enumerated() {
                    cum += p[j]
                    if cum >= topP { keep = i + 1; break }
                }
            }
            var total: Float = 0
            for j in order.prefix(keep) { total += p[j] }
            var u = Float(random.nextDouble()) * total
            for j in order.prefix(keep) {
                u -= p[j]
                if u <= 0 { return j }
            }
            return order[keep - 1]
        }
        var u = Float(random.nextDouble())
        for j in 0..<V {
            u -= p[j]
            if u <= 0 { return j }
        }
        // Rounding left a sliver of probability: return the last non-zero class.
        for j in stride(from: V - 1, through: 0, by: -1) where p[j] > 0 { return j }
        return V - 1
    }
}

