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

/// y[N] (accumulate ? += : =) W[N,K]·x[K] with W in bf16, for one stream (sampling). Two bf16
/// weights share each 32-bit lane: `lane << 16` is the even one as a Float, `lane & 0xFFFF0000`
/// the odd one, so widening costs a shift and a mask per 16 weights (no per-lane conversion);
/// x is split into its even and odd elements in `scratch` (k floats) to match. The products are
/// exact and summed in Float, in another order than `gemv`'s.
func gemv(
    n: Int, k: Int, w: UnsafePointer<UInt16>, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool,
    scratch: FloatPointer
) {
    let half = k / 2
    let xe = scratch, xo = scratch + half
    for j in 0..<half { xe[j] = x[2 * j]; xo[j] = x[2 * j + 1] }
    // Pairs in blocks of 16; rows start on a pair boundary only when k is even.
    let blocks = k % 2 == 0 ? half / 16 * 16 : 0
    let mask = SIMD16<UInt32>(repeating: 0xFFFF_0000)
    @inline(__always) func pairs(_ p: UnsafePointer<UInt16>) -> (SIMD16<Float>, SIMD16<Float>) {
        let v = UnsafeRawPointer(p).loadUnaligned(as: SIMD16<UInt32>.self)
        return (unsafeBitCast(v &<< 16, to: SIMD16<Float>.self), unsafeBitCast(v & mask, to: SIMD16<Float>.self))
    }
    var i = 0
    while i + 4 <= n {
        let w0 = w + i * k, w1 = w0 + k, w2 = w1 + k, w3 = w2 + k
        var s0 = SIMD16<Float>(), s1 = SIMD16<Float>(), s2 = SIMD16<Float>(), s3 = SIMD16<Float>()
        var q = 0
        while q < blocks {
            let e = load16(xe + q), o = load16(xo + q)
            let (a0, b0) = pairs(w0 + 2 * q), (a1, b1) = pairs(w1 + 2 * q)
            s0.addProduct(a0, e); s0.addProduct(b0, o); s1.addProduct(a1, e); s1.addProduct(b1, o)
            let (a2, b2) = pairs(w2 + 2 * q), (a3, b3) = pairs(w3 + 2 * q)
            s2.addProduct(a2, e); s2.addProduct(b2, o); s3.addProduct(a3, e); s3.addProduct(b3, o)
            q += 16
        }
        var r0 = s0.sum(), r1 = s1.sum(), r2 = s2.sum(), r3 = s3.sum()
        var p = 2 * blocks
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
        var q = 0
        while q < blocks {
            let (a, b) = pairs(wi + 2 * q)
            s.addProduct(a, load16(xe + q)); s.addProduct(b, load16(xo + q))
            q += 16
        }
        var r = s.sum()
        var p = 2 * blocks
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
