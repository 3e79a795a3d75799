#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Generates text one character at a time from a single stream.
///
/// Each step is matrix–vector work on the PyTorch-layout weights (rows of W are contiguous dot
/// products), bound by how fast the weights stream from cache; for one-hot models the first
/// layer's input contribution is a row of a precomputed per-character table (W_ihᵀ plus biases).
/// With two threads the hidden units of every layer (and the output rows) are split between the
/// cores, which meet three times per character through the `WorkerPool` (whose worker spins between
/// stages; when the scheduler keeps it off a busy core, this thread runs both parts itself). On a
/// busy machine, where waiting for the second thread costs more than it saves, `SplitChoice`
/// turns the split off. Each unit is computed
/// the same way whichever core computes it, so the split never changes the result.
final class Sampler {
    let model: LanguageModel
    let H: Int, GH: Int, V: Int
    let oneHotTable: FloatBuffer?
    let inputBias: [FloatBuffer]
    /// Two [L, H] hidden-state buffers used alternately (a core must not overwrite h_{t-1} while
    /// the other still reads it); [L, H] cell state; [G·H] gates per part.
    let h: [FloatBuffer]
    var current = 0
    let c: FloatBuffer
    let gates: FloatBuffer, hiddenGates: FloatBuffer, scratch: FloatBuffer
    /// bf16 products: x split into even and odd elements (k + 1 floats), one buffer per part.
    let split: [FloatBuffer]
    let logits: FloatBuffer
    var tokenDraw: TokenDraw
    /// Whether each stage may be split between two threads, and whether it is, step by step.
    let twoThreads: Bool
    var splitChoice = SplitChoice()
    /// With `Precision.bf16`: the weight matrices rounded to bf16 (half the bytes to stream per
    /// character): per layer W_ih (nil where the one-hot table stands in) and W_hh, and the output
    /// layer's weight.
    let bf16: (input: [BFloat16Matrix?], hidden: [BFloat16Matrix], output: BFloat16Matrix)?

    init(model: LanguageModel, threads: Int = Threads.count, precision: Precision = .fp32) {
        self.model = model
        let cfg = model.config
        H = cfg.hiddenSize; GH = cfg.gateWidth; V = cfg.vocabularySize
        let packed = PackedWeights(config: cfg, backward: false)
        packed.update(from: model)
        oneHotTable = packed.oneHotTable
        inputBias = packed.inputBias
        h = [FloatBuffer(count: cfg.layers * H), FloatBuffer(count: cfg.layers * H)]
        c = FloatBuffer(count: cfg.layers * H)
        gates = FloatBuffer(count: GH); hiddenGates = FloatBuffer(count: GH); scratch = FloatBuffer(count: H)
        let widest = max((0..<cfg.layers).map { cfg.inputSize(layer: $0) }.max()!, H) + 1
        split = [FloatBuffer(count: widest), FloatBuffer(count: widest)]
        logits = FloatBuffer(count: V)
        tokenDraw = TokenDraw(vocabularySize: V)
        // Below ~64 units a step is a few microseconds: a second core only adds rendezvous cost.
        twoThreads = threads > 1 && H >= 64
        if precision == .bf16 {
            let t = model.tensors, GH = cfg.gateWidth, H = cfg.hiddenSize
            bf16 = (
                (0..<cfg.layers).map { l in
                    l == 0 && !cfg.usesEmbedding
                        ? nil
                        : BFloat16Matrix(t.layers[l].inputWeights, rows: GH, columns: cfg.inputSize(layer: l))
                },
                (0..<cfg.layers).map { BFloat16Matrix(t.layers[$0].recurrentWeights, rows: GH, columns: H) },
                BFloat16Matrix(t.outputWeights, rows: cfg.vocabularySize, columns: H)
            )
        } else {
            bf16 = nil
        }
    }

    func reset() { h[0].zero(); h[1].zero(); c.zero() }

    /// Runs part 0 and part 1 of a stage (on two threads when `twoThreads`).
    @inline(__always)
    private func stage(_ body: (Int) -> Void) {
        if twoThreads && splitChoice.splits { parallel(2, body) } else { body(0); body(1) }
    }

    /// Units [start, end) of part `part` of n, split on a 16-unit boundary.
    @inline(__always)
    private func range(_ part: Int, of n: Int) -> Range<Int> {
        let half = min(n, (n / 2 + 15) / 16 * 16)
        return part == 0 ? 0..<half : half..<n
    }

    /// Feeds one token (−1 = unknown: zero input) and leaves the next-character logits in `logits`.
    func step(_ token: Int) {
        if twoThreads {
            let start = Clock.nanoseconds
            compute(token)
            splitChoice.record(nanoseconds: Clock.nanoseconds - start)
        } else {
            compute(token)
        }
    }

    private func compute(_ token: Int) {
        for l in 0..<model.config.layers { stage { part in layer(l, token: token, part: part) } }
        stage { part in output(part) }
        current = 1 - current
    }

    /// Part `part` of layer `l`'s units: their gates' pre-activations, then the cell.
    @inline(__always)
    private func layer(_ l: Int, token: Int, part: Int) {
        let cfg = model.config
        let units = range(part, of: H)
        guard !units.isEmpty else { return }
        let j0 = units.lowerBound, n = units.count
        let hPrev = h[current].pointer + l * H, hOut = h[1 - current].pointer + l * H, cl = c.pointer + l * H
        let g = gates.pointer, hp = hiddenGates.pointer, lstm = cfg.architecture == .lstm
        for gate in 0..<cfg.gates {
            let r0 = gate * H + j0
            inputSide(l, token: token, rows: r0, count: n, into: g + r0, part: part)
            // The recurrent side: added to the LSTM's gates, apart for the GRU (r ⊙ (W_hn h + b_hn)).
            if let b = bf16?.hidden[l] {
                b.multiply(
                    rows: r0, count: n, x: hPrev, y: (lstm ? g : hp) + r0, accumulate: lstm,
                    scratch: split[part].pointer)
            } else {
                let whh = model.tensors.layers[l].recurrentWeights
                gemv(n: n, k: H, w: whh + r0 * H, x: hPrev, y: (lstm ? g : hp) + r0, accumulate: lstm)
            }
        }
        switch cfg.architecture {
        case .lstm:
            LSTMLayer.cellForward(
                gates: g + j0, cPrev: cl + j0, cOut: cl + j0, tanhC: scratch.pointer + j0, hOut: hOut + j0,
                count: n, gateStride: H)
        case .gru:
            let bhn = model.tensors.layers[l].recurrentBias + 2 * H
            GRULayer.cellForward(
                gates: g + j0, hiddenProjection: hp + j0, bhn: bhn + j0, hPrev: hPrev + j0,
                hn: scratch.pointer + j0, hOut: hOut + j0, count: n, gateStride: H)
        }
    }

    /// Gate rows [r0, r0 + n) of layer `l`'s input side, biases included, into `y`: a row of the
    /// one-hot table, the product with the embedding or the layer below, or the biases alone (an
    /// unknown token).
    @inline(__always)
    private func inputSide(_ l: Int, token: Int, rows r0: Int, count n: Int, into y: FloatPointer, part: Int) {
        let cfg = model.config, bias = inputBias[l].pointer + r0
        if l == 0 && !cfg.usesEmbedding {
            guard token >= 0 else { return y.update(from: bias, count: n) }
            let row = oneHotTable!.pointer + token * GH + r0
            for j in 0..<n { y[j] = row[j] + bias[j] }
            return
        }
        let inSize = cfg.inputSize(layer: l)
        let x: ConstFloatPointer
        if l > 0 {
            x = ConstFloatPointer(h[1 - current].pointer + (l - 1) * H)
        } else if token >= 0 {
            x = ConstFloatPointer(model.tensors.embedding! + token * inSize)
        } else {
            return y.update(from: bias, count: n)
        }
        if let b = bf16?.input[l] {
            b.multiply(rows: r0, count: n, x: x, y: y, accumulate: false, scratch: split[part].pointer)
        } else {
            let wih = model.tensors.layers[l].inputWeights
            gemv(n: n, k: inSize, w: wih + r0 * inSize, x: x, y: y, accumulate: false)
        }
        for j in 0..<n { y[j] += bias[j] }
    }

    /// Part `part` of the output layer's rows: the next-character logits.
    @inline(__always)
    private func output(_ part: Int) {
        let rows = range(part, of: V)
        guard !rows.isEmpty else { return }
        let top = ConstFloatPointer(h[1 - current].pointer + (model.config.layers - 1) * H)
        let lg = logits.pointer + rows.lowerBound, bout = model.tensors.outputBias + rows.lowerBound
        if let b = bf16?.output {
            b.multiply(
                rows: rows.lowerBound, count: rows.count, x: top, y: lg, accumulate: false,
                scratch: split[part].pointer)
        } else {
            let wout = model.tensors.outputWeights + rows.lowerBound * H
            gemv(n: rows.count, k: H, w: wout, x: top, y: lg, accumulate: false)
        }
        for j in 0..<rows.count { lg[j] += bout[j] }
    }

    /// Feeds each token of `prime` in turn.
    func prime(_ tokens: [Int]) { for t in tokens { step(t) } }

    /// Draws the next token from the current logits.
    /// temperature 0 = argmax; topK 0 = off; topP 1 = off.
    func draw(temperature: Float, topK: Int, topP: Float, random: inout RandomGenerator) -> Int {
        tokenDraw.draw(logits.pointer, temperature: temperature, topK: topK, topP: topP, random: &random)
    }
}
