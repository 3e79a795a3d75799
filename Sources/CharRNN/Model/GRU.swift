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
    static func forward(_ L: LayerBuffers, whhT: Panels, scratch: FloatPointer, bhn: ConstFloatPointer) {
        let B = L.batch, H = L.hidden, G3 = 3 * H
        let h = L.h.pointer, hn = L.hn!.pointer, hp = L.hiddenProjection!.pointer
        for t in 0..<L.steps {
            let g = L.gateValues.pointer + t * B * G3
            gemm(
                m: B, n: G3, k: H, a: h + t * B * H, aRowStride: H, aColStride: 1,
                b: whhT, c: hp, ldc: G3, accumulate: false, scratch: scratch)
            for b in 0..<B {
                let row = (t * B + b) * H
                cellForward(
                    gates: g + b * G3, hiddenProjection: hp + b * G3, bhn: bhn, hPrev: h + row,
                    hn: hn + row, hOut: h + row + B * H, count: H, gateStride: H)
            }
        }
    }

    /// Units 0..<count of one row; gate blocks are `gateStride` apart in `gates` and `hiddenProjection`.
    @inline(__always)
    static func cellForward(
        gates gr: FloatPointer, hiddenProjection hp: ConstFloatPointer, bhn: ConstFloatPointer,
        hPrev: ConstFloatPointer, hn: FloatPointer, hOut: FloatPointer, count n: Int, gateStride H: Int
    ) {
        var j = 0
        while j + 16 <= n {
            let r = vsigmoid(load16(gr + j) + load16(hp + j))
            let z = vsigmoid(load16(gr + H + j) + load16(hp + H + j))
            let hnv = load16(hp + 2 * H + j) + load16(bhn + j)
            let n = vtanh(load16(gr + 2 * H + j) + r * hnv)
            store16(r, gr + j); store16(z, gr + H + j); store16(n, gr + 2 * H + j); store16(hnv, hn + j)
            store16(n + z * (load16(hPrev + j) - n), hOut + j)
            j += 16
        }
        while j < n {
            let r = scalarSigmoid(gr[j] + hp[j])
            let z = scalarSigmoid(gr[H + j] + hp[H + j])
            let hnv = hp[2 * H + j] + bhn[j]
            let n = scalarTanh(gr[2 * H + j] + r * hnv)
            gr[j] = r; gr[H + j] = z; gr[2 * H + j] = n; hn[j] = hnv
            hOut[j] = (1 - z) * n + z * hPrev[j]
            j += 1
        }
    }

    /// Writes the recurrent-side gate gradients [dr, dz, d(W_hn h + b_hn)] to `gateGradients` and the
    /// input-side ones [dr, dz, dn_pre] to `inputGateGradients`; leaves dL/dh_0 in `hNextGradient`.
    /// W_hh [3H, H] comes as panels.
    static func backward(_ L: LayerBuffers, whh: Panels, scratch: FloatPointer) {
        let B = L.batch, H = L.hidden, G3 = 3 * H
        let h = L.h.pointer, hn = L.hn!.pointer
        let dhNext = L.hNextGradient.pointer
        for t in stride(from: L.steps - 1, through: 0, by: -1) {
            let g = L.gateValues.pointer + t * B * G3
            let dgh = L.gateGradients.pointer + t * B * G3
            let dgx = L.inputGateGradients!.pointer + t * B * G3
            for b in 0..<B {
                let row = (t * B + b) * H
                cellBackward(
                    gates: g + b * G3, dGatesHidden: dgh + b * G3, dGatesInput: dgx + b * G3,
                    hPrev: h + row, hn: hn + row, dhAbove: L.outputGradients.pointer + row,
                    dh: dhNext + b * H, count: H)
            }
            gemm(
                m: B, n: H, k: G3, a: dgh, aRowStride: G3, aColStride: 1,
                b: whh, c: dhNext, ldc: H, accumulate: true, scratch: scratch)
        }
    }

    /// On entry `dh` holds the gradient from step t+1; on exit the direct part z ⊙ dh' (the
    /// product with W_hh is added by the caller).
    @inline(__always)
    static func cellBackward(
        gates gr: ConstFloatPointer, dGatesHidden dgh: FloatPointer, dGatesInput dgx: FloatPointer,
        hPrev: ConstFloatPointer, hn: ConstFloatPointer, dhAbove: ConstFloatPointer,
        dh: FloatPointer, count H: Int
    ) {
        let one = Vec(repeating: 1)
        var j = 0
        while j + 16 <= H {
            let r = load16(gr + j), z = load16(gr + H + j), n = load16(gr + 2 * H + j)
            let dhv = load16(dhAbove + j) + load16(dh + j)
            let dan = dhv * (one - z) * (one - n * n)
            let dar = dan * load16(hn + j) * r * (one - r)
            let daz = dhv * (load16(hPrev + j) - n) * z * (one - z)
            store16(dar, dgh + j); store16(daz, dgh + H + j); store16(dan * r, dgh + 2 * H + j)
            store16(dar, dgx + j); store16(daz, dgx + H + j); store16(dan, dgx + 2 * H + j)
            store16(dhv * z, dh + j)
            j += 16
        }
        while j < H {
            let r = gr[j], z = gr[H + j], n = gr[2 * H + j]
            let dhv = dhAbove[j] + dh[j]
            let dan = dhv * (1 - z) * (1 - n * n)
            let dar = dan * hn[j] * r * (1 - r)
            let daz = dhv * (hPrev[j] - n) * z * (1 - z)
            dgh[j] = dar; dgh[H + j] = daz; dgh[2 * H + j] = dan * r
            dgx[j] = dar; dgx[H + j] = daz; dgx[2 * H + j] = dan
            dh[j] = dhv * z
            j += 1
        }
    }
}
