import XCTest
@testable import CharRNN

/// Each fast kernel against its naive reference on odd sizes (edges in every dimension).
final class KernelTests: XCTestCase {
    func randomArray(_ n: Int, _ rng: inout RandomGenerator) -> [Float] { (0..<n).map { _ in rng.nextFloat() * 2 - 1 } }

    func maxRelativeDifference(_ a: [Float], _ b: [Float]) -> Float {
        let scale = max(b.map { abs($0) }.max() ?? 0, 1e-6)
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }

    func testGemmMatchesReferenceForAllThreeLayoutsOnOddSizes() {
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
                        "gemm \(m)×\(n)×\(k) transposedA=\(transposedA) accumulate=\(accumulate)")
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

    func testGemvMatchesReference() {
        var rng = RandomGenerator(seed: 9)
        for (n, k) in [(1, 1), (3, 17), (65, 256), (1024, 255), (7, 33)] {
            let w = randomArray(n * k, &rng), x = randomArray(k, &rng), y0 = randomArray(n, &rng)
            for accumulate in [false, true] {
                var fast = y0, slow = y0
                gemv(n: n, k: k, w: w, x: x, y: &fast, accumulate: accumulate)
                gemvReference(n: n, k: k, w: w, x: x, y: &slow, accumulate: accumulate)
                XCTAssertLessThan(maxRelativeDifference(fast, slow), 1e-5, "gemv \(n)×\(k)")
            }
        }
    }

    func testBFloat16GemvMatchesTheReferenceOnRoundedWeights() {
        var rng = RandomGenerator(seed: 10)
        for (n, k) in [(1, 1), (3, 17), (65, 256), (1024, 255), (7, 33), (5, 15), (9, 64), (6, 96)] {
            let w = randomArray(n * k, &rng), x = randomArray(k, &rng), y0 = randomArray(n, &rng)
            let bits = w.map(BFloat16.bits), rounded = bits.map(BFloat16.float)
            var scratch = [Float](repeating: 0, count: k)
            for accumulate in [false, true] {
                var fast = y0, slow = y0
                bits.withUnsafeBufferPointer { b in
                    gemv(n: n, k: k, w: b.baseAddress!, x: x, y: &fast, accumulate: accumulate, scratch: &scratch)
                }
                gemvReference(n: n, k: k, w: rounded, x: x, y: &slow, accumulate: accumulate)
                XCTAssertLessThan(maxRelativeDifference(fast, slow), 1e-5, "bf16 gemv \(n)×\(k)")
            }
        }
    }

    func testVectorisedNonlinearitiesMatchLibm() {
        var worstExp: Float = 0, worstSigmoid: Float = 0, worstTanh: Float = 0
        var x: Float = -30
        while x < 30 {
            var v = Vec()
            for i in 0..<16 { v[i] = x + Float(i) * 0.0003 }
            let e = vexp(v), s = vsigmoid(v), t = vtanh(v)
            for i in 0..<16 {
                let xi = v[i]
                worstExp = max(worstExp, abs(e[i] - expf(xi)) / expf(xi))
                worstSigmoid = max(worstSigmoid, abs(s[i] - 1 / (1 + expf(-xi))))
                worstTanh = max(worstTanh, abs(t[i] - tanhf(xi)))
            }
            x += 0.0071
        }
        XCTAssertLessThan(worstExp, 4e-7)
        XCTAssertLessThan(worstSigmoid, 3e-7)
        XCTAssertLessThan(worstTanh, 4e-7)
        // Saturation and extreme inputs stay finite and exact at the limits.
        let big = Vec(repeating: 1000), small = Vec(repeating: -1000)
        XCTAssertEqual(vsigmoid(big)[0], 1); XCTAssertEqual(vsigmoid(small)[0], 0, accuracy: 1e-30)
        XCTAssertEqual(vtanh(big)[0], 1); XCTAssertEqual(vtanh(small)[0], -1)
        XCTAssertTrue(vexp(big)[0].isFinite)
    }

    func testSoftmaxSumsToOneAndReturnsLogPartition() {
        var row: [Float] = (0..<37).map { Float($0) * 0.37 - 4 }
        let expected = log(row.map { exp(Double($0)) }.reduce(0, +))
        let logZ = softmaxInPlace(&row, count: row.count)
        XCTAssertEqual(Double(logZ), expected, accuracy: 1e-5)
        XCTAssertEqual(row.reduce(0, +), 1, accuracy: 1e-5)
    }
}
