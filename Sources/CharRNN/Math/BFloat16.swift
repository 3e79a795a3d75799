import CKernels

/// bfloat16: the upper 16 bits of a Float (8 exponent bits, 7 mantissa bits). Weights stored this
/// way take half the bytes; widening back to Float is exact, so a product of two bf16 values,
/// accumulated in Float, is what bf16 hardware (`vdpbf16ps`, `tdpbf16ps`) computes too.
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
}

/// y[N] (accumulate ? += : =) W[N,K]·x[K] with W in bf16, row i at `w + i·rowStride`, for one
/// stream (sampling). The kernel widens two bf16 weights per 32-bit lane with a shift and a mask,
/// so x is first split into its even and odd elements in `scratch` (k + 1 floats); it is
/// vectorised only where every row starts on a pair, i.e. `rowStride` is even (see
/// `BFloat16.Rows`). The products are exact and summed in Float, in another order than `gemv`'s.
@inline(__always)
func gemv(
    n: Int, k: Int, w: UnsafePointer<UInt16>, rowStride: Int, x: ConstFloatPointer, y: FloatPointer,
    accumulate: Bool, scratch: FloatPointer
) {
    ck_gemv_bf16(n, k, rowStride, w, x, y, accumulate ? 1 : 0, scratch)
}
