#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension TrainingSettings {
    /// Every setting of the run written out as `charrnn train` flags (`RunSetting`): the command that repeats it
    /// without measuring this machine's speed. A time budget is written as the steps it was turned
    /// into (`steps`), which is what the run does; a resumed run's command gives its whole budget.
    public func explicitCommand(config c: ModelConfig, checkpointDirectory: String, runName: String) -> String {
        let words =
            ["charrnn", "train", shellQuote(trainFile)] + RunSetting.words(self, c)
            + [TrainFlag.checkpointDir.text, shellQuote(checkpointDirectory), TrainFlag.name.text, shellQuote(runName)]
        return words.joined(separator: " ")
    }
}

/// A word for a POSIX shell: as is when safe, else in single quotes.
public func shellQuote(_ s: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+,@%".unicodeScalars)
    if !s.isEmpty && s.unicodeScalars.allSatisfy({ safe.contains($0) }) { return s }
    return "'" + s.replacing("'", with: "'\\''") + "'"
}
