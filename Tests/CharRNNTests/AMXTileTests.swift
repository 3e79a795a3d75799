import CKernels
import XCTest

@testable import CharRNN

/// The C model of the AMX tile instructions (Sources/CKernels/BFloat16Model.c) against their
/// documented semantics, and against the real instructions bit for bit where the CPU has AMX-BF16.
/// The AMX product's blocking on these models is tested with the other paths in BFloat16GemmTests.
final class AMXTileTests: XCTestCase {
    func tile(rows: Int, colsb: Int) -> ck_tile {
        var t = ck_tile()
        ck_tile_configure_model(&t, Int32(rows), Int32(colsb))
        return t
    }

    func setBF16(_ t: inout ck_tile, _ row: Int, _ index: Int, _ value: Float) {
        withUnsafeMutableBytes(of: &t.bytes) {
            $0.storeBytes(of: ck_bf16_round(value), toByteOffset: row * 64 + 2 * index, as: UInt16.self)
        }
    }

    func setBits(_ t: inout ck_tile, _ row: Int, _ index: Int, _ bits: UInt16) {
        withUnsafeMutableBytes(of: &t.bytes) {
            $0.storeBytes(of: bits, toByteOffset: row * 64 + 2 * index, as: UInt16.self)
        }
    }

    func setFloat(_ t: inout ck_tile, _ row: Int, _ column: Int, _ value: Float) {
        withUnsafeMutableBytes(of: &t.bytes) {
            $0.storeBytes(of: value, toByteOffset: row * 64 + 4 * column, as: Float.self)
        }
    }

    func float(_ t: ck_tile, _ row: Int, _ column: Int) -> Float {
        withUnsafeBytes(of: t.bytes) { $0.load(fromByteOffset: row * 64 + 4 * column, as: Float.self) }
    }

    func testLoadsAndStoresMoveOnlyTheConfiguredRowsAndBytes() {
        let source = (0..<400).map { UInt8($0 % 251) }
        var t = tile(rows: 3, colsb: 20)
        source.withUnsafeBytes { ck_tile_load_model(&t, $0.baseAddress!, 100) }
        withUnsafeBytes(of: t.bytes) { bytes in
            for r in 0..<16 {
                for b in 0..<64 {
                    let expected = r < 3 && b < 20 ? source[r * 100 + b] : 0
                    XCTAssertEqual(bytes[r * 64 + b], expected, "row \(r) byte \(b)")
                }
            }
        }
        var destination = [UInt8](repeating: 0xEE, count: 400)
        destination.withUnsafeMutableBytes { ck_tile_store_model(&t, $0.baseAddress!, 100) }
        for i in 0..<400 {
            let (r, b) = (i / 100, i % 100)
            XCTAssertEqual(destination[i], r < 3 && b < 20 ? source[i] : 0xEE, "byte \(i)")
        }
        ck_tile_zero_model(&t)
        withUnsafeBytes(of: t.bytes) { XCTAssertTrue($0.allSatisfy { $0 == 0 }) }
    }

    /// c [2, 3] += a [2, 6] · b [3 pairs, 3]: the shapes come from c's rows, c's and a's colsb.
    func testTheProductTakesItsShapesFromTheTiles() {
        var c = tile(rows: 2, colsb: 12), a = tile(rows: 2, colsb: 12), b = tile(rows: 3, colsb: 12)
        for i in 0..<2 { for k in 0..<6 { setBF16(&a, i, k, Float(i + 2 * k - 3)) } }
        for k in 0..<6 { for j in 0..<3 { setBF16(&b, k / 2, 2 * j + k % 2, Float(j - k + 1)) } }
        for i in 0..<2 { for j in 0..<3 { setFloat(&c, i, j, Float(10 * i + j)) } }
        ck_tdpbf16ps_model(&c, &a, &b)
        for i in 0..<2 {
            for j in 0..<3 {
                var sum = Float(10 * i + j)
                for k in 0..<6 { sum += Float(i + 2 * k - 3) * Float(j - k + 1) }
                XCTAssertEqual(float(c, i, j), sum, "c[\(i)][\(j)]")
            }
        }
        XCTAssertEqual(float(c, 0, 3), 0)  // past colsb
        XCTAssertEqual(float(c, 2, 0), 0)  // past rows
    }

    func testTheEvenProductComesFirstAndDenormalsAreZero() {
        let big = BFloat16.float(ck_bf16_round(1e8))
        var c = tile(rows: 1, colsb: 4), a = tile(rows: 1, colsb: 4), b = tile(rows: 1, colsb: 4)
        setFloat(&c, 0, 0, -big)
        setBF16(&a, 0, 0, big); setBF16(&a, 0, 1, 1)  // even: big·1, odd: 1·1
        setBF16(&b, 0, 0, 1); setBF16(&b, 0, 1, 1)
        ck_tdpbf16ps_model(&c, &a, &b)
        XCTAssertEqual(float(c, 0, 0), 1)  // (−big + big) + 1; the odd product first would give 0
        c = tile(rows: 1, colsb: 4)
        setBits(&a, 0, 0, 0x0001); setBF16(&a, 0, 1, 0)  // a denormal input reads as zero
        setBF16(&b, 0, 0, 1e30)
        ck_tdpbf16ps_model(&c, &a, &b)
        XCTAssertEqual(float(c, 0, 0), 0)
        setBF16(&a, 0, 0, 1e-30); setBF16(&b, 0, 0, 1e-10)  // a denormal result flushes
        ck_tdpbf16ps_model(&c, &a, &b)
        XCTAssertEqual(float(c, 0, 0).bitPattern, 0)
    }

    /// Random full tiles (ordinary, tiny, huge, denormal, infinite and NaN values) through the real
    /// instruction and the model: the same bits.
    func testTheModelMatchesTheInstructionBitForBit() throws {
        var probe = (tile(rows: 1, colsb: 4), tile(rows: 1, colsb: 4), tile(rows: 1, colsb: 4))
        guard ck_tdpbf16ps_hardware(&probe.0, &probe.1, &probe.2) == 1 else {
            throw XCTSkip(
                "AMX: \(String(cString: ck_bf16_amx_status())): the tile model is tested against its definition only")
        }
        var rng = RandomGenerator(seed: 23)
        func value() -> Float {
            switch rng.nextInt(below: 10) {
            case 0: return Float(bitPattern: UInt32(rng.nextInt(below: 0x7F_FFFF)))
            case 1: return (rng.nextFloat() - 0.5) * 1e-37
            case 2: return (rng.nextFloat() - 0.5) * 3e38
            case 3: return rng.nextInt(below: 2) == 0 ? .infinity : .nan
            default: return (rng.nextFloat() - 0.5) * 8
            }
        }
        var mismatches = 0
        for trial in 0..<200 {
            let rows = trial % 2 == 0 ? 16 : 1 + rng.nextInt(below: 16)
            let pairs = trial % 2 == 0 ? 16 : 1 + rng.nextInt(below: 16)
            let columns = trial % 2 == 0 ? 16 : 1 + rng.nextInt(below: 16)
            var c = tile(rows: rows, colsb: 4 * columns), a = tile(rows: rows, colsb: 4 * pairs)
            var b = tile(rows: pairs, colsb: 4 * columns)
            for r in 0..<16 {
                for i in 0..<32 { setBF16(&a, r, i, value()); setBF16(&b, r, i, value()) }
                for j in 0..<16 { setFloat(&c, r, j, value()) }
            }
            var hardware = c  // values past the tiles' shapes are never read
            XCTAssertEqual(ck_tdpbf16ps_hardware(&hardware, &a, &b), 1)
            ck_tdpbf16ps_model(&c, &a, &b)
            for r in 0..<rows {
                for j in 0..<columns where float(c, r, j).bitPattern != float(hardware, r, j).bitPattern {
                    let bothNaN = float(c, r, j).isNaN && float(hardware, r, j).isNaN
                    if !bothNaN { mismatches += 1 }
                    if !bothNaN && mismatches <= 5 {
                        print(
                            "tile \(trial) [\(r)][\(j)]: instruction \(float(hardware, r, j)) model \(float(c, r, j))")
                    }
                }
            }
        }
        XCTAssertEqual(mismatches, 0)
    }
}
