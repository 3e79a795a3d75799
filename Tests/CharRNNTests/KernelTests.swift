import CKernels
import XCTest

@testable import CharRNN

/// Each fast kernel against its naive reference on odd sizes (edges in every dimension), under every
/// kernel variant this CPU can run (`KernelVariant.supported`; the others are listed as skipped).
final class KernelTests: XCTestCase {
    /// Runs `body` under each variant the CPU can run, naming the variant in failures.
    func forEachVariant(_ body: (String) -> Void) {
        let skipped = KernelVariant.all.filter { !KernelVariant.isSupported($0) }
        if !skipped.isEmpty { print("kernel variants this CPU cannot run (not tested here): \(skipped)") }
        KernelVariant.withEachSupported { body($0) }
    }

    func randomArray(_ n: Int, _ rng: inout RandomGenerator) -> [Float] { (0..<n).map { _ in rng.nextFloat() * 2 - 1 } }

    func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(b.map { abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    func testGemmMatchesReferenceForAllThreeLayoutsOnOddSizes() { forEachVariant(checkGemm) }

    func checkGemm(_ variant: String) {
        var rng = RandomGenerator(seed: 7)
        let sizes = [(1, 1, 1), (5, 33, 7), (7, 31, 300), (13, 65, 17), (25, 512, 128), (6, 32, 257), (50, 100, 3)]
        for (m, n, k) in sizes {
            for transposedA in [false, true] {
                for accumulate in [false, true] {
                    let a = randomArray(m * k, &rng), b = randomArray(k * n, &rng), c0 = randomArray(m * n, &rng)
                    var fast = c0, slow = c0
                    // A row-major [M,K] (A·B) or stored [K,M] (Aᵀ·B).
                    let (rs, cs) = transposedA ? (1, m) : (k, 1)
                    gemm(
                        m: m, n: n, k: k, a: a, aRowStride: rs, aColStride: cs, b: b, ldb: n, c: &fast, ldc: n,
                        accumulate: accumulate)
                    gemmReference(
                        m: m, n: n, k: k, a: a, aRowStride: rs, aColStride: cs, b: b, ldb: n, c: &slow, ldc: n,
                        accumulate: accumulate)
                    XCTAssertLessThan(
                        maxRelativeDifference(fast, slow), 1e-5,
                        "\(variant) gemm \(m)×\(n)×\(k) transposedA=\(transposedA) accumulate=\(accumulate)")
                }
            }
        }
    }

    func testTransposeThenGemmGivesABTransposed() {
        var rng = RandomGenerator(seed: 8)
        let m = 9, n = 45, k = 37
        let a = randomArray(m * k, &rng), w = randomArray(n * k, &rng)  // W [N, K]
        var wT = [Float](repeating: 0, count: k * n)
        transpose(w, rows: n, cols: k, into: &wT)
        var fast = [Float](repeating: 0, count: m * n)
        gemm(m: m, n: n, k: k, a: a, aRowStride: k, aColStride: 1, b: wT, ldb: n, c: &fast, ldc: n, accumulate: false)
        var slow = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s: Float = 0; for p in 0..<k { s += a[i * k + p] * w[j * k + p] }; slow[i * n + j] = s
            }
        }
        XCTAssertLessThan(maxRelativeDifference(fast, slow), 1e-5)
    }

    func testGemvMatchesReference() { forEachVariant(checkGemv) }

    func checkGemv(_ variant: String) {
        var rng = RandomGenerator(seed: 9)
        for (n, k) in [(1, 1), (3, 17), (65, 256), (1024, 255), (7, 33)] {
            let w = randomArray(n * k, &rng), x = randomArray(k, &rng), y0 = randomArray(n, &rng)
            for accumulate in [false, true] {
                var fast = y0, slow = y0
                gemv(n: n, k: k, w: w, x: x, y: &fast, accumulate: accumulate)
                gemvReference(n: n, k: k, w: w, x: x, y: &slow, accumulate: accumulate)
                XCTAssertLessThan(maxRelativeDifference(fast, slow), 1e-5, "\(variant) gemv \(n)×\(k)")
            }
        }
    }

    func testBFloat16GemvMatchesTheReferenceOnRoundedWeights() { forEachVariant(checkBFloat16Gemv) }

    /// Rows stored back to back (an odd k puts every other row off a pair: the scalar loop) and as
    /// `BFloat16Matrix` stores them (padded to a pair: the vector loop, whose last pair an odd k
    /// ends with the padding), from row 0 and from a later row.
    func checkBFloat16Gemv(_ variant: String) {
        var rng = RandomGenerator(seed: 10)
        let sizes = [(1, 1), (3, 17), (65, 256), (1024, 255), (7, 33), (5, 15), (9, 64), (6, 96), (4, 31), (5, 63)]
        for (n, k) in sizes {
            let w = randomArray(n * k, &rng), x = randomArray(k, &rng), y0 = randomArray(n, &rng)
            let bits = w.map(BFloat16.bits), rounded = bits.map(BFloat16.float)
            let matrix = w.withUnsafeBufferPointer { BFloat16Matrix($0.baseAddress!, rows: n, columns: k) }
            var scratch = [Float](repeating: 0, count: k + 1)
            for accumulate in [false, true] {
                let first = n / 3
                var packed = y0, padded = y0, slow = y0
                bits.withUnsafeBufferPointer { b in
                    gemv(
                        n: n, k: k, w: b.baseAddress!, rowStride: k, x: x, y: &packed, accumulate: accumulate,
                        scratch: &scratch)
                }
                padded.withUnsafeMutableBufferPointer { y in
                    matrix.multiply(
                        rows: first, count: n - first, x: x, y: y.baseAddress! + first, accumulate: accumulate,
                        scratch: &scratch)
                }
                gemvReference(n: n, k: k, w: rounded, x: x, y: &slow, accumulate: accumulate)
                XCTAssertLessThan(maxRelativeDifference(packed, slow), 1e-5, "\(variant) bf16 gemv \(n)×\(k)")
                XCTAssertLessThan(
                    maxRelativeDifference(Array(padded[first...]), Array(slow[first...])), 1e-5,
                    "\(variant) padded bf16 gemv \(n)×\(k) from row \(first)")
                XCTAssertEqual(Array(padded[..<first]), Array(y0[..<first]), "rows before \(first) untouched")
            }
        }
    }

    func testVectorisedNonlinearitiesMatchLibm() { forEachVariant(checkNonlinearities) }

    func checkNonlinearities(_ variant: String) {
        // Runs of 16 (and a tail of 5, which takes libm's path) over [-30, 30).
        var xs: [Float] = []
        var x: Float = -30
        while x < 30 { xs.append(x); x += 0.00071 }
        xs += [0.5, -0.25, 3, -7, 11]
        var e = xs, s = xs, t = xs
        ck_exp(xs, &e, xs.count); ck_sigmoid(xs, &s, xs.count); ck_tanh(xs, &t, xs.count)
        var worstExp: Float = 0, worstSigmoid: Float = 0, worstTanh: Float = 0
        for (i, xi) in xs.enumerated() {
            worstExp = max(worstExp, abs(e[i] - expf(xi)) / expf(xi))
            worstSigmoid = max(worstSigmoid, abs(s[i] - 1 / (1 + expf(-xi))))
            worstTanh = max(worstTanh, abs(t[i] - tanhf(xi)))
        }
        XCTAssertLessThan(worstExp, 4e-7, variant)
        XCTAssertLessThan(worstSigmoid, 3e-7, variant)
        XCTAssertLessThan(worstTanh, 4e-7, variant)
        // Saturation and extreme inputs stay finite and exact at the limits.
        let big = [Float](repeating: 1000, count: 16), small = [Float](repeating: -1000, count: 16)
        var out = big
        ck_sigmoid(big, &out, 16); XCTAssertEqual(out[0], 1, variant)
        ck_sigmoid(small, &out, 16); XCTAssertEqual(out[0], 0, accuracy: 1e-30, variant)
        ck_tanh(big, &out, 16); XCTAssertEqual(out[0], 1, variant)
        ck_tanh(small, &out, 16); XCTAssertEqual(out[0], -1, variant)
        ck_exp(big, &out, 16); XCTAssertTrue(out[0].isFinite, variant)
    }

    func testSoftmaxSumsToOneAndReturnsLogPartition() {
        forEachVariant { variant in
            for n in [1, 5, 16, 37, 65] {
                var row: [Float] = (0..<n).map { Float($0) * 0.37 - 4 }
                let expected = log(row.map { exp(Double($0)) }.reduce(0, +))
                let logZ = softmaxInPlace(&row, count: row.count)
                XCTAssertEqual(Double(logZ), expected, accuracy: 1e-5, "\(variant) n=\(n)")
                XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5, "\(variant) n=\(n)")
            }
        }
    }

    /// The fused cells against their equations in double precision, on widths with and without tails.
    func testCellsMatchTheirEquationsInDoublePrecision() {
        forEachVariant { variant in
            var rng = RandomGenerator(seed: 11)
            for H in [3, 16, 21, 64] {
                checkLSTMCell(H: H, rng: &rng, variant)
                checkGRUCell(H: H, rng: &rng, variant)
            }
        }
    }

    func checkLSTMCell(H: Int, rng: inout RandomGenerator, _ variant: String) {
        let pre = randomArray(4 * H, &rng).map { $0 * 3 }, cPrev = randomArray(H, &rng)
        var gates = pre, c = [Float](repeating: 0, count: H), tc = c, h = c
        ck_lstm_cell_forward(&gates, cPrev, &c, &tc, &h, H, H)
        let dhAbove = randomArray(H, &rng), dhNext = randomArray(H, &rng), dc0 = randomArray(H, &rng)
        var dg = [Float](repeating: 0, count: 4 * H), dc = dc0
        ck_lstm_cell_backward(gates, &dg, cPrev, tc, dhAbove, dhNext, &dc, H)
        func sig(_ x: Float) -> Double { 1 / (1 + exp(-Double(x))) }
        var worst = 0.0
        for j in 0..<H {
            let i = sig(pre[j]), f = sig(pre[H + j]), g = tanh(Double(pre[2 * H + j])), o = sig(pre[3 * H + j])
            let cn = f * Double(cPrev[j]) + i * g, hn = o * tanh(cn)
            let dhv = Double(dhAbove[j] + dhNext[j])
            let dcv = Double(dc0[j]) + dhv * o * (1 - tanh(cn) * tanh(cn))
            let expected = [
                (c[j], cn), (h[j], hn), (gates[j], i), (gates[3 * H + j], o),
                (dg[j], dcv * g * i * (1 - i)), (dg[H + j], dcv * Double(cPrev[j]) * f * (1 - f)),
                (dg[2 * H + j], dcv * i * (1 - g * g)), (dg[3 * H + j], dhv * tanh(cn) * o * (1 - o)),
                (dc[j], dcv * f),
            ]
            for (a, b) in expected { worst = max(worst, abs(Double(a) - b)) }
        }
        XCTAssertLessThan(worst, 2e-6, "\(variant) LSTM cell H=\(H)")
    }

    func checkGRUCell(H: Int, rng: inout RandomGenerator, _ variant: String) {
        let pre = randomArray(3 * H, &rng).map { $0 * 3 }, hp = randomArray(3 * H, &rng)
        let bhn = randomArray(H, &rng), hPrev = randomArray(H, &rng)
        var gates = pre, hn = [Float](repeating: 0, count: H), h = hn
        ck_gru_cell_forward(&gates, hp, bhn, hPrev, &hn, &h, H, H)
        let dhAbove = randomArray(H, &rng), dhNext = randomArray(H, &rng)
        var dgh = [Float](repeating: 0, count: 3 * H), dgx = dgh, dh = dhNext
        ck_gru_cell_backward(gates, &dgh, &dgx, hPrev, hn, dhAbove, &dh, H)
        func sig(_ x: Double) -> Double { 1 / (1 + exp(-x)) }
        var worst = 0.0
        for j in 0..<H {
            let r = sig(Double(pre[j] + hp[j])), z = sig(Double(pre[H + j] + hp[H + j]))
            let hnv = Double(hp[2 * H + j] + bhn[j]), n = tanh(Double(pre[2 * H + j]) + r * hnv)
            let hOut = (1 - z) * n + z * Double(hPrev[j])
            let dhv = Double(dhAbove[j] + dhNext[j])
            let dan = dhv * (1 - z) * (1 - n * n)
            let expected = [
                (h[j], hOut), (hn[j], hnv), (gates[j], r), (gates[H + j], z), (gates[2 * H + j], n),
                (dgx[j], dan * hnv * r * (1 - r)), (dgx[H + j], dhv * (Double(hPrev[j]) - n) * z * (1 - z)),
                (dgx[2 * H + j], dan), (dgh[2 * H + j], dan * r), (dgh[j], dan * hnv * r * (1 - r)), (dh[j], dhv * z),
            ]
            for (a, b) in expected { worst = max(worst, abs(Double(a) - b)) }
        }
        XCTAssertLessThan(worst, 2e-6, "\(variant) GRU cell H=\(H)")
    }

    func testAdamAndSumsMatchTheirScalarForms() {
        forEachVariant { variant in
            var rng = RandomGenerator(seed: 12)
            let n = 1000 + 7
            let p0 = randomArray(n, &rng), g = randomArray(n, &rng), m0 = randomArray(n, &rng)
            let v0 = randomArray(n, &rng).map { abs($0) }, mask = (0..<n).map { Float($0 % 3 == 0 ? 1 : 0) }
            var p = p0, m = m0, v = v0
            ck_adam(&p, g, &m, &v, mask, n, 0.9, 0.999, 0.01, 0.5, 1e-8, 0.001)
            var worst: Float = 0
            for i in 0..<n {
                let mi = 0.9 * m0[i] + 0.1 * g[i], vi = 0.999 * v0[i] + 0.001 * g[i] * g[i]
                let pi = p0[i] - 0.001 * mask[i] * p0[i]
                worst = max(worst, abs(p[i] - (pi - 0.01 * mi / (vi.squareRoot() / 0.5 + 1e-8))))
            }
            XCTAssertLessThan(worst, 1e-6, "\(variant) Adam")
            let squares = g.map { Double($0) * Double($0) }.reduce(0, +)
            XCTAssertEqual(ck_sum_squares(g, n), squares, accuracy: 1e-5 * squares, variant)
            var sums = [Float](repeating: 1, count: 37)
            let rows = randomArray(5 * 37, &rng)
            ck_column_sums(rows, 5, 37, &sums)
            for j in 0..<37 {
                XCTAssertEqual(sums[j], 1 + (0..<5).map { rows[$0 * 37 + j] }.reduce(0, +), accuracy: 1e-5, variant)
            }
        }
    }

    func testTheVariantInUseIsTheBestThisCPUCanRunUnlessForced() {
        XCTAssertTrue(KernelVariant.all.contains(KernelVariant.current))
        if ProcessInfo.processInfo.environment["CHARRNN_KERNELS"] == nil {
            XCTAssertEqual(KernelVariant.current, KernelVariant.supported.first)
        }
        XCTAssertTrue(KernelVariant.isSupported("baseline"))
        XCTAssertFalse(KernelVariant.isSupported("avx1024"))
        print(
            "kernel variants run for real on this CPU: \(KernelVariant.supported.joined(separator: ", "))"
                + " (features: \(KernelVariant.cpuFeatures))")
    }
}
