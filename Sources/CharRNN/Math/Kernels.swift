/// Matrix-multiply kernels: a register-blocked SIMD kernel and the naive reference beside it.
///
/// One entry point covers the three products training needs:
/// `C[M,N] (= or +=) A·B`, where A's element (i, k) sits at `a[i*aRowStride + k*aColStride]`
/// (so `A` row-major gives A·B and `A` stored `[K,M]` gives Aᵀ·B) and `B` is row-major `[K,N]`
/// with leading dimension `ldb`. A·Bᵀ for a weight `W [N,K]` goes through a transposed copy made
/// once per training step (`transpose`), so the step loop never packs anything.
///
/// Blocking: K in slices of `kc` so one 32-column panel of B (kc×32 floats) stays in L1 while the
/// row blocks of A stream past it; the microkernel keeps a 6×32 block of C in 12 SIMD16 registers.
/// Results agree with `gemmReference` to float32 rounding (summation order differs only by the
/// K-blocking).

public typealias FloatPointer = UnsafeMutablePointer<Float>
public typealias ConstFloatPointer = UnsafePointer<Float>

@usableFromInline let mr = 6
@usableFromInline let nr = 32
@usableFromInline let kc = 256

@inline(__always) func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always) func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
}

/// C[M,N] (accumulate ? += : =) A·B (see the file comment for the layouts).
public func gemm(
    m: Int, n: Int, k: Int,
    a: ConstFloatPointer, aRowStride: Int, aColStride: Int,
    b: ConstFloatPointer, ldb: Int,
    c: FloatPointer, ldc: Int, accumulate: Bool
) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        if !accumulate { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
        return
    }
    let nFull = n / nr * nr
    var k0 = 0
    while k0 < k {
        let kLen = min(kc, k - k0)
        let acc = accumulate || k0 > 0
        let aK = a + k0 * aColStride
        let bK = b + k0 * ldb
        var j = 0
        while j < nFull {
            var i = 0
            while i < m {
                let rows = min(mr, m - i)
                microkernel6x32(rows: rows, k: kLen, a: aK + i * aRowStride, ars: aRowStride, acs: aColStride,
                                b: bK + j, ldb: ldb, c: c + i * ldc + j, ldc: ldc, accumulate: acc)
                i += mr
            }
            j += nr
        }
        if nFull < n {
            edgeColumns(m: m, j0: nFull, n: n, k: kLen, a: aK, ars: aRowStride, acs: aColStride,
                        b: bK, ldb: ldb, c: c, ldc: ldc, accumulate: acc)
        }
        k0 += kLen
    }
}

/// C[0..<rows, 0..<32] (+)= Σ_k A(i,k)·B(k, 0..<32). Rows beyond `rows` read row 0 and are not stored.
@inline(__always)
func microkernel6x32(
    rows: Int, k: Int, a: ConstFloatPointer, ars: Int, acs: Int,
    b: ConstFloatPointer, ldb: Int, c: FloatPointer, ldc: Int, accumulate: Bool
) {
    let a0 = a
    let a1 = rows > 1 ? a + ars : a
    let a2 = rows > 2 ? a + 2 * ars : a
    let a3 = rows > 3 ? a + 3 * ars : a
    let a4 = rows > 4 ? a + 4 * ars : a
    let a5 = rows > 5 ? a + 5 * ars : a
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var bp = b
    var off = 0
    for _ in 0..<k {
        let b0 = load16(bp), b1 = load16(bp + 16)
        var x = SIMD16<Float>(repeating: a0[off])
        c00.addProduct(x, b0); c01.addProduct(x, b1)
        x = SIMD16<Float>(repeating: a1[off])
        c10.addProduct(x, b0); c11.addProduct(x, b1)
        x = SIMD16<Float>(repeating: a2[off])
        c20.addProduct(x, b0); c21.addProduct(x, b1)
        x = SIMD16<Float>(repeating: a3[off])
        c30.addProduct(x, b0); c31.addProduct(x, b1)
        x = SIMD16<Float>(repeating: a4[off])
        c40.addProduct(x, b0); c41.addProduct(x, b1)
        x = SIMD16<Float>(repeating: a5[off])
        c50.addProduct(x, b0); c51.addProduct(x, b1)
        bp += ldb
        off += acs
    }
    @inline(__always) func put(_ r: Int, _ v0: SIMD16<Float>, _ v1: SIMD16<Float>) {
        let p = c + r * ldc
        if accumulate {
            store16(load16(p) + v0, p); store16(load16(p + 16) + v1, p + 16)
        } else {
            store16(v0, p); store16(v1, p + 16)
        }
    }
    put(0, c00, c01)
    if rows > 1 { put(1, c10, c11) }
    if rows > 2 { put(2, c20, c21) }
    if rows > 3 { put(3, c30, c31) }
    if rows > 4 { put(4, c40, c41) }
    if rows > 5 { put(5, c50, c51) }
}

/// The last n mod 32 columns: one row and up to 16 columns at a time, then scalars.
func edgeColumns(
    m: Int, j0: Int, n: Int, k: Int, a: ConstFloatPointer, ars: Int, acs: Int,
    b: ConstFloatPointer, ldb: Int, c: FloatPointer, ldc: Int, accumulate: Bool
) {
    for i in 0..<m {
        let ai = a + i * ars
        var j = j0
        if n - j >= 16 {
            var s = SIMD16<Float>()
            for p in 0..<k { s.addProduct(SIMD16(repeating: ai[p * acs]), load16(b + p * ldb + j)) }
            let cp = c + i * ldc + j
            store16(accumulate ? load16(cp) + s : s, cp)
            j += 16
        }
        while j < n {
            var s: Float = 0
            for p in 0..<k { s += ai[p * acs] * b[p * ldb + j] }
            let cp = c + i * ldc + j
            cp.pointee = accumulate ? cp.pointee + s : s
            j += 1
        }
    }
}

/// The naive triple loop `gemm` is tested against.
public func gemmReference(
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
public func transpose(_ src: ConstFloatPointer, rows: Int, cols: Int, into dst: FloatPointer) {
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
public func gemv(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
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
        if accumulate { y[i] += r0; y[i + 1] += r1; y[i + 2] += r2; y[i + 3] += r3 } else { y[i] = r0; y[i + 1] = r1; y[i + 2] = r2; y[i + 3] = r3 }
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

public func gemvReference(n: Int, k: Int, w: ConstFloatPointer, x: ConstFloatPointer, y: FloatPointer, accumulate: Bool) {
    for i in 0..<n {
        var s: Float = 0
        for p in 0..<k { s += w[i * k + p] * x[p] }
        y[i] = accumulate ? y[i] + s : s
    }
}
