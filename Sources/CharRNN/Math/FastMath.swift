import Foundation

/// Vectorised exp, sigmoid and tanh for the fused gate nonlinearities.
///
/// `vexp` is the Cephes single-precision scheme: x = n·ln2 + r with |r| ≤ ln2/2, a degree-5
/// polynomial for e^r, and 2^n built in the exponent bits; relative error below 2e-7 on
/// [-87, 88] (inputs are clamped there, so e^x never overflows to infinity).
/// `vtanh` is 2σ(2x) − 1. Tails shorter than 16 use libm.
typealias Vec = SIMD16<Float>

@inline(__always)
func vexp(_ xIn: Vec) -> Vec {
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
func vsigmoid(_ x: Vec) -> Vec { Vec(repeating: 1) / (Vec(repeating: 1) + vexp(-x)) }

/// tanh x = 2σ(2x) − 1: one exp and one division, no branches or selects. Absolute error below
/// 2.5e-7 everywhere (relative error grows only where |tanh x| < 1e-3, where the absolute
/// error is what the network sees).
@inline(__always)
func vtanh(_ x: Vec) -> Vec {
    Vec(repeating: 2) / (Vec(repeating: 1) + vexp(Vec(repeating: -2) * x)) - Vec(repeating: 1)
}

@inline(__always) func scalarSigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
@inline(__always) func scalarTanh(_ x: Float) -> Float { tanhf(x) }
