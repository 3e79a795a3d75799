#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Everything one thread needs to run forward and backward over `batch` streams × `steps`
/// timesteps: layer buffers, logits, and its own gradient buffer (summed once per step).
final class Workspace {
    let config: ModelConfig
    let steps: Int, batch: Int
    let layers: [LayerBuffers]
    /// [T·B] token ids, time-major; −1 marks a character outside the vocabulary (zero input; not scored).
    let inputs: UnsafeMutablePointer<Int32>
    let targets: UnsafeMutablePointer<Int32>
    /// Embedding input [T·B, E] and its gradient (embedding models only).
    let embedded: FloatBuffer?
    let embeddedGradient: FloatBuffer?
    /// [T·B, V]: logits, then softmax probabilities, then the logits' gradient.
    let logits: FloatBuffer
    /// [T·B] cross-entropy of each position (0 where not scored).
    let positionLoss: FloatBuffer
    /// When set, [T·B, V] receives the raw logits (tests and interop checks).
    var rawLogits: FloatBuffer?
    let gradients: FloatBuffer
    /// `gradients` by role (training only).
    let gradientTensors: ModelTensors?
    /// [V, G·H] gradient of the one-hot table (transposed dW_ih of layer 0).
    let oneHotGradientT: FloatBuffer?
    /// Panels of one activation matrix [T·B, ≤ max(H, E)] for the weight-gradient products.
    let activationPanels: PanelBuffer
    /// This thread's scratch for `gemm`'s packed blocks of A.
    let gemmScratch = FloatBuffer(count: gemmScratchCount)
    /// Where this thread's time goes, when the benchmark asks (`clock.enabled`).
    let clock = PhaseClock()

    init(config: ModelConfig, steps: Int, batch: Int, training: Bool, precision: Precision = .fp32) {
        self.config = config; self.steps = steps; self.batch = batch
        let rows = steps * batch
        layers = (0..<config.layers).map { _ in
            LayerBuffers(
                architecture: config.architecture, steps: steps, batch: batch,
                hidden: config.hiddenSize, dropout: training && config.dropout > 0, training: training)
        }
        inputs = .allocate(capacity: rows); inputs.initialize(repeating: 0, count: rows)
        targets = .allocate(capacity: rows); targets.initialize(repeating: -1, count: rows)
        embedded = config.usesEmbedding ? FloatBuffer(count: rows * config.embeddingSize) : nil
        embeddedGradient = config.usesEmbedding && training ? FloatBuffer(count: rows * config.embeddingSize) : nil
        logits = FloatBuffer(count: rows * config.vocabularySize)
        positionLoss = FloatBuffer(count: rows)
        gradients = FloatBuffer(count: training ? ParameterLayout(config).totalCount : 0)
        gradientTensors =
            training ? ModelTensors(base: gradients.pointer, layout: ParameterLayout(config), config: config) : nil
        oneHotGradientT =
            !config.usesEmbedding && training ? FloatBuffer(count: config.vocabularySize * config.gateWidth) : nil
        activationPanels = PanelBuffer(
            k: training ? rows : 0, n: training ? max(config.hiddenSize, config.embeddingSize) : 0,
            format: precision.activationFormat)
    }

    func packActivations(_ x: ConstFloatPointer, rows: Int, cols: Int) -> Panels {
        activationPanels.pack(rowMajor: x, ld: cols, k: rows, n: cols)
    }

    deinit { inputs.deallocate(); targets.deallocate() }

    // MARK: forward

    /// Runs the sequence from the initial states in each layer's block 0 of `h` (and `c`), and
    /// returns the summed cross-entropy over scored positions and their count.
    /// Shapes: inputs/targets [T·B]; logits [T·B, V].
    /// Dropout masks (when `dropoutSeed` is set) come from one generator per layer and stream,
    /// seeded by (`dropoutSeed`, layer, `firstStream` + b), so they do not depend on which worker
    /// runs stream b.
    func forward(
        model: LanguageModel, packed: PackedWeights, dropoutSeed: UInt64?,
        firstStream: Int
    ) -> (loss: Double, count: Int) {
        let cfg = config, rows = steps * batch, H = cfg.hiddenSize
        for l in 0..<cfg.layers {
            let L = layers[l]
            clock.time(.inputProjection) { projectInput(layer: l, model: model, packed: packed) }
            switch cfg.architecture {
            case .lstm: LSTMLayer.forward(L, whhT: packed.hiddenT(l), scratch: gemmScratch.pointer, clock: clock)
            case .gru:
                GRULayer.forward(
                    L, whhT: packed.hiddenT(l), scratch: gemmScratch.pointer,
                    bhn: model.tensors.layers[l].recurrentBias + 2 * H, clock: clock)
            }
            clock.time(.dropout) { dropOutputs(layer: l, seed: dropoutSeed, firstStream: firstStream) }
        }
        return OutputLayer.forward(
            top: layers[cfg.layers - 1].layerOutput, rows: rows, hidden: H, vocabularySize: cfg.vocabularySize,
            weightT: packed.outputT, bias: model.tensors.outputBias, targets: targets, logits: logits.pointer,
            raw: rawLogits?.pointer, positionLoss: positionLoss.pointer, scratch: gemmScratch.pointer, clock: clock)
    }

    /// Layer l's input side of the gates for all timesteps at once, into its `gateValues`: bias plus
    /// W_ih times the input (the one-hot rows, the embedding, or the layer below's output).
    private func projectInput(layer l: Int, model: LanguageModel, packed: PackedWeights) {
        let cfg = config, rows = steps * batch, GH = cfg.gateWidth
        let gv = layers[l].gateValues.pointer, bias = packed.inputBias[l].pointer
        if l == 0 && !cfg.usesEmbedding {
            OneHotInput.forward(
                tokens: inputs, rows: rows, table: packed.oneHotTable!.pointer, bias: bias, width: GH, into: gv)
            return
        }
        let input: ConstFloatPointer
        let inSize = cfg.inputSize(layer: l)
        if l == 0 {
            Embedding.forward(
                tokens: inputs, rows: rows, emb: model.tensors.embedding!, size: inSize, into: embedded!.pointer)
            input = ConstFloatPointer(embedded!.pointer)
        } else {
            input = ConstFloatPointer(layers[l - 1].layerOutput)
        }
        for r in 0..<rows { (gv + r * GH).update(from: bias, count: GH) }
        gemm(
            m: rows, n: GH, k: inSize, a: input, aRowStride: inSize, aColStride: 1,
            b: packed.inputT(l), c: gv, ldc: GH, accumulate: true, scratch: gemmScratch.pointer)
    }

    /// Layer l's dropout on its outputs (masks drawn per stream from `seed`), or, without a seed
    /// (validation of a model trained with dropout), its outputs copied through with a mask of ones.
    private func dropOutputs(layer l: Int, seed: UInt64?, firstStream: Int) {
        let cfg = config, L = layers[l], H = cfg.hiddenSize, count = steps * batch * H
        if let mask = L.mask, let dropped = L.dropped, let seed {
            Dropout.forward(
                outputs: L.outputs, probability: cfg.dropout, steps: steps, batch: batch, hidden: H, seed: seed,
                layer: l, firstStream: firstStream, mask: mask.pointer, dropped: dropped.pointer)
        } else if let dropped = L.dropped {
            dropped.pointer.update(from: L.outputs, count: count)
            L.mask!.pointer.update(repeating: 1, count: count)
        }
    }

    // MARK: backward

    /// Accumulates d(loss·scale)/d(parameters) into `gradients` (zeroed first). `scale` is 1/N for a
    /// mean over N scored positions across all threads. Requires `forward` to have run; uses the
    /// final-state gradients already in each layer's `hNextGradient`/`cNextGradient` (normally zero)
    /// and leaves dL/d(initial state) there.
    func backward(model: LanguageModel, packed: PackedWeights, scale: Float) {
        let cfg = config, rows = steps * batch, H = cfg.hiddenSize, V = cfg.vocabularySize
        gradients.zero()
        let top = layers[cfg.layers - 1]
        clock.time(.outputBackward) {
            OutputLayer.backward(
                logits: logits.pointer, targets: targets, rows: rows, hidden: H, vocabularySize: V, scale: scale,
                topPanels: packActivations(top.layerOutput, rows: rows, cols: H), weight: packed.output,
                dWeight: gradientTensors!.outputWeights, dBias: gradientTensors!.outputBias,
                dTop: top.outputGradients.pointer, scratch: gemmScratch.pointer)
        }
        if let m = top.mask {
            clock.time(.dropout) { Dropout.backward(top.outputGradients.pointer, mask: m.pointer, count: rows * H) }
        }

        for l in stride(from: cfg.layers - 1, through: 0, by: -1) {
            let L = layers[l]
            switch cfg.architecture {
            case .lstm: LSTMLayer.backward(L, whh: packed.hidden(l), scratch: gemmScratch.pointer, clock: clock)
            case .gru: GRULayer.backward(L, whh: packed.hidden(l), scratch: gemmScratch.pointer, clock: clock)
            }
            clock.time(.weightGradients) { weightGradients(layer: l, model: model, packed: packed) }
        }
    }

    /// Layer l's weight and bias gradients, batched over all timesteps, and the gradient its input
    /// receives (the layer below's output, or the embedding).
    private func weightGradients(layer l: Int, model: LanguageModel, packed: PackedWeights) {
        let cfg = config, rows = steps * batch, H = cfg.hiddenSize, GH = cfg.gateWidth, V = cfg.vocabularySize
        let dW = gradientTensors!.layers[l]
        let L = layers[l]
        let dgh = L.gateGradients.pointer, dgx = L.inputSideGateGradients
        // Weight gradients batched over all timesteps. dW_hh [GH, H] += Σ_t dgates_tᵀ · h_{t-1}.
        gemm(
            m: GH, n: H, k: rows, a: dgh, aRowStride: 1, aColStride: GH,
            b: packActivations(L.h.pointer, rows: rows, cols: H), c: dW.recurrentWeights,
            ldc: H, accumulate: true, scratch: gemmScratch.pointer)
        columnSums(dgh, rows: rows, cols: GH, into: dW.recurrentBias)
        columnSums(dgx, rows: rows, cols: GH, into: dW.inputBias)
        let inSize = cfg.inputSize(layer: l)
        if l == 0 && !cfg.usesEmbedding {
            OneHotInput.backward(
                tokens: inputs, rows: rows, dGates: dgx, width: GH, vocabularySize: V,
                scratch: oneHotGradientT!.pointer, into: dW.inputWeights)
            return
        }
        let input: ConstFloatPointer =
            l == 0 ? ConstFloatPointer(embedded!.pointer) : ConstFloatPointer(layers[l - 1].layerOutput)
        gemm(
            m: GH, n: inSize, k: rows, a: dgx, aRowStride: 1, aColStride: GH,
            b: packActivations(input, rows: rows, cols: inSize), c: dW.inputWeights, ldc: inSize, accumulate: true,
            scratch: gemmScratch.pointer)
        inputGradients(layer: l, packed: packed)
    }

    /// The gradient that layer l's input receives from its gates' input side: the layer below's
    /// output gradients (through its dropout mask), or the embedding's gradient.
    private func inputGradients(layer l: Int, packed: PackedWeights) {
        let cfg = config, rows = steps * batch, H = cfg.hiddenSize, GH = cfg.gateWidth
        let dgx = layers[l].inputSideGateGradients
        if l > 0 {
            let below = layers[l - 1]
            gemm(
                m: rows, n: H, k: GH, a: dgx, aRowStride: GH, aColStride: 1,
                b: packed.input(l), c: below.outputGradients.pointer, ldc: H, accumulate: false,
                scratch: gemmScratch.pointer)
            if let m = below.mask { Dropout.backward(below.outputGradients.pointer, mask: m.pointer, count: rows * H) }
        } else {
            let E = cfg.embeddingSize
            let dx = embeddedGradient!.pointer
            gemm(
                m: rows, n: E, k: GH, a: dgx, aRowStride: GH, aColStride: 1,
                b: packed.input(0), c: dx, ldc: E, accumulate: false, scratch: gemmScratch.pointer)
            Embedding.backward(tokens: inputs, rows: rows, dx: dx, size: E, into: gradientTensors!.embedding!)
        }
    }
}
