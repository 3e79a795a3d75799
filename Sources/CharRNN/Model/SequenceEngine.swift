import CKernels
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs a model over batches of B streams × T steps, splitting the streams between the cores:
/// each worker runs its share of the streams through all T steps with its own workspace and
/// gradient buffer, and the gradients are summed once at the end (no synchronisation per step).
///
/// The split never changes the run: dropout masks are drawn per stream (from a generator derived
/// from the run's seed, the layer and the stream's index in the batch), so 1 thread and 16 draw
/// the same masks, and only the order of the final gradient sum depends on the thread count.
///
/// Hidden state is kept between calls in PyTorch's layout `[layers, B, H]` (and `c` for LSTM),
/// which is how truncated BPTT carries it from one batch to the next.
final class SequenceEngine {
    let model: LanguageModel
    let batch: Int, steps: Int
    let training: Bool
    let packed: PackedWeights
    let chunks: [(start: Int, count: Int, workspace: Workspace)]
    /// Summed gradients of the last `trainStep`, in the parameter layout.
    let gradients: FloatBuffer
    /// `gradients` by role (training only).
    let gradientTensors: ModelTensors?
    /// [L, B, H] carried hidden (and cell) state.
    let stateH: FloatBuffer
    let stateC: FloatBuffer
    /// dL/d(initial state) of the last backward pass, [L, B, H].
    let initialStateGradientH: FloatBuffer
    let initialStateGradientC: FloatBuffer
    /// Threads for the parallel sections (at most one worker per stream).
    let threads: Int
    /// One slot per worker, written by that worker only (raw memory: no exclusivity tracking).
    private let results: UnsafeMutablePointer<(Double, Int)>
    /// Weight drop on W_hh (training engines only): the probability of dropping each recurrent
    /// weight, with a fresh mask per `run` drawn from its generator. 0 = off. Set it before
    /// `parametersDidChange`.
    var weightDrop: Float = 0
    /// Per layer: the mask of the last `run` and a scratch for the masked weights.
    private var weightDropBuffers: [(mask: FloatBuffer, scratch: FloatBuffer)] = []
    /// Per layer: the generator of the last `run`'s mask (kept, so that a step allocates nothing).
    private var weightDropGenerators: [RandomGenerator] = []

    init(
        model: LanguageModel, batch: Int, steps: Int, training: Bool, threads: Int = Threads.count,
        precision: Precision = .fp32
    ) {
        self.model = model; self.batch = batch; self.steps = steps; self.training = training
        self.threads = max(1, threads)
        packed = PackedWeights(config: model.config, backward: training, precision: precision)
        let parts = max(1, min(threads, batch))
        var chunks: [(Int, Int, Workspace)] = []
        var start = 0
        for p in 0..<parts {
            let count = batch / parts + (p < batch % parts ? 1 : 0)
            chunks.append(
                (
                    start, count,
                    Workspace(
                        config: model.config, steps: steps, batch: count, training: training, precision: precision)
                ))
            start += count
        }
        self.chunks = chunks
        gradients = FloatBuffer(count: training ? model.layout.totalCount : 0)
        gradientTensors =
            training ? ModelTensors(base: gradients.pointer, layout: model.layout, config: model.config) : nil
        let stateCount = model.config.layers * batch * model.config.hiddenSize
        stateH = FloatBuffer(count: stateCount)
        stateC = FloatBuffer(count: stateCount)
        initialStateGradientH = FloatBuffer(count: training ? stateCount : 0)
        initialStateGradientC = FloatBuffer(count: training ? stateCount : 0)
        results = .allocate(capacity: chunks.count)
        results.initialize(repeating: (0, 0), count: chunks.count)
    }

    deinit { results.deallocate() }

    /// The calling thread's time per phase (packing, gradient sum), when profiling.
    let clock = PhaseClock()

    /// Turns the phase clocks of this engine and of every worker on or off (and resets them).
    var profiling: Bool {
        get { clock.enabled }
        set {
            for c in [clock] + chunks.map(\.workspace.clock) { c.enabled = newValue; c.reset() }
        }
    }

    func resetState() { stateH.zero(); stateC.zero() }

    /// After a `run` without backward: layer `l`'s activations for stream `b` at step `t`, after
    /// reading that step's input: its gates ([G·H]: LSTM i, f, g, o; GRU r, z, n), h and (LSTM) c.
    func activations(
        layer l: Int, stream b: Int, step t: Int
    ) -> (
        gates: ConstFloatPointer, h: ConstFloatPointer, c: ConstFloatPointer?
    ) {
        let (start, count, ws) = chunks.first { b >= $0.start && b < $0.start + $0.count }!
        let L = ws.layers[l], H = model.config.hiddenSize, G = model.config.gateWidth
        let row = t * count + (b - start)
        return (
            ConstFloatPointer(L.gateValues.pointer + row * G), ConstFloatPointer(L.h.pointer + (row + count) * H),
            L.c.map { ConstFloatPointer($0.pointer + (row + count) * H) }
        )
    }

    /// Call after the parameters change (once per optimizer step). With weight drop, W_hh is
    /// packed by `run` instead, masked, so it is not packed here too.
    func parametersDidChange() {
        clock.time(.packing) { packed.update(from: model, hiddenWeights: !dropsWeights, threads: threads) }
    }

    private var dropsWeights: Bool { training && weightDrop > 0 }

    /// Forward (and, when training, backward) over one batch.
    /// - inputs, targets: [B, T] row-major token ids (batch-first, as PyTorch); −1 = not scored / unknown.
    /// - Returns the summed cross-entropy and the number of scored positions. With `backward`, the
    ///   mean-loss gradients are in `gradients` afterwards and the carried state has advanced.
    @discardableResult
    func run(
        inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, backward: Bool,
        random: inout RandomGenerator, positionLoss: UnsafeMutablePointer<Float>? = nil,
        logits: UnsafeMutablePointer<Float>? = nil
    ) -> (loss: Double, count: Int) {
        precondition(!backward || training)
        // One draw per call, whatever the thread count; each stream's masks derive from it.
        let dropoutSeed: UInt64? = training && model.config.dropout > 0 ? random.next() : nil
        let dropWeights = dropsWeights
        if dropWeights { dropRecurrentWeights(random: &random) }
        parallel(chunks.count) { p in
            self.load(chunk: p, inputs: inputs, targets: targets, logits: logits != nil)
            let ws = self.chunks[p].workspace
            self.results[p] = ws.forward(
                model: self.model, packed: self.packed, dropoutSeed: dropoutSeed, firstStream: self.chunks[p].start)
            self.store(chunk: p, positionLoss: positionLoss, logits: logits)
        }
        var total = 0.0, count = 0
        for p in 0..<chunks.count { total += results[p].0; count += results[p].1 }
        if backward {
            let scale = count > 0 ? 1 / Float(count) : 0
            parallel(chunks.count) { p in self.backward(chunk: p, scale: scale) }
            clock.time(.gradientSum) { sumGradients() }
            if dropWeights { maskRecurrentWeightGradients() }
        }
        return (total, count)
    }

    /// Weight drop: draws each layer's mask of W_hh and packs the masked weights, one layer per
    /// worker.
    private func dropRecurrentWeights(random: inout RandomGenerator) {
        let cfg = model.config, count = cfg.gateWidth * cfg.hiddenSize
        if weightDropBuffers.isEmpty {
            weightDropBuffers = (0..<cfg.layers).map { _ in (FloatBuffer(count: count), FloatBuffer(count: count)) }
            weightDropGenerators = Array(repeating: RandomGenerator(seed: 0), count: cfg.layers)
        }
        for l in 0..<cfg.layers { weightDropGenerators[l] = random.split() }
        let workers = min(cfg.layers, threads)
        parallel(workers) { p in
            for l in stride(from: p, to: cfg.layers, by: workers) {
                var r = self.weightDropGenerators[l]
                let (mask, scratch) = self.weightDropBuffers[l]
                self.packed.dropHiddenWeights(
                    layer: l, from: self.model, probability: self.weightDrop, mask: mask, scratch: scratch, random: &r)
            }
        }
    }

    /// The gradient of a dropped weight is zero: W_hh's gradients times each layer's mask.
    private func maskRecurrentWeightGradients() {
        let cfg = model.config
        for l in 0..<cfg.layers {
            multiply(
                gradientTensors!.layers[l].recurrentWeights, by: weightDropBuffers[l].mask.pointer,
                count: cfg.gateWidth * cfg.hiddenSize)
        }
    }

    /// Copies chunk `p`'s streams of the batch ([B, T]) into its workspace, time-major ([T, n]),
    /// and their carried state into its initial hidden (and cell) state.
    private func load(chunk p: Int, inputs: UnsafePointer<Int32>, targets: UnsafePointer<Int32>, logits: Bool) {
        let (start, count, ws) = chunks[p]
        let cfg = model.config, H = cfg.hiddenSize, T = steps, B = batch
        for t in 0..<T {
            for b in 0..<count {
                ws.inputs[t * count + b] = inputs[(start + b) * T + t]
                ws.targets[t * count + b] = targets[(start + b) * T + t]
            }
        }
        for l in 0..<cfg.layers {
            let src = (l * B + start) * H
            ws.layers[l].h.pointer.update(from: stateH.pointer + src, count: count * H)
            ws.layers[l].c?.pointer.update(from: stateC.pointer + src, count: count * H)
        }
        if logits && ws.rawLogits == nil { ws.rawLogits = FloatBuffer(count: T * count * cfg.vocabularySize) }
    }

    /// After chunk `p`'s forward: its logits and per-position losses back in batch-first order
    /// (when asked for), and its final hidden (and cell) state into the carried state.
    private func store(chunk p: Int, positionLoss: UnsafeMutablePointer<Float>?, logits: UnsafeMutablePointer<Float>?) {
        let (start, count, ws) = chunks[p]
        let cfg = model.config, H = cfg.hiddenSize, T = steps, B = batch, V = cfg.vocabularySize
        if let out = logits, let raw = ws.rawLogits {
            for t in 0..<T {
                for b in 0..<count {
                    (out + ((start + b) * T + t) * V).update(from: raw.pointer + (t * count + b) * V, count: V)
                }
            }
        }
        if let pl = positionLoss {
            for t in 0..<T { for b in 0..<count { pl[(start + b) * T + t] = ws.positionLoss[t * count + b] } }
        }
        for l in 0..<cfg.layers {
            let dst = (l * B + start) * H
            let L = ws.layers[l]
            stateH.pointer.advanced(by: dst).update(from: L.h.pointer + T * count * H, count: count * H)
            if let c = L.c {
                stateC.pointer.advanced(by: dst).update(from: c.pointer + T * count * H, count: count * H)
            }
        }
    }

    /// Chunk `p`'s backward pass, from zero gradient at the batch's end; leaves dL/d(initial state)
    /// of its streams in `initialStateGradientH` (and `C`).
    private func backward(chunk p: Int, scale: Float) {
        let (start, n, ws) = chunks[p]
        let cfg = model.config, H = cfg.hiddenSize, B = batch
        for L in ws.layers { L.hNextGradient.zero(); L.cNextGradient.zero() }
        ws.backward(model: model, packed: packed, scale: scale)
        for l in 0..<cfg.layers {
            let dst = (l * B + start) * H
            initialStateGradientH.pointer.advanced(by: dst).update(
                from: ws.layers[l].hNextGradient.pointer, count: n * H)
            if cfg.architecture == .lstm {
                initialStateGradientC.pointer.advanced(by: dst).update(
                    from: ws.layers[l].cNextGradient.pointer, count: n * H)
            }
        }
    }

    /// gradients = Σ over workers, each thread summing one range of the parameters.
    private func sumGradients() {
        parallelRanges(gradients.count, threads: threads) { range in
            let n = range.count, g = self.gradients.pointer + range.lowerBound
            g.update(from: self.chunks[0].workspace.gradients.pointer + range.lowerBound, count: n)
            for c in self.chunks.dropFirst() {
                ck_add(g, c.workspace.gradients.pointer + range.lowerBound, n)
            }
        }
    }
}
