#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The weights in the layouts the kernels want, made once per optimizer step (weights do not
/// change within a step) and shared read-only by the worker threads. With `Precision.bf16` the
/// matrices that products read are packed in bf16; the one-hot table and the biases stay fp32.
final class PackedWeights {
    let config: ModelConfig
    let backward: Bool
    /// One-hot models: the per-character table of layer-0 input contributions [V, G·H]
    /// (row v = column v of W_ih).
    let oneHotTable: FloatBuffer?
    /// Panels of W_ihᵀ [In, G·H] (layers read by a product), W_hhᵀ [H, G·H], W_outᵀ [H, V].
    let inputWeightsT: [PanelBuffer?]
    let hiddenWeightsT: [PanelBuffer]
    let outputWeightsT: PanelBuffer
    /// Backward: panels of W_ih [G·H, In], W_hh [G·H, H], W_out [V, H].
    let inputWeights: [PanelBuffer?]
    let hiddenWeights: [PanelBuffer]
    let outputWeights: PanelBuffer?
    /// [G·H] per layer: b_ih + b_hh (LSTM); b_ih + [b_hr, b_hz, 0] (GRU).
    let inputBias: [FloatBuffer]

    init(config: ModelConfig, backward: Bool, precision: Precision = .fp32) {
        self.config = config
        self.backward = backward
        let GH = config.gateWidth, H = config.hiddenSize, V = config.vocabularySize
        let product = (0..<config.layers).map { $0 > 0 || config.usesEmbedding }
        let format = precision.weightFormat
        func buffer(k: Int, n: Int) -> PanelBuffer { PanelBuffer(k: k, n: n, format: format) }
        oneHotTable = config.usesEmbedding ? nil : FloatBuffer(count: V * GH)
        inputWeightsT = (0..<config.layers).map { product[$0] ? buffer(k: config.inputSize(layer: $0), n: GH) : nil }
        hiddenWeightsT = (0..<config.layers).map { _ in buffer(k: H, n: GH) }
        outputWeightsT = buffer(k: H, n: V)
        inputWeights = (0..<config.layers).map {
            backward && product[$0] ? buffer(k: GH, n: config.inputSize(layer: $0)) : nil
        }
        hiddenWeights = backward ? (0..<config.layers).map { _ in buffer(k: GH, n: H) } : []
        outputWeights = backward ? buffer(k: V, n: H) : nil
        inputBias = (0..<config.layers).map { _ in FloatBuffer(count: GH) }
    }

    /// One independent packing of `update`.
    enum Job {
        case inputT(Int), oneHotTable, hiddenT(Int), input(Int), hidden(Int), outputT, output
    }

    /// The packings this configuration needs, listed once so `update` allocates nothing per step.
    private(set) lazy var jobs: [Job] = {
        var jobs: [Job] = []
        for l in 0..<config.layers {
            if inputWeightsT[l] != nil { jobs.append(.inputT(l)) }
            if oneHotTable != nil && l == 0 { jobs.append(.oneHotTable) }
            jobs.append(.hiddenT(l))
            if backward {
                if inputWeights[l] != nil { jobs.append(.input(l)) }
                jobs.append(.hidden(l))
            }
        }
        jobs.append(.outputT)
        if outputWeights != nil { jobs.append(.output) }
        return jobs
    }()

    /// `hiddenWeights: false` leaves W_hh to `dropHiddenWeights`, which packs its masked copy.
    /// The packings are independent, so up to `threads` threads share them.
    func update(from model: LanguageModel, hiddenWeights: Bool = true, threads: Int = 1) {
        let GH = config.gateWidth, H = config.hiddenSize
        for l in 0..<config.layers {
            let bih = model.tensors.layers[l].inputBias, bhh = model.tensors.layers[l].recurrentBias
            let dst = inputBias[l].pointer
            let folded = config.architecture == .lstm ? GH : 2 * H
            for j in 0..<GH { dst[j] = bih[j] + (j < folded ? bhh[j] : 0) }
        }
        let jobs = self.jobs
        let workers = min(threads, jobs.count)
        parallel(workers) { p in
            for j in stride(from: p, to: jobs.count, by: workers) {
                self.run(jobs[j], model: model, hiddenWeights: hiddenWeights)
            }
        }
    }

    private func run(_ job: Job, model: LanguageModel, hiddenWeights: Bool) {
        let GH = config.gateWidth, H = config.hiddenSize
        let t = model.tensors
        switch job {
        case .inputT(let l):
            inputWeightsT[l]!.pack(transposeOf: t.layers[l].inputWeights, ld: config.inputSize(layer: l))
        case .oneHotTable:
            transpose(t.layers[0].inputWeights, rows: GH, cols: config.inputSize(layer: 0), into: oneHotTable!.pointer)
        case .hiddenT(let l):
            guard hiddenWeights else { return }
            hiddenWeightsT[l].pack(transposeOf: t.layers[l].recurrentWeights, ld: H)
        case .input(let l):
            inputWeights[l]!.pack(rowMajor: t.layers[l].inputWeights, ld: config.inputSize(layer: l))
        case .hidden(let l):
            guard hiddenWeights else { return }
            self.hiddenWeights[l].pack(rowMajor: t.layers[l].recurrentWeights, ld: H)
        case .outputT:
            outputWeightsT.pack(transposeOf: t.outputWeights, ld: H)
        case .output:
            outputWeights!.pack(rowMajor: t.outputWeights, ld: H)
        }
    }

    /// Weight drop (DropConnect on the hidden-to-hidden weights, Merity et al. 2017): repacks
    /// layer l's W_hh panels from W_hh ⊙ mask, where `mask` [G·H, H] is drawn here (0 with
    /// probability p, else 1/(1−p)) and kept for the gradient (dW_hh = mask ⊙ dW_eff). One mask
    /// per call, shared by all timesteps and streams. `scratch` holds G·H·H floats.
    func dropHiddenWeights(
        layer l: Int, from model: LanguageModel, probability p: Float, mask: FloatBuffer,
        scratch: FloatBuffer, random: inout RandomGenerator
    ) {
        let H = config.hiddenSize, n = config.gateWidth * H
        let whh = model.tensors.layers[l].recurrentWeights, m = mask.pointer, w = scratch.pointer
        let keep = 1 - p, scale = 1 / keep
        for i in 0..<n {
            let mv: Float = random.nextFloat() < keep ? scale : 0
            m[i] = mv; w[i] = whh[i] * mv
        }
        hiddenWeightsT[l].pack(transposeOf: w, ld: H)
        if backward { hiddenWeights[l].pack(rowMajor: w, ld: H) }
    }

    func inputT(_ l: Int) -> Panels { inputWeightsT[l]!.panels }
    func hiddenT(_ l: Int) -> Panels { hiddenWeightsT[l].panels }
    var outputT: Panels { outputWeightsT.panels }
    func input(_ l: Int) -> Panels { inputWeights[l]!.panels }
    func hidden(_ l: Int) -> Panels { hiddenWeights[l].panels }
    var output: Panels { outputWeights!.panels }
}
