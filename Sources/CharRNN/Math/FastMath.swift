import Foundation

/// Vectorised exp, sigmoid and tanh for the fused gate nonlinearities.
///
/// `vexp` is the Cephes single-precision scheme: x = n·ln2 + r with |r| ≤ ln2/2, a degree-5
/// polynomial for e^r, and 2^n built in the exponent bits; relative error below 2e-7 on
/// [-87, 88] (inputs are clamped there, so e^x never overflows to infinity).
/// `vtanh` uses the odd Cephes polynomial for |x| < 0.625 (where 1 − 2/(e^{2x}+1) would cancel)
/// and 1 − 2/(e^{2|x|}+1) elsewhere; absolute error below 3e-7. Tails shorter than 16 use libm.
public typealias Vec = SIMD16<Float>

@inline(__always)
public func vexp(_ xIn: Vec) -> Vec {
    // pointwiseMin/Max inline to two instructions; SIMD.clamped is an out-of-line generic call.
    let x0 = pointwiseMax(pointwiseMin(xIn, Vec(repeating: 88.3)), Vec(repeating: -87.3))
    // n = round(x·log2 e) via the 1.5·2^23 trick: its low mantissa bits then hold n.
    let magic = Vec(repeating: 12_582_912.0)
    let t = x0 * Vec(repeating: 1.442_695_04) + magic
    let n = t - magic
    var x = x0 - n * Vec(repeating: 0.693_359_375)
    x = x - n * Vec(repeating: -2.121_944_4e-4)
    let z = x * x
    var y = Vec(repeating: 1.987_569_15e-4)
    y = y * x + Vec(repeating: 1.398_199_95e-3)
    y = y * x + Vec(repeating: 8.333_451_9e-3)
    y = y * x + Vec(repeating: 4.166_579_6e-2)
    y = y * x + Vec(repeating: 1.666_666_55e-1)
    y = y * x + Vec(repeating: 5.000_000_1e-1)
    y = y * z + x + Vec(repeating: 1)
    let tBits = unsafeBitCast(t, to: SIMD16<Int32>.self)
    let e = (tBits &- SIMD16<Int32>(repeating: 0x4B40_0000) &+ SIMD16<Int32>(repeating: 127)) &<< 23
    return y * unsafeBitCast(e, to: Vec.self)
}

@inline(__always)
public func vsigmoid(_ x: Vec) -> Vec { Vec(repeating: 1) / (Vec(repeating: 1) + vexp(-x)) }

@inline(__always)
public func vtanh(_ x: Vec) -> Vec {
    let ax = unsafeBitCast(unsafeBitCast(x, to: SIMD16<UInt32>.self) & SIMD16<UInt32>(repeating: 0x7FFF_FFFF), to: Vec.self)
    let e = vexp(ax + ax)
    var big = Vec(repeating: 1) - Vec(repeating: 2) / (e + Vec(repeating: 1))
    big.replace(with: Vec() - big, where: x .< Vec())
    let z = x * x
    var p = Vec(repeating: -5.704_988_727_45e-3)
    p = p * z + Vec(repeating: 2.063_908_879_54e-2)
    p = p * z + Vec(repeating: -5.373_971_555_31e-2)
    p = p * z + Vec(repeating: 1.333_144_220_36e-1)
    p = p * z + Vec(repeating: -3.333_328_194_22e-1)
    let small = p * z * x + x
    return small.replacing(with: big, where: ax .>= 0.625)
}

@inline(__always) public func scalarSigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
@inline(__always) public func scalarTanh(_ x: Float) -> Float { tanhf(x) }
