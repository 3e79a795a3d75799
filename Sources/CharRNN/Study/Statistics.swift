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

/// Small statistics for comparing models: means with t-intervals over seeds, and percentile
/// bootstrap intervals (block bootstrap over characters, whose losses are correlated nearby).
public enum Statistics {
    /// A mean with a 95% interval.
    public struct Interval: Codable, Equatable, Sendable {
        /// The mean and the interval's ends (±∞ when one value measures no spread).
        public var mean: Double, low: Double, high: Double
        /// Whether 0 is inside the interval (no significant difference).
        public var containsZero: Bool { low <= 0 && high >= 0 }
        /// False for the unbounded "interval" of a single value: one sample measures no spread.
        public var isBounded: Bool { low.isFinite && high.isFinite }
        /// "mean [low, high]", or "mean (no interval)".
        public var text: String {
            isBounded
                ? String(printf: "%.4f [%.4f, %.4f]", mean, low, high) : String(printf: "%.4f (no interval)", mean)
        }
    }

    /// The mean (NaN for no values).
    public static func mean(_ x: [Double]) -> Double { x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count) }

    /// The geometric mean of positive values (NaN for none).
    public static func geometricMean(_ x: [Double]) -> Double { exp(mean(x.map { log($0) })) }

    /// The sample standard deviation (0 for fewer than two values).
    public static func standardDeviation(_ x: [Double]) -> Double {
        guard x.count > 1 else { return 0 }
        let m = mean(x)
        return (x.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(x.count - 1)).squareRoot()
    }

    /// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom.
    public static func tQuantile975(_ df: Int) -> Double {
        let table: [Double] = [
            12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
            2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        ]
        return df >= 1 && df <= table.count ? table[df - 1] : 1.96
    }

    /// Mean with a 95% t-interval. One value has no interval: it comes back unbounded
    /// (−∞, +∞), which contains every difference, so no verdict can rest on it.
    public static func tInterval(_ x: [Double]) -> Interval {
        let m = mean(x)
        guard x.count > 1 else { return Interval(mean: m, low: -.infinity, high: .infinity) }
        let half = tQuantile975(x.count - 1) * standardDeviation(x) / Double(x.count).squareRoot()
        return Interval(mean: m, low: m - half, high: m + half)
    }

    /// Percentile bootstrap 95% interval of the mean of `x`, resampling blocks of `block`
    /// consecutive values (block = 1: ordinary bootstrap).
    public static func bootstrapMean(_ x: [Double], block: Int = 1, resamples: Int = 2000, seed: UInt64 = 1) -> Interval
    {
        let n = x.count
        let m = mean(x)
        guard n > 1 else { return Interval(mean: m, low: -.infinity, high: .infinity) }
        let b = max(1, min(block, n))
        let blocks = (n + b - 1) / b
        // Prefix sums make each block sum O(1).
        var prefix = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { prefix[i + 1] = prefix[i] + x[i] }
        var rng = RandomGenerator(seed: seed)
        var means = [Double]()
        means.reserveCapacity(resamples)
        for _ in 0..<resamples {
            var sum = 0.0, count = 0
            for _ in 0..<blocks {
                let s = rng.nextInt(below: n - b + 1)
                sum += prefix[s + b] - prefix[s]
                count += b
            }
            means.append(sum / Double(count))
        }
        means.sort()
        return Interval(
            mean: m, low: means[Int(0.025 * Double(resamples))],
            high: means[min(resamples - 1, Int(0.975 * Double(resamples)))])
    }
}
