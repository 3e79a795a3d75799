#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Dispatch

/// A second-order Markov chain over a small alphabet: a text source whose entropy rate is known
/// exactly, to check that training reaches it.
///
/// P(x_t | x_{t−2}, x_{t−1}) is drawn once from the seed (peaked, so the rate is well below
/// log A). The entropy rate is H = Σ_s π(s) · H(P(·|s)) over the A² pair states, with π the
/// stationary distribution of the pair chain (power iteration to 1e-14).
struct MarkovSource {
    let alphabet: [UInt32]
    /// [A·A, A]: row s = (a, b) gives P(next | previous two = a, b).
    let transitions: [[Double]]

    init(alphabet: String = "abcde", seed: UInt64, sharpness: Double = 2.5) {
        self.alphabet = alphabet.unicodeScalars.map(\.value)
        let A = self.alphabet.count
        var rng = RandomGenerator(seed: seed)
        transitions = (0..<A * A).map { _ in
            let w = (0..<A).map { _ in exp(sharpness * rng.nextDouble() * 2) }
            let total = w.reduce(0, +)
            return w.map { $0 / total }
        }
    }

    var entropyRate: Double {
        let A = alphabet.count, S = A * A
        var pi = [Double](repeating: 1 / Double(S), count: S)
        for _ in 0..<100_000 {
            var next = [Double](repeating: 0, count: S)
            for s in 0..<S { for c in 0..<A { next[(s % A) * A + c] += pi[s] * transitions[s][c] } }
            let delta = zip(next, pi).map { abs($0 - $1) }.max()!
            pi = next
            if delta < 1e-14 { break }
        }
        var h = 0.0
        for s in 0..<S { for p in transitions[s] where p > 0 { h -= pi[s] * p * log(p) } }
        return h
    }

    /// `count` characters of the chain, as text.
    func generate(count: Int, seed: UInt64) -> String {
        let A = alphabet.count
        var rng = RandomGenerator(seed: seed)
        var a = 0, b = 1
        var out = String.UnicodeScalarView()
        for _ in 0..<count {
            let row = transitions[a * A + b]
            var u = rng.nextDouble(), c = A - 1
            for (i, p) in row.enumerated() { u -= p; if u <= 0 { c = i; break } }
            out.append(Unicode.Scalar(alphabet[c])!)
            a = b; b = c
        }
        return String(out)
    }
}
