#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The one seeded pseudo-random generator of the project (xoshiro256**, seeded by SplitMix64).
///
/// It is passed explicitly to initialisation, batching, dropout and sampling, so that `--seed`
/// reproduces a run exactly; its whole state is four words, saved in checkpoints for `--resume`.
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    /// The four words of xoshiro256**'s state.
    public var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator seeded by SplitMix64 from `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator with exactly this state (four words).
    public init(state words: [UInt64]) {
        precondition(words.count == 4)
        state = (words[0], words[1], words[2], words[3])
    }

    /// The state as an array of four words.
    public var stateWords: [UInt64] { [state.0, state.1, state.2, state.3] }

    /// Same state.
    public static func == (a: RandomGenerator, b: RandomGenerator) -> Bool { a.stateWords == b.stateWords }

    /// The next 64 random bits.
    @inline(__always)
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 bits of precision.
    @inline(__always)
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 bits of precision.
    @inline(__always)
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Uniform integer in 0..<bound (Lemire's nearly-divisionless method, unbiased).
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(next(upperBound: UInt64(bound)))
    }

    /// The generator of one stream's dropout masks in one layer: a function of the three numbers
    /// only, so masks do not depend on which thread runs the stream.
    public init(seed: UInt64, layer: Int, stream: Int) {
        self.init(
            seed: seed ^ (UInt64(truncatingIfNeeded: layer) &* 0xD6E8_FEB8_6659_FD93)
                ^ (UInt64(truncatingIfNeeded: stream) &* 0x9E37_79B9_7F4A_7C15 &+ 0x632B_E59B_D9B4_E019))
    }

    /// An independent generator derived from this one (for a second thread or purpose).
    public mutating func split() -> RandomGenerator { RandomGenerator(seed: next()) }
}
