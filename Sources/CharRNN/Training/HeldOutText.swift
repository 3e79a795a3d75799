#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The validation or test part of the corpus a checkpoint's run trained on, found again by the
/// path and split settings the checkpoint stores, and checked against its vocabulary and its
/// validation fingerprint (a changed or missing corpus is refused, never scored by mistake).
public struct HeldOutText: Sendable {
    /// The part's characters: Unicode scalar values, or byte values for a byte-level run.
    public let symbols: [UInt32]
    /// Which of the two `symbols` holds.
    public let kind: Vocabulary.Kind
    /// What the part is, for messages and tables: "the test part of CORPUS".
    public let name: String

    /// The `split` part of the run that wrote the checkpoint at `path`.
    public static func load(checkpoint path: String, split: Score.Split) throws -> HeldOutText {
        try load(Checkpoint.load(path), path: path, split: split)
    }

    /// The same for a checkpoint already loaded from `path`.
    static func load(_ ckpt: Checkpoint, path: String, split: Score.Split) throws -> HeldOutText {
        guard let record = ckpt.training else { throw Score.Failure.noRecord(checkpoint: path) }
        let s = record.settings
        let data = try TrainingData.load(
            trainFile: s.trainFile, validationFile: s.validationFile, validationFraction: s.validationFraction,
            testFraction: s.testFraction, bytes: s.bytes)
        let validationChanged = record.progress.validationFingerprint.map {
            $0 != Trainer.fingerprint(data.validation, limit: Trainer.validationLimit)
        }
        guard data.vocabulary == ckpt.vocabulary, validationChanged != true else {
            throw Score.Failure.corpusChanged(corpus: s.validationFile ?? s.trainFile, checkpoint: path)
        }
        let part: TokenView
        switch split {
        case .validation: part = data.validation
        case .test:
            guard let t = data.test else { throw Score.Failure.noTestPart(checkpoint: path) }
            part = t
        }
        let symbols = data.vocabulary.symbols
        return HeldOutText(
            symbols: (0..<part.count).map { symbols[part[$0]] }, kind: data.vocabulary.kind,
            name: "the \(split.rawValue) part of \(s.trainFile)")
    }
}
