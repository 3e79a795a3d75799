import CKernels

/// The LSTM layer, PyTorch's equations and gate order (i, f, g, o):
///
///     i = σ(W_ii x + b_ii + W_hi h + b_hi)     f = σ(W_if x + b_if + W_hf h + b_hf)
///     g = tanh(W_ig x + b_ig + W_hg h + b_hg)  o = σ(W_io x + b_io + W_ho h + b_ho)
///     c' = f ⊙ c + i ⊙ g                       h' = o ⊙ tanh(c')
///
/// `forward` expects `gateValues` to hold the input projection x·W_ihᵀ + b_ih + b_hh for every
/// timestep (one GEMM for the sequence, done by the stack); it adds h·W_hhᵀ step by step and applies
/// the nonlinearities and the cell update in one fused pass. `backward` runs the same steps in
/// reverse and leaves the gate pre-activation gradients for the batched weight-gradient GEMMs.
enum LSTMLayer {
    /// Shapes: W_hhᵀ [H, 4H] (panels packed once per optimizer step).
    static func forward(_ L: LayerBuffers, whhT: Panels, scratch: FloatPointer, clock: PhaseClock) {
        let B = L.batch, H = L.hidden, G4 = 4 * H
        let c = L.c!.pointer, tanhC = L.tanhC!.pointer, h = L.h.pointer
        for t in 0..<L.steps {
            let g = L.gateValues.pointer + t * B * G4
            clock.time(.recurrentForward) {
                gemm(
                    m: B, n: G4, k: H, a: h + t * B * H, aRowStride: H, aColStride: 1,
                    b: whhT, c: g, ldc: G4, accumulate: true, scratch: scratch)
            }
            clock.time(.cellsForward) {
                for b in 0..<B {
                    let gr = g + b * G4
                    let row = (t * B + b) * H
                    cellForward(
                        gates: gr, cPrev: c + row, cOut: c + row + B * H, tanhC: tanhC + row,
                        hOut: h + row + B * H, count: H, gateStride: H)
                }
            }
        }
    }

    /// Units 0..<count of one row; gate blocks are `gateStride` apart in `gates` (H for a whole
    /// row; the sampler passes a slice of the units with the full stride). The gates' pre-activations
    /// become their activations; c', tanh c' and h' are written.
    @inline(__always)
    static func cellForward(
        gates gr: FloatPointer, cPrev: FloatPointer, cOut: FloatPointer,
        tanhC: FloatPointer, hOut: FloatPointer, count n: Int, gateStride H: Int
    ) {
        ck_lstm_cell_forward(gr, cPrev, cOut, tanhC, hOut, n, H)
    }

    /// Reads `outputGradients` (dL/dh_t from above) and `hNextGradient`/`cNextGradient` (dL/d of the
    /// final state, usually zero); writes `gateGradients` [T·B, 4H] and leaves dL/dh_0, dL/dc_0 in
    /// `hNextGradient`/`cNextGradient`. W_hh [4H, H] comes as panels.
    static func backward(_ L: LayerBuffers, whh: Panels, scratch: FloatPointer, clock: PhaseClock) {
        let B = L.batch, H = L.hidden, G4 = 4 * H
        let c = L.c!.pointer, tanhC = L.tanhC!.pointer
        let dhNext = L.hNextGradient.pointer, dcNext = L.cNextGradient.pointer
        for t in stride(from: L.steps - 1, through: 0, by: -1) {
            let g = L.gateValues.pointer + t * B * G4
            let dg = L.gateGradients.pointer + t * B * G4
            clock.time(.cellsBackward) {
                for b in 0..<B {
                    let row = (t * B + b) * H
                    cellBackward(
                        gates: g + b * G4, dGates: dg + b * G4, cPrev: c + row, tanhC: tanhC + row,
                        dhAbove: L.outputGradients.pointer + row, dh: dhNext + b * H, dc: dcNext + b * H, count: H)
                }
            }
            clock.time(.recurrentBackward) {
                gemm(
                    m: B, n: H, k: G4, a: dg, aRowStride: G4, aColStride: 1,
                    b: whh, c: dhNext, ldc: H, accumulate: false, scratch: scratch)
            }
        }
    }

    /// On entry `dh` holds the gradient from step t+1 and `dc` dL/dc_t; on exit `dc` holds dL/dc_{t-1}.
    /// With δc = dc + dh·o·(1 − tanh²c'), the gate gradients are δc·g·i(1−i), δc·c·f(1−f), δc·i·(1−g²)
    /// and dh·tanh c'·o(1−o), and dc becomes δc·f.
    @inline(__always)
    static func cellBackward(
        gates gr: FloatPointer, dGates dg: FloatPointer, cPrev: FloatPointer,
        tanhC: FloatPointer, dhAbove: FloatPointer, dh: FloatPointer,
        dc: FloatPointer, count H: Int
    ) {
        ck_lstm_cell_backward(gr, dg, cPrev, tanhC, dhAbove, dh, dc, H)
    }
}
