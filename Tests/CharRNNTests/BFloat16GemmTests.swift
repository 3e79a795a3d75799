import CKernels
import XCTest

@testable import CharRNN

/// The bf16 product (Sources/CKernels/BFloat16Gemm.c): the portable model of vdpbf16ps against the
/// instruction bit for bit where the CPU has AVX512_BF16, and each path's blocked product (its
/// packing, blocking and edges) against the naive fp32 product of bf16-rounded inputs, through the
/// models on every CPU and through the instructions where they exist. The AMX tile model has its
/// own tests (AMXTileTests).
final class BFloat16GemmTests: XCTestCase {
    override func tearDown() { ck_bf16_use(nil) }

    func rounded(_ x: Float) -> Float { BFloat16.float(ck_bf16_round(x)) }

    func testRoundingIsToNearestEven() {
        XCTAssertEqual(ck_bf16_round(1.0), 0x3F80)
        XCTAssertEqual(ck_bf16_round(Float(bitPattern: 0x3F80_8000)), 0x3F80)  // tie, even stays
        XCTAssertEqual(ck_bf16_round(Float(bitPattern: 0x3F81_8000)), 0x3F82)  // tie, odd rounds up
        XCTAssertEqual(ck_bf16_round(Float(bitPattern: 0x3F80_8001)), 0x3F81)
        XCTAssertEqual(ck_bf16_round(.infinity), 0x7F80)
        XCTAssertEqual(ck_bf16_round(.nan), 0x7FC0)
        for x: Float in [0.3, -1.7e-3, 65504, 3e38] { XCTAssertEqual(ck_bf16_round(x), BFloat16.bits(x)) }
    }

    func testTheModelSumsTheOddPairFirstAndFlushesDenormals() {
        func pair(_ hi: Float, _ lo: Float) -> UInt32 { UInt32(ck_bf16_round(hi)) << 16 | UInt32(ck_bf16_round(lo)) }
        XCTAssertEqual(ck_dpbf16_model(1, pair(2, 3), pair(5, 7)), 1 + 10 + 21)
        // Order: the odd product first; (1e8 + 1) then rounds to 1e8 in fp32.
        XCTAssertEqual(ck_dpbf16_model(0, pair(1, 1), pair(rounded(1e8), 1)), rounded(1e8) + 1)
        // Each product is exact inside a fused multiply-add: ∞ + (a product beyond fp32's range) is ∞.
        XCTAssertEqual(ck_dpbf16_model(0, pair(1, -3e38), pair(.infinity, 3e38)), .infinity)
        let denormal = UInt32(0x0001)  // a bf16 denormal reads as zero
        XCTAssertEqual(ck_dpbf16_model(0, pair(0, 0) | denormal, pair(0, 1e30)), 0)
        XCTAssertEqual(ck_dpbf16_model(0, pair(1e-30, 0), pair(1e-10, 0)), 0)  // a denormal result flushes
    }

    /// Both packings of B (rows of B, and the rows of W for B = Wᵀ) write the documented layout
    /// bit for bit: panels of 32 columns, each k-pair p a row of 32 dwords (B[2p][j], B[2p+1][j]),
    /// rounded by ck_bf16_round, zeros past K and N; on sizes with every edge, and with denormal,
    /// infinite and NaN values.
    func testPackingWritesTheDocumentedLayout() {
        var rng = RandomGenerator(seed: 23)
        func value() -> Float {
            switch rng.nextInt(below: 8) {
            case 0: return Float(bitPattern: UInt32(rng.nextInt(below: 0x7F_FFFF)))
            case 1: return [Float.infinity, -.infinity, .nan, -0.0][rng.nextInt(below: 4)]
            default: return (rng.nextFloat() - 0.5) * 100
            }
        }
        for (k, n) in [(1, 1), (2, 32), (3, 33), (17, 64), (64, 70), (33, 31), (100, 96), (513, 32)] {
            let ld = n + 3, ldw = k + 5
            let b = (0..<k * ld).map { _ in value() }  // B [K, N], leading dimension ld
            var w = [Float](repeating: 0, count: n * ldw)  // W [N, K] = Bᵀ, leading dimension ldw
            for kk in 0..<k { for j in 0..<n { w[j * ldw + kk] = b[kk * ld + j] } }
            let count = ck_bf16_panels_count(k, n), panels = (n + 31) / 32, pairs = count / (panels * 64)
            var expected = [UInt16](repeating: 0, count: count)
            for q in 0..<panels {
                for p in 0..<pairs {
                    for j in 0..<32 {
                        for h in 0..<2 where 2 * p + h < k && q * 32 + j < n {
                            let value = b[(2 * p + h) * ld + q * 32 + j]
                            expected[((q * pairs + p) * 32 + j) * 2 + h] = ck_bf16_round(value)
                        }
                    }
                }
            }
            var fromRows = [UInt16](repeating: 0xABCD, count: count), fromW = fromRows
            ck_bf16_pack_rows(b, ld, k, n, &fromRows)
            ck_bf16_pack_transposed(w, ldw, k, n, &fromW)
            XCTAssertEqual(fromRows, expected, "rows of B, \(k)×\(n)")
            XCTAssertEqual(fromW, expected, "rows of W = Bᵀ, \(k)×\(n)")
        }
    }

    /// Random lanes (ordinary, tiny, huge, denormal, infinite and NaN values) through the real
    /// instruction and the model: the same bits.
    func testTheModelMatchesTheInstructionBitForBit() throws {
        guard ck_cpu_has("avx512_bf16") != 0 else {
            throw XCTSkip("this CPU has no AVX512_BF16: the model is tested against its definition only")
        }
        var rng = RandomGenerator(seed: 21)
        func value() -> Float {
            switch rng.nextInt(below: 10) {
            case 0:
                return Float(
                    bitPattern: UInt32(rng.nextInt(below: 0x7F_FFFF)) | (rng.nextInt(below: 2) == 0 ? 0 : 0x8000_0000))
            case 1: return (rng.nextFloat() - 0.5) * 1e-37
            case 2: return (rng.nextFloat() - 0.5) * 3e38
            case 3: return rng.nextInt(below: 2) == 0 ? .infinity : .nan
            default: return (rng.nextFloat() - 0.5) * 8
            }
        }
        let n = 32 * 2000
        var a = [UInt32](repeating: 0, count: n), b = a
        var acc = [Float](repeating: 0, count: n)
        for i in 0..<n {
            a[i] = UInt32(ck_bf16_round(value())) << 16 | UInt32(ck_bf16_round(value()))
            b[i] = UInt32(ck_bf16_round(value())) << 16 | UInt32(ck_bf16_round(value()))
            acc[i] = value()
        }
        // One k-pair of a 1×n product through the tile: C = acc + A·B with A one pair and B n columns.
        var mismatches = 0
        for i in stride(from: 0, to: n, by: 32) {
            let hardware = runOnePair(a: a[i], b: Array(b[i..<i + 32]), acc: Array(acc[i..<i + 32]), model: false)
            let model = runOnePair(a: a[i], b: Array(b[i..<i + 32]), acc: Array(acc[i..<i + 32]), model: true)
            for j in 0..<32 where hardware[j].bitPattern != model[j].bitPattern {
                let bothNaN = hardware[j].isNaN && model[j].isNaN
                if !bothNaN { mismatches += 1 }
                if !bothNaN && mismatches <= 5 {
                    print(
                        "lane: acc \(acc[i + j]) a \(String(a[i], radix: 16)) b \(String(b[i + j], radix: 16)):"
                            + " instruction \(hardware[j]) model \(model[j])")
                }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }

    /// C[1, 32] = acc + (a pair)·(32 pairs of B) through ck_gemm_bf16 with K = 2.
    func runOnePair(a: UInt32, b: [UInt32], acc: [Float], model: Bool) -> [Float] {
        XCTAssertEqual(ck_bf16_use(model ? "avx512_bf16-model" : "avx512_bf16"), 1)
        let aValues: [Float] = [BFloat16.float(UInt16(a & 0xFFFF)), BFloat16.float(UInt16(a >> 16))]
        var bRows = [Float](repeating: 0, count: 64)  // B [2, 32]
        for j in 0..<32 {
            bRows[j] = BFloat16.float(UInt16(b[j] & 0xFFFF)); bRows[32 + j] = BFloat16.float(UInt16(b[j] >> 16))
        }
        var panels = [UInt16](repeating: 0, count: ck_bf16_panels_count(2, 32))
        ck_bf16_pack_rows(bRows, 32, 2, 32, &panels)
        var scratch = [UInt16](repeating: 0, count: ck_bf16_scratch_count())
        var c = acc
        ck_gemm_bf16(1, 32, 2, aValues, 2, 1, panels, &c, 32, 1, &scratch)
        return c
    }

    /// The start-up check the AMX path must pass before it is used, on every path that runs here
    /// (a model passes it too: the check's own reference is right).
    func testEveryPathPassesTheStartUpCheck() {
        let candidates: [String] = ["amx", "avx512_bf16", "amx-model", "avx512_bf16-model"]
        let runs = candidates.filter { ck_bf16_use($0) == 1 }
        ck_bf16_use(nil)
        for path in runs { XCTAssertEqual(ck_bf16_check_path(path), 1, path) }
        XCTAssertEqual(ck_bf16_check_path("no-such-path"), 0)
        let status = String(cString: ck_bf16_amx_status())
        XCTAssertEqual(ck_bf16_use("amx") == 1, status == "in use", status)
    }

    func testTheProductMatchesTheReferenceOnRoundedInputsOnOddSizes() {
        let candidates: [String] = ["amx-model", "avx512_bf16-model", "amx", "avx512_bf16"]
        let paths = candidates.filter { ck_bf16_use($0) == 1 }
        var rng = RandomGenerator(seed: 22)
        for path in paths {
            XCTAssertEqual(ck_bf16_use(path), 1)
            let shapes = [
                (1, 1, 1), (5, 33, 7), (9, 31, 513), (13, 65, 17), (17, 32, 32), (32, 64, 64), (25, 512, 128),
                (200, 40, 1030),
            ]
            for (m, n, k) in shapes {
                for transposedA in [false, true] {
                    for accumulate in [false, true] {
                        let a = (0..<m * k).map { _ in rng.nextFloat() * 2 - 1 }
                        let w = (0..<n * k).map { _ in rng.nextFloat() * 2 - 1 }  // W [N, K]; B = Wᵀ
                        let c0 = (0..<m * n).map { _ in rng.nextFloat() }
                        var panels = [UInt16](repeating: 0, count: ck_bf16_panels_count(k, n))
                        ck_bf16_pack_transposed(w, k, k, n, &panels)
                        var scratch = [UInt16](repeating: 0, count: ck_bf16_scratch_count())
                        let (rs, cs) = transposedA ? (1, m) : (k, 1)
                        var c = c0
                        ck_gemm_bf16(m, n, k, a, rs, cs, panels, &c, n, accumulate ? 1 : 0, &scratch)
                        var worst = 0.0, scale = 1e-6
                        for i in 0..<m {
                            for j in 0..<n {
                                var s = 0.0
                                for p in 0..<k {
                                    s += Double(rounded(a[i * rs + p * cs])) * Double(rounded(w[j * k + p]))
                                }
                                let expected = (accumulate ? Double(c0[i * n + j]) : 0) + s
                                worst = max(worst, abs(Double(c[i * n + j]) - expected))
                                scale = max(scale, abs(expected))
                            }
                        }
                        XCTAssertLessThan(
                            worst / scale, 1e-5,
                            "\(path) \(m)×\(n)×\(k) transposedA=\(transposedA) accumulate=\(accumulate)")
                    }
                }
            }
        }
        print(
            "bf16 product tested through: \(paths.joined(separator: ", ")) "
                + "(AMX: \(String(cString: ck_bf16_amx_status())))")
    }
}
