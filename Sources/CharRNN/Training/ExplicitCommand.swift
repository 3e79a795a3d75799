#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension TrainingSettings {
    /// Every setting of the run written out as `charrnn train` flags: the command that repeats it
    /// without measuring this machine's speed. A time budget is written as the steps it was turned
    /// into (`steps`), which is what the run does; a resumed run's command gives its whole budget.
    public func explicitCommand(config c: ModelConfig, checkpointDirectory: String, runName: String) -> String {
        let s = self
        var words = ["charrnn", "train", shellQuote(s.trainFile)]
        func add(_ flag: String, _ value: String) { words += [flag, value] }
        if let v = s.validationFile {
            add("--val-file", shellQuote(v))
        } else {
            add("--val-fraction", "\(s.validationFraction)")
        }
        if let t = s.testFraction { add("--test-fraction", "\(t)") }
        if s.bytes { words.append("--bytes") }
        add("--arch", c.architecture.rawValue); add("--layers", "\(c.layers)"); add("--hidden", "\(c.hiddenSize)")
        add("--embedding", "\(c.embeddingSize)"); add("--dropout", "\(c.dropout)")
        add("--weight-drop", "\(s.weightDrop ?? 0)")
        add("--init-one-hot", "\(s.initialization?.oneHotScale ?? 0)")
        if let f = s.initialization?.forgetBias { add("--forget-bias", "\(f)") }
        add("--batch", "\(s.batch)"); add("--seq", "\(s.sequence)"); add("--lr", "\(s.learningRate)")
        add("--lr-schedule", s.schedule.rawValue); add("--lr-final", "\(s.finalLearningRateFraction)")
        add("--warmup", "\(s.warmupSteps)"); add("--clip", "\(s.clip)"); add("--weight-decay", "\(s.weightDecay)")
        add("--ema", "\(s.emaDecay ?? 0)"); add("--seed", "\(s.seed)")
        if let n = s.steps { add("--steps", "\(n)") }
        if let e = s.epochs { add("--epochs", "\(e)") }
        if s.evalEvery > 0 { add("--eval-every", "\(s.evalEvery)") }
        if let k = s.keep, k > 0 { add("--keep", "\(k)") }
        if let f = s.initFrom { add("--init-from", shellQuote(f)) }
        add("--checkpoint-dir", shellQuote(checkpointDirectory)); add("--name", shellQuote(runName))
        return words.joined(separator: " ")
    }
}

/// A word for a POSIX shell: as is when safe, else in single quotes.
public func shellQuote(_ s: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%".unicodeScalars)
    if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacing("'", with: "'\\''") + "'"
}
