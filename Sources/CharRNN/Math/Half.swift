/// IEEE 754 binary16 ("half", safetensors' F16) to and from Float, written out because `Float16`
/// does not exist on x86-64 macOS. Rounding is to nearest, ties to even, as `Float16(x)` does;
/// overflow gives infinity, NaN stays NaN. Tested against `Float16` where that exists.
enum Half {
    /// The binary16 bit pattern nearest to `x`.
    static func bits(_ x: Float) -> UInt16 {
        let f = x.bitPattern
        let sign = UInt16(truncatingIfNeeded: (f >> 16) & 0x8000)
        let exponent = Int((f >> 23) & 0xFF), mantissa = f & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa != 0 ? 0x200 | UInt16(mantissa >> 13) : 0) }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // A subnormal half (or zero): units of 2^-24; the float's 24-bit significand shifts right.
            let shift = UInt32(14 - e)
            if shift > 24 { return sign }
            let significand = mantissa | 0x80_0000
            var h = significand >> shift
            let rest = significand & ((1 << shift) - 1), half = UInt32(1) << (shift - 1)
            if rest > half || (rest == half && h & 1 == 1) { h += 1 }
            return sign | UInt16(h)
        }
        var h = UInt32(e) << 10 | mantissa >> 13
        let rest = mantissa & 0x1FFF
        if rest > 0x1000 || (rest == 0x1000 && h & 1 == 1) { h += 1 }  // a carry moves into the exponent, as it should
        return sign | UInt16(h)
    }

    /// The Float equal to the binary16 value with bit pattern `h` (always exact).
    static func float(_ h: UInt16) -> Float {
        let negative = h & 0x8000 != 0
        let exponent = Int((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            return Float(sign: negative ? .minus : .plus, exponent: -24, significand: Float(mantissa))
        }
        let sign: UInt32 = negative ? 0x8000_0000 : 0
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | mantissa << 13) }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | mantissa << 13)
    }
}
