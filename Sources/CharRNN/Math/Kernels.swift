/// Matrix-multiply kernels: a register-blocked SIMD kernel and the naive reference beside it.
///
/// One entry point covers the three products training needs:
/// `C[M,N] (= or +=) A·B`, where A's element (i, k) sits at `a[i*aRowStride + k*aColStride]`
/// (so `A` row-major gives A·B and `A` stored `[K,M]` gives Aᵀ·B) and `B` is row-major `[K,N]`
/// is packed in 32-column panels (`Panels`). Weights are packed once per optimizer step — as Wᵀ
/// for the forward products (x·W_ihᵀ, h·W_hhᵀ) and as W for the backward ones (dgates·W) — and
/// activations are packed into a per-thread buffer before the batched weight-gradient products.
///
/// Blocking: K in slices of `kc` so one panel slice (kc×32 floats) stays in L1 while the
/// row blocks of A stream past it; A is packed 8 rows at a time (blocks of up to `mc` rows).
/// The microkernel depends on the vector registers the build targets (`CHARRNN_AVX512` is defined
/// by Package.swift when it compiles for a CPU with AVX-512):
/// - AVX-512 (32 registers of 16 floats): an 8×32 block of C in 16 SIMD16 accumulators;
/// - otherwise (AVX2 + FMA: 16 registers of 8 floats): a 4×16 block in 8 SIMD8 accumulators, four
///   of them per 8×32 block, since an 8×32 block would spill accumulators to the stack.
/// Results agree with `gemmReference` to float32 rounding (summation order differs only by the
/// K-blocking).

typealias FloatPointer = UnsafeMutablePointer<Float>
typealias ConstFloatPointer = UnsafePointer<Float>

@usableFromInline let mr = 8
@usableFromInline let mc = 192
@usableFromInline let nr = 32
#if CHARRNN_AVX512
    @usableFromInline let kc = 256
#else
    /// Half the depth: the panel slice (16 KB) then shares a 32 KB L1 with the stream of A.
    @usableFromInline let kc = 128
#endif

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// B [K, N] packed as column panels of `nr` (32): panel p holds B[k, 32p ..< 32p+32] for
/// k = 0..<K contiguously (32·K floats), zero-padded past N. Reading a panel is then one
/// sequential stream, whatever N is — with B row-major, a power-of-two row stride (4H = 2048
/// floats) maps every row of a panel to the same L1 set.
struct Panels {
    let base: FloatPointer
    let k: Int, n: Int
    var panelCount: Int { (n + nr - 1) / nr }
    static func floatCount(k: Int, n: Int) -> Int { (n + nr - 1) / nr * nr * max(k, 1) }

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

/// Floats of scratch one `gemm` call needs for its packed blocks of A.
let gemmScratchCount = mc * kc

/// C[M,N] (accumulate ? += : =) A·B with B packed in panels (see the file comment for A).
/// `scratch` (≥ `gemmScratchCount` floats, one per thread) receives blocks of A packed
/// `mr` rows at a time, so the microkernel reads A and B as two sequential streams.
func gemm(
    m: Int, n: Int, k: Int,
    a: ConstFloatPointer, aRowStride: Int, aColStride: Int,
    b: Panels,
    c: FloatPointer, ldc: Int, accumulate: Bool,
    scratch: FloatPointer
) {
    precondition(b.k == k && b.n == n)
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    var k0 = 0
    while k0 < k {
        let kLen = min(kc, k - k0)
        let acc = accumulate || k0 > 0
        var i0 = 0
        while i0 < m {
            let mLen = min(mc, m - i0)
            packA(
                rows: mLen, k: kLen, a: a + i0 * aRowStride + k0 * aColStride, ars: aRowStride, acs: aColStride,
                into: scratch)
            for p in 0..<b.panelCount {
                let j = p * nr
                let cols = min(nr, n - j)
                let bp = b.base + p * k * nr + k0 * nr
                var i = 0
                while i < mLen {
                    let rows = min(mr, mLen - i)
                    let cBlock = c + (i0 + i) * ldc + j, aBlock = scratch + i * kLen
                    #if CHARRNN_AVX512
                        // A tail of ≤ 4 rows (e.g. 25 streams per core) takes the half-height kernel.
                        if rows <= 4 {
                            microkernel4x32(
                                rows: rows, cols: cols, k: kLen, a: aBlock, b: bp,
                                c: cBlock, ldc: ldc, accumulate: acc)
                        } else {
                            microkernel8x32(
                                rows: rows, cols: cols, k: kLen, a: aBlock, b: bp,
                                c: cBlock, ldc: ldc, accumulate: acc)
                        }
                    #else
                        var r = 0
                        while r < rows {
                            var q = 0
                            while q < cols {
                                microkernel4x16(
                                    rows: min(4, rows - r), cols: min(16, cols - q), k: kLen,
                                    a: aBlock + r, b: bp + q, c: cBlock + r * ldc + q, ldc: ldc,
                                    accumulate: acc)
                                q += 16
                            }
                            r += 4
                        }
                    #endif
                    i += mr
                }
            }
            i0 += mLen
        }
        k0 += kLen
    }
}

/// Packs rows × k of A (element (i, p) at a[i·ars + p·acs]) as blocks of `mr` rows:
/// block r holds, for each p, the mr values A(r·mr ..< r·mr+mr, p); missing rows are zero.
@inline(__always)
func packA(rows: Int, k: Int, a: ConstFloatPointer, ars: Int, acs: Int, into dst: FloatPointer) {
    var r0 = 0
    while r0 < rows {
        let block = dst + r0 * k
        let h = min(mr, rows - r0)
        if acs == 1 {
            // A row-major: gather mr rows column by column.
            if h < mr { block.update(repeating: 0, count: k * mr) }
            for i in 0..<h {
                let src = a + (r0 + i) * ars
                for p in 0..<k { block[p * mr + i] = src[p] }
            }
        } else if ars == 1 && h == mr {
            // A stored transposed ([K, M]): each p contributes mr contiguous values.
            for p in 0..<k {
                let src = a + p * acs + r0
                (block + p * mr).update(from: src, count: mr)
            }
        } else {
            for p in 0..<k {
                for i in 0..<mr { block[p * mr + i] = i < h ? a[(r0 + i) * ars + p * acs] : 0 }
            }
        }
        r0 += mr
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

/// C[0..<rows, 0..<cols] (+)= Σ_p A(i,p)·B(p, 0..<32): A packed 8 values per p, B one panel
/// (32 per p). Sixteen SIMD16 accumulators hold the 8×32 block of C.
@inline(__always)
func microkernel8x32(
    rows: Int, cols: Int, k: Int, a: ConstFloatPointer,
    b: ConstFloatPointer, c: FloatPointer, ldc: Int, accumulate: Bool
) {
    var c00 = Vec(), c01 = Vec(), c10 = Vec(), c11 = Vec()
    var c20 = Vec(), c21 = Vec(), c30 = Vec(), c31 = Vec()
    var c40 = Vec(), c41 = Vec(), c50 = Vec(), c51 = Vec()
    var c60 = Vec(), c61 = Vec(), c70 = Vec(), c71 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        let b0 = load16(bp), b1 = load16(bp + 16)
        var x = Vec(repeating: ap[0])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = Vec(repeating: ap[1])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = Vec(repeating: ap[2])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = Vec(repeating: ap[3])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = Vec(repeating: ap[4])
        c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = Vec(repeating: ap[5])
        c50.addProduct(x, b0); c51.addProduct(x, b1)
        x = Vec(repeating: ap[6])
        c60.addProduct(x, b0); c61.addProduct(x, b1)
        x = Vec(repeating: ap[7])
        c70.addProduct(x, b0); c71.addProduct(x, b1)
        ap += mr
        bp += nr
    }
    storeBlock(c, ldc: ldc, row: 0, cols: cols, accumulate: accumulate, c00, c01)
    if rows > 1 { storeBlock(c, ldc: ldc, row: 1, cols: cols, accumulate: accumulate, c10, c11) }
    if rows > 2 { storeBlock(c, ldc: ldc, row: 2, cols: cols, accumulate: accumulate, c20, c21) }
    if rows > 3 { storeBlock(c, ldc: ldc, row: 3, cols: cols, accumulate: accumulate, c30, c31) }
    if rows > 4 { storeBlock(c, ldc: ldc, row: 4, cols: cols, accumulate: accumulate, c40, c41) }
    if rows > 5 { storeBlock(c, ldc: ldc, row: 5, cols: cols, accumulate: accumulate, c50, c51) }
    if rows > 6 { storeBlock(c, ldc: ldc, row: 6, cols: cols, accumulate: accumulate, c60, c61) }
    if rows > 7 { storeBlock(c, ldc: ldc, row: 7, cols: cols, accumulate: accumulate, c70, c71) }
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
func gemv(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
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
        while p < k { let xv = x[p]; r0 += w0[p] * xv; r1 += w1[p] * xv; r2 += w2[p] * xv; r3 += w3[p] * xv; p += 1 }
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
        while p < k { r += wi[p] * x[p]; p += 1 }
        y[i] = accumulate ? y[i] + r : r
        i += 1
    }
}

func gemvReference(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
    for i in 0..<n {
        var s: Float = 0
        for p in 0..<k { s += w[i * k + p] * x[p] }
        y[i] = accumulate ? y[i] + s : s
    }
}

/// The 8×32 kernel's first four rows, for tails (A still packed 8 values per p).
@inline(__always)
func microkernel4x32(
    rows: Int, cols: Int, k: Int, a: ConstFloatPointer,
    b: ConstFloatPointer, c: FloatPointer, ldc: Int, accumulate: Bool
) {
    var c00 = Vec(), c01 = Vec(), c10 = Vec(), c11 = Vec()
    var c20 = Vec(), c21 = Vec(), c30 = Vec(), c31 = Vec()
    var ap = a, bp = b
    for _ in 0..<k {
        let b0 = load16(bp), b1 = load16(bp + 16)
        var x = Vec(repeating: ap[0])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = Vec(repeating: ap[1])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = Vec(repeating: ap[2])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = Vec(repeating: ap[3])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        ap += mr
        bp += nr
    }
    storeBlock(c, ldc: ldc, row: 0, cols: cols, accumulate: accumulate, c00, c01)
    if rows > 1 { storeBlock(c, ldc: ldc, row: 1, cols: cols, accumulate: accumulate, c10, c11) }
    if rows > 2 { storeBlock(c, ldc: ldc, row: 2, cols: cols, accumulate: accumulate, c20, c21) }
    if rows > 3 { storeBlock(c, ldc: ldc, row: 3, cols: cols, accumulate: accumulate, c30, c31) }
}

/// Stores (or adds) one 32-wide row of a C block, only its first `cols` columns at an edge.
@inline(__always)
func storeBlock(_ c: FloatPointer, ldc: Int, row r: Int, cols: Int, accumulate: Bool, _ v0: Vec, _ v1: Vec) {
    let p = c + r * ldc
    if cols == nr {
        if accumulate {
            store16(load16(p) + v0, p); store16(load16(p + 16) + v1, p + 16)
        } else {
            store16(v0, p); store16(v1, p + 16)
        }
    } else {
        for j in 0..<cols {
            let v = j < 16 ? v0[j] : v1[j - 16]
            p[j] = accumulate ? p[j] + v : v
        }
    }
}

/// C[0..<rows, 0..<cols] (+)= Σ_p A(i,p)·B(p, 0..<16) for rows ≤ 4, cols ≤ 16: A packed 8 values
/// per p (this kernel reads 4 of them), B a half panel (row stride 32). Eight SIMD8 accumulators:
/// per p, two loads of B, four broadcasts of A and eight fused multiply-adds.
@inline(__always)
func microkernel4x16(
    rows: Int, cols: Int, k: Int, a: ConstFloatPointer,
    b: ConstFloatPointer, c: FloatPointer, ldc: Int, accumulate: Bool
) {
    typealias V8 = SIMD8<Float>
    var c00 = V8(), c01 = V8(), c10 = V8(), c11 = V8()
    var c20 = V8(), c21 = V8(), c30 = V8(), c31 = V8()
    var ap = a, bp = b
    for _ in 0..<k {
        let b0 = load8(bp), b1 = load8(bp + 8)
        var x = V8(repeating: ap[0])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = V8(repeating: ap[1])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = V8(repeating: ap[2])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = V8(repeating: ap[3])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        ap += mr
        bp += nr
    }
    storeRow16(c, cols: cols, accumulate: accumulate, c00, c01)
    if rows > 1 { storeRow16(c + ldc, cols: cols, accumulate: accumulate, c10, c11) }
    if rows > 2 { storeRow16(c + 2 * ldc, cols: cols, accumulate: accumulate, c20, c21) }
    if rows > 3 { storeRow16(c + 3 * ldc, cols: cols, accumulate: accumulate, c30, c31) }
}

@inline(__always) func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always) func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Stores (or adds) 16 values of one row of C, only the first `cols` at an edge.
@inline(__always)
func storeRow16(_ p: FloatPointer, cols: Int, accumulate: Bool, _ v0: SIMD8<Float>, _ v1: SIMD8<Float>) {
    if cols == 16 {
        if accumulate {
            store8(load8(p) + v0, p); store8(load8(p + 8) + v1, p + 8)
        } else {
            store8(v0, p); store8(v1, p + 8)
        }
    } else {
        for j in 0..<cols {
            let v = j < 8 ? v0[j] : v1[j - 8]
            p[j] = accumulate ? p[j] + v : v
        }
    }
}
