import CKernels

/// The matrix products, in the layouts the C kernels want (Sources/CKernels chooses the
/// instruction set at run time; see `KernelVariant`).
///
/// One entry point covers the three products training needs: `C[M,N] (= or +=) A·B`, where A's
/// element (i, k) sits at `a[i*aRowStride + k*aColStride]` (so `A` row-major gives A·B and `A`
/// stored `[K,M]` gives Aᵀ·B) and `B` [K,N] is packed in 32-column panels (`Panels`). Weights
/// are packed once per optimizer step — as Wᵀ for the forward products (x·W_ihᵀ, h·W_hhᵀ) and as
/// W for the backward ones (dgates·W) — and activations are packed into a per-thread buffer before
/// the batched weight-gradient products.

typealias FloatPointer = UnsafeMutablePointer<Float>
typealias ConstFloatPointer = UnsafePointer<Float>

/// The panel width of packed B.
let nr = 32

/// B [K, N] packed as column panels of `nr` (32): panel p holds B[k, 32p ..< 32p+32] for
/// k = 0..<K contiguously (32·K floats), zero-padded past N. Reading a panel is then one
/// sequential stream, whatever N is — with B row-major, a power-of-two row stride (4H = 2048
/// floats) maps every row of a panel to the same L1 set. In bf16 (`Values.bf16`), the same panels
/// hold K in pairs, as `ck_gemm_bf16` wants them (see Sources/CKernels/BFloat16Gemm.c).
struct Panels {
    /// The packed values: fp32, or bf16 pairs.
    enum Values {
        case fp32(FloatPointer), bf16(UnsafeMutablePointer<UInt16>)
    }
    let values: Values
    let k: Int, n: Int

    init(base: FloatPointer, k: Int, n: Int) { values = .fp32(base); self.k = k; self.n = n }

    init(bf16 base: UnsafeMutablePointer<UInt16>, k: Int, n: Int) { values = .bf16(base); self.k = k; self.n = n }

    var panelCount: Int { (n + nr - 1) / nr }
    static func floatCount(k: Int, n: Int) -> Int { (n + nr - 1) / nr * nr * max(k, 1) }
    /// UInt16s of the bf16 panels of B [K, N].
    static func bf16Count(k: Int, n: Int) -> Int { ck_bf16_panels_count(k, n) }

    /// Packs B[k][j] = src[k·ld + j] (B row-major).
    @discardableResult
    static func pack(rowMajor src: ConstFloatPointer, ld: Int, k: Int, n: Int, into dst: FloatPointer) -> Panels {
        for p in 0..<(n + nr - 1) / nr {
            let j0 = p * nr, w = min(nr, n - j0)
            let panel = dst + p * k * nr
            for kk in 0..<k {
                let d = panel + kk * nr, s = src + kk * ld + j0
                if w == nr {
                    d.update(from: s, count: nr)
                } else {
                    d.update(from: s, count: w); (d + w).update(repeating: 0, count: nr - w)
                }
            }
        }
        return Panels(base: dst, k: k, n: n)
    }

    /// Packs B = Wᵀ for W [N, K] row-major with leading dimension ld (B[k][j] = W[j·ld + k]).
    @discardableResult
    static func pack(transposeOf w: ConstFloatPointer, ld: Int, k: Int, n: Int, into dst: FloatPointer) -> Panels {
        for p in 0..<(n + nr - 1) / nr {
            let j0 = p * nr, width = min(nr, n - j0)
            let panel = dst + p * k * nr
            if width < nr { panel.update(repeating: 0, count: k * nr) }
            // 32 rows of W become 32 columns of the panel; walk W rows in k-blocks for locality.
            var k0 = 0
            while k0 < k {
                let k1 = min(k, k0 + 64)
                for j in 0..<width {
                    let row = w + (j0 + j) * ld
                    for kk in k0..<k1 { panel[kk * nr + j] = row[kk] }
                }
                k0 = k1
            }
        }
        return Panels(base: dst, k: k, n: n)
    }
}

/// Floats of scratch one `gemm` call needs for its packed blocks of A (one buffer per thread),
/// in fp32 or in bf16.
let gemmScratchCount = max(Int(ck_gemm_scratch_count()), (Int(ck_bf16_scratch_count()) + 1) / 2)

/// C[M,N] (accumulate ? += : =) A·B with B packed in panels (see the file comment for A). With
/// bf16 panels, A is rounded to bf16 as it is packed and the products are summed in fp32.
@inline(__always)
func gemm(
    m: Int, n: Int, k: Int,
    a: ConstFloatPointer, aRowStride: Int, aColStride: Int,
    b: Panels,
    c: FloatPointer, ldc: Int, accumulate: Bool,
    scratch: FloatPointer
) {
    precondition(b.k == k && b.n == n)
    switch b.values {
    case .fp32(let base):
        ck_gemm(m, n, k, a, aRowStride, aColStride, base, c, ldc, accumulate ? 1 : 0, scratch)
    case .bf16(let base):
        let s = UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: UInt16.self)
        ck_gemm_bf16(m, n, k, a, aRowStride, aColStride, base, c, ldc, accumulate ? 1 : 0, s)
    }
}

/// Convenience for B row-major [K, N] (ldb): packs into temporaries, then multiplies.
/// The step loop never uses this; it packs into buffers it owns.
func gemm(
    m: Int, n: Int, k: Int,
    a: ConstFloatPointer, aRowStride: Int, aColStride: Int,
    b: ConstFloatPointer, ldb: Int,
    c: FloatPointer, ldc: Int, accumulate: Bool
) {
    let tmp = FloatPointer.allocate(capacity: Panels.floatCount(k: k, n: n))
    let scratch = FloatPointer.allocate(capacity: gemmScratchCount)
    defer { tmp.deallocate(); scratch.deallocate() }
    let panels = Panels.pack(rowMajor: b, ld: ldb, k: k, n: n, into: tmp)
    gemm(
        m: m, n: n, k: k, a: a, aRowStride: aRowStride, aColStride: aColStride, b: panels, c: c, ldc: ldc,
        accumulate: accumulate, scratch: scratch)
}

/// The naive triple loop `gemm` is tested against.
func gemmReference(
    m: Int, n: Int, k: Int,
    a: ConstFloatPointer, aRowStride: Int, aColStride: Int,
    b: ConstFloatPointer, ldb: Int,
    c: FloatPointer, ldc: Int, accumulate: Bool
) {
    for i in 0..<m {
        for j in 0..<n {
            var s: Float = 0
            for p in 0..<k { s += a[i * aRowStride + p * aColStride] * b[p * ldb + j] }
            c[i * ldc + j] = accumulate ? c[i * ldc + j] + s : s
        }
    }
}

/// dst[cols, rows] = src[rows, cols]ᵀ (row-major both), in 32×32 tiles.
func transpose(_ src: ConstFloatPointer, rows: Int, cols: Int, into dst: FloatPointer) {
    let tile = 32
    var i0 = 0
    while i0 < rows {
        let i1 = min(i0 + tile, rows)
        var j0 = 0
        while j0 < cols {
            let j1 = min(j0 + tile, cols)
            for i in i0..<i1 { for j in j0..<j1 { dst[j * rows + i] = src[i * cols + j] } }
            j0 = j1
        }
        i0 = i1
    }
}

/// y[N] (accumulate ? += : =) W[N,K]·x[K] for one stream (sampling): rows of W are dot products.
@inline(__always)
func gemv(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
    ck_gemv(n, k, w, x, y, accumulate ? 1 : 0)
}

func gemvReference(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
    for i in 0..<n {
        var s: Float = 0
        for p in 0..<k { s += w[i * k + p] * x[p] }
        y[i] = accumulate ? y[i] + s : s
    }
}

/// dst[j] += Σ_r a[r·cols + j].
@inline(__always)
func columnSums(_ a: ConstFloatPointer, rows: Int, cols: Int, into dst: FloatPointer) {
    ck_column_sums(a, rows, cols, dst)
}

/// a *= m, element-wise.
@inline(__always)
func multiply(_ a: FloatPointer, by m: ConstFloatPointer, count: Int) { ck_multiply(a, m, count) }
