/// Activations and gradients of one recurrent layer over one chunk of `batch` streams × `steps`
/// timesteps, time-major (row `t·batch + b`). Allocated once per workspace; the step loop only
/// reads and writes them.
///
/// Memory per layer ≈ steps·batch·(3·G·H + 5·H) floats (gates, their gradients, states, dropout).
final class LayerBuffers {
    let steps: Int, batch: Int, hidden: Int, gates: Int
    /// [T·B, G·H]: input projection, then the gate activations (LSTM i,f,g,o; GRU r,z,n).
    let gateValues: FloatBuffer
    /// [(T+1)·B, H]: hidden states, block 0 = the initial state.
    let h: FloatBuffer
    /// [(T+1)·B, H] LSTM cell states, [T·B, H] tanh of them.
    let c: FloatBuffer?
    let tanhC: FloatBuffer?
    /// GRU: [T·B, H] W_hn·h + b_hn, and the [B, 3H] recurrent product of one step.
    let hn: FloatBuffer?
    let hiddenProjection: FloatBuffer?
    /// [T·B, G·H] gradient of the loss with respect to the gate pre-activations on the recurrent
    /// side, and (GRU, where the n slot differs) on the input side.
    let gateGradients: FloatBuffer
    let inputGateGradients: FloatBuffer?
    /// [T·B, H] gradient with respect to this layer's hidden outputs (before dropout).
    let outputGradients: FloatBuffer
    /// Dropout: [T·B, H] mask (0 or 1/(1−p)) and the dropped output that the next layer reads.
    let mask: FloatBuffer?
    let dropped: FloatBuffer?
    /// [B, H] gradients carried backwards through time.
    let hNextGradient: FloatBuffer
    let cNextGradient: FloatBuffer

    /// Evaluation-only buffers (`training: false`) leave out everything backward needs.
    init(architecture: Architecture, steps: Int, batch: Int, hidden: Int, dropout: Bool, training: Bool) {
        self.steps = steps; self.batch = batch; self.hidden = hidden
        gates = architecture.gateCount
        let rows = steps * batch
        gateValues = FloatBuffer(count: rows * gates * hidden)
        h = FloatBuffer(count: (steps + 1) * batch * hidden)
        let lstm = architecture == .lstm
        c = lstm ? FloatBuffer(count: (steps + 1) * batch * hidden) : nil
        tanhC = lstm ? FloatBuffer(count: rows * hidden) : nil
        hn = lstm ? nil : FloatBuffer(count: rows * hidden)
        hiddenProjection = lstm ? nil : FloatBuffer(count: batch * gates * hidden)
        let g = training ? 1 : 0
        gateGradients = FloatBuffer(count: g * rows * gates * hidden)
        inputGateGradients = lstm ? nil : FloatBuffer(count: g * rows * gates * hidden)
        outputGradients = FloatBuffer(count: g * rows * hidden)
        mask = dropout ? FloatBuffer(count: rows * hidden) : nil
        dropped = dropout ? FloatBuffer(count: rows * hidden) : nil
        hNextGradient = FloatBuffer(count: g * batch * hidden)
        cNextGradient = FloatBuffer(count: g * batch * hidden)
    }

    /// Hidden outputs h_1..h_T, [T·B, H].
    var outputs: FloatPointer { h.pointer + batch * hidden }
    /// What the next layer (or the output layer) reads: the dropped outputs when dropout is on.
    var layerOutput: FloatPointer { dropped?.pointer ?? outputs }
    /// Gate gradients that flow into W_ih, b_ih and the layer input.
    var inputSideGateGradients: FloatPointer { (inputGateGradients ?? gateGradients).pointer }
}
