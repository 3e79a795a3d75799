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

extension TrainingSettings {
    /// Fraction of the budget used, in [0, 1], or nil when the run has no fixed end. It counts
    /// steps, never seconds (a time budget was turned into steps), so the schedule, and with it
    /// the run, is the same on any machine.
    func budgetFraction(step: Int, batchesPerEpoch: Int) -> Double? {
        var fractions: [Double] = []
        if let s = steps, s > 0 { fractions.append(Double(step) / Double(s)) }
        if let e = epochs, e > 0 { fractions.append(Double(step) / (e * Double(max(1, batchesPerEpoch)))) }
        return fractions.max().map { min(1, $0) }
    }

    /// Gives the run `seconds` more training from where `progress` stands, as the steps they allow
    /// at the run's own measured speed (`stepsPerSecond` when it has none yet); a step budget
    /// already set still ends the run if it comes first. `timeSeconds` records the whole time asked for.
    public mutating func extendBudget(
        bySeconds seconds: Double, from progress: TrainingProgress, stepsPerSecond: @autoclosure () -> Double
    ) {
        let rate =
            progress.step > 0 && progress.elapsedSeconds > 0
            ? Double(progress.step) / progress.elapsedSeconds : stepsPerSecond()
        steps = min(steps ?? .max, progress.step + max(1, Int((seconds * rate).rounded())))
        timeSeconds = progress.elapsedSeconds + seconds
    }

    /// Linear warm-up over `warmupSteps`, then the schedule from `learningRate` down to
    /// `learningRate · finalLearningRateFraction` at the end of the budget.
    public func learningRate(step: Int, fraction: Double?) -> Float {
        let warm = warmupSteps > 0 ? min(1, Float(step + 1) / Float(warmupSteps)) : 1
        guard let p = fraction else { return learningRate * warm }
        let f = finalLearningRateFraction
        let decay: Float
        switch schedule {
        case .constant: decay = 1
        case .cosine: decay = f + (1 - f) * 0.5 * (1 + Float(cos(Double.pi * p)))
        case .linear: decay = 1 - (1 - f) * Float(p)
        }
        return learningRate * warm * decay
    }
}
