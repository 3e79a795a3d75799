import CKernels

/// The GRU layer, PyTorch's (cuDNN's) equations and gate order (r, z, n):
///
///     r = σ(W_ir x + b_ir + W_hr h + b_hr)     z = σ(W_iz x + b_iz + W_hz h + b_hz)
///     n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// The reset gate multiplies (W_hn h + b_hn) after the product, so b_hn cannot be folded into
/// the input projection; `forward` expects `gateValues` to hold x·W_ihᵀ + b_ih + [b_hr, b_hz, 0].
enum GRULayer {
    /// Shapes: W_hhᵀ [H, 3H] (panels), b_hn [H].
    static func forward(
        _ L: LayerBuffers, whhT: Panels, scratch: FloatPointer, bhn: ConstFloatPointer, clock: PhaseClock
    ) {
        let B = L.batch, H = L.hidden, G3 = 3 * H
        let h = L.h.pointer, hn = L.hn!.pointer, hp = L.hiddenProjection!.pointer
        for t in 0..<L.steps {
            let g = L.gateValues.pointer + t * B * G3
            clock.time(.recurrentForward) {
                gemm(
                    m: B, n: G3, k: H, a: h + t * B * H, aRowStride: H, aColStride: 1,
                    b: whhT, c: hp, ldc: G3, accumulate: false, scratch: scratch)
            }
            clock.time(.cellsForward) {
                for b in 0..<B {
                    let row = (t * B + b) * H
                    cellForward(
                        gates: g + b * G3, hiddenProjection: hp + b * G3, bhn: bhn, hPrev: h + row,
                        hn: hn + row, hOut: h + row + B * H, count: H, gateStride: H)
                }
            }
        }
    }

    /// Units 0..<count of one row; gate blocks are `gateStride` apart in `gates` and `hiddenProjection`.
    /// The gates receive r, z and n; `hn` receives W_hn h + b_hn (kept for backward).
    @inline(__always)
    static func cellForward(
        gates gr: FloatPointer, hiddenProjection hp: ConstFloatPointer, bhn: ConstFloatPointer,
        hPrev: ConstFloatPointer, hn: FloatPointer, hOut: FloatPointer, count n: Int, gateStride H: Int
    ) {
        ck_gru_cell_forward(gr, hp, bhn, hPrev, hn, hOut, n, H)
    }

    /// Writes the recurrent-side gate gradients [dr, dz, d(W_hn h + b_hn)] to `gateGradients` and the
    /// input-side ones [dr, dz, dn_pre] to `inputGateGradients`; leaves dL/dh_0 in `hNextGradient`.
    /// W_hh [3H, H] comes as panels.
    static func backward(_ L: LayerBuffers, whh: Panels, scratch: FloatPointer, clock: PhaseClock) {
        let B = L.batch, H = L.hidden, G3 = 3 * H
        let h = L.h.pointer, hn = L.hn!.pointer
        let dhNext = L.hNextGradient.pointer
        for t in stride(from: L.steps - 1, through: 0, by: -1) {
            let g = L.gateValues.pointer + t * B * G3
            let dgh = L.gateGradients.pointer + t * B * G3
            let dgx = L.inputGateGradients!.pointer + t * B * G3
            clock.time(.cellsBackward) {
                for b in 0..<B {
                    let row = (t * B + b) * H
                    cellBackward(
                        gates: g + b * G3, dGatesHidden: dgh + b * G3, dGatesInput: dgx + b * G3,
                        hPrev: h + row, hn: hn + row, dhAbove: L.outputGradients.pointer + row,
                        dh: dhNext + b * H, count: H)
                }
            }
            clock.time(.recurrentBackward) {
                gemm(
                    m: B, n: H, k: G3, a: dgh, aRowStride: G3, aColStride: 1,
                    b: whh, c: dhNext, ldc: H, accumulate: true, scratch: scratch)
            }
        }
    }

    /// On entry `dh` holds the gradient from step t+1; on exit the direct part z ⊙ dh' (the
    /// product with W_hh is added by the caller). With δn = dh·(1−z)·(1−n²): dn_pre = δn,
    /// d(W_hn h + b_hn) = δn·r, dr = δn·(W_hn h + b_hn)·r(1−r), dz = dh·(h − n)·z(1−z).
    @inline(__always)
    static func cellBackward(
        gates gr: ConstFloatPointer, dGatesHidden dgh: FloatPointer, dGatesInput dgx: FloatPointer,
        hPrev: ConstFloatPointer, hn: ConstFloatPointer, dhAbove: ConstFloatPointer,
        dh: FloatPointer, count H: Int
    ) {
        ck_gru_cell_backward(gr, dgh, dgx, hPrev, hn, dhAbove, dh, H)
    }
}
