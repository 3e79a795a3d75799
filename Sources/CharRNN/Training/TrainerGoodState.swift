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

// The last good state a diverged step or validation rolls back to, the weight average, and
// validation (which scores the average).
extension Trainer {
    func rememberGoodState() {
        goodParameters = model.parameters.array
        goodM = adam.m.array; goodV = adam.v.array; goodAdamStep = adam.step
        if let a = average { goodAverage = a.array }
    }

    /// Moves the average towards the weights just updated (update n = `adam.step`, so a resumed
    /// run continues exactly).
    func updateAverage() {
        guard let a = average, let decay = settings.emaDecay else { return }
        let n = Float(adam.step)
        let w = 1 - min(decay, (1 + n) / (10 + n))
        let ap = a.pointer, pp = model.parameters.pointer
        parallelRanges(a.count, threads: engine.threads) { range in
            for i in range { ap[i] += w * (pp[i] - ap[i]) }
        }
    }

    /// Restores the last good parameters and moments (the initial ones before any validation).
    func rollBack() {
        guard !goodParameters.isEmpty else { return }
        model.parameters.copy(from: goodParameters)
        adam.m.copy(from: goodM); adam.v.copy(from: goodV); adam.step = goodAdamStep
        if let a = average, !goodAverage.isEmpty { a.copy(from: goodAverage) }
    }

    /// Validation loss (nats/char) on the held-out text.
    public func validate() -> Double {
        // Periodic validation reads at most the first `validationLimit` characters (all of them
        // for any corpus below 20 MB); the final figure of a run uses the same text.
        let v = data.validation
        if let a = average, let raw = setAside {
            raw.copy(from: model.parameters); model.parameters.copy(from: a)
        }
        let r = evaluator.evaluate(count: min(v.count, Self.validationLimit)) { Int32(v[$0]) }
        if let raw = setAside { model.parameters.copy(from: raw) }
        progress.lastValidationLoss = r.meanLoss
        return r.meanLoss
    }
}
