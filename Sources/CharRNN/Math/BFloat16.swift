/// bfloat16: the upper 16 bits of a Float (8 exponent bits, 7 mantissa bits). Weights stored this
/// way take half the bytes; widening back to Float is exact, so a product of a bf16 weight and a
/// Float activation, accumulated in Float, is what bf16 hardware (`vdpbf16ps`) computes too.
public enum BFloat16 {
    /// `x` rounded to the nearest bf16, ties to even (NaN stays NaN, ±∞ stays ±∞).
    @inline(__always) public static func bits(_ x: Float) -> UInt16 {
        let u = x.bitPattern
        return x.isNaN ? 0x7FC0 : UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
    }

    /// The Float a bf16 holds (exact).
    @inline(__always) public static func float(_ b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// `x` rounded to bf16 and widened again.
    @inline(__always) public static func rounded(_ x: Float) -> Float { float(bits(x)) }

    /// `count` Floats from `p`, rounded to bf16.
    static func array(_ p: UnsafePointer<Float>, count: Int) -> [UInt16] { (0..<count).map { bits(p[$0]) } }
}

/// 16 bf16 values from `p`, widened to Float.
@inline(__always) func load16(_ p: UnsafePointer<UInt16>) -> SIMD16<Float> {
    let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt16>.self)
    return unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: v) &<< 16, to: SIMD16<Float>.self)
}

/// y[N] (accumulate ? += : =) W[N,K]·x[K] with W in bf16: the same order of operations as `gemv`,
/// so it equals `gemv` on the weights rounded to bf16, bit for bit.
func gemv(n: Int, k: Int, w: UnsafePointer<UInt16>, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
    let k16 = k / 16 * 16
    var i = 0
    while i + 4 <= n {
        let w0 = w + i * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var p = 0
        while p < k16 {
            let xv = load16(x + p)
            s0.addProduct(load16(w0 + p), xv); s1.addProduct(load16(w1 + p), xv)
            s2.addProduct(load16(w2 + p), xv); s3.addProduct(load16(w3 + p), xv)
            p += 16
        }
        var r0 = s0.sum(), r1 = s1.sum(), r2 = s2.sum(), r3 = s3.sum()
        while p < k {
            let xv = x[p]
            r0 += BFloat16.float(w0[p]) * xv; r1 += BFloat16.float(w1[p]) * xv
            r2 += BFloat16.float(w2[p]) * xv; r3 += BFloat16.float(w3[p]) * xv
            p += 1
        }
        if accumulate {
            y[i] += r0; y[i + 1] += r1; y[i + 2] += r2; y[i + 3] += r3
        } else {
            y[i] = r0; y[i + 1] = r1; y[i + 2] = r2; y[i + 3] = r3
        }
        i += 4
    }
    while i < n {
        let wi = w + i * k
        var s = SIMD16<Float>()
        var p = 0
        while p < k16 { s.addProduct(load16(wi + p), load16(x + p)); p += 16 }
        var r = s.sum()
        while p < k { r += BFloat16.float(wi[p]) * x[p]; p += 1 }
        y[i] = accumulate ? y[i] + r : r
        i += 1
    }
}

/// How weights are stored for the matrix products of sampling and scoring.
public enum Precision: String, Sendable, CaseIterable, Codable {
    /// Float weights: the reference.
    case fp32
    /// Weight matrices rounded to bf16 (biases, activations and sums stay Float).
    case bf16
}
