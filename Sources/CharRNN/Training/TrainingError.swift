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

private typealias F = TrainFlag

/// Why a run cannot start or go on.
public enum TrainingError: Error, CustomStringConvertible {
    case corpusTooSmall(path: String, characters: Int, needed: Int, batch: Int, steps: Int)
    case validationTooSmall(characters: Int)
    case unwritableFolder(path: String, reason: String)
    case resumeMismatch(String)
    case runExists(path: String)
    case diverged(step: Int, checkpoint: String)
    case foreignFolder(folder: String, checkpoint: String, reason: String)
    /// A resumed run given a setting it cannot take (`RunSetting`): `given` nil means left out.
    case resumeConflict(flag: String, given: String?, stored: String?, checkpoint: String)
    /// A setting for a new run given to a resumed one.
    case newRunOption(flag: String)
    /// A resumed run was given a run name or folder (`--name`, `--checkpoint-dir`).
    case newRunPlacement(String)

    /// One line naming the file, flag or step.
    public var description: String {
        switch self {
        case .corpusTooSmall(let p, let n, let need, let b, let t):
            return
                "\(p): \(n) training characters is too small for one batch; \(F.batch.text) \(b) × \(F.seq.text) \(t) "
                + "needs at least \(need) (lower \(F.batch.text) or \(F.seq.text), or use a larger file)"
        case .validationTooSmall(let n):
            return
                "the validation text has \(n) characters; at least 2 are needed (raise \(F.valFraction.text) or "
                + "give \(F.valFile.text))"
        case .unwritableFolder(let p, let r): return "\(p): cannot write checkpoints there (\(r))"
        case .resumeMismatch(let m): return m
        case .resumeConflict(let flag, let given, let stored, let c):
            func say(_ v: String?) -> String { v.map { $0.isEmpty ? flag : "\(flag) \($0)" } ?? "no \(flag)" }
            return "\(say(given)) conflicts with \(c), which was trained with \(say(stored)); a resumed run keeps "
                + "its settings (use \(F.initFrom.text) to start a new run from its weights)"
        case .newRunPlacement(let c):
            return
                "\(F.name.text) and \(F.checkpointDir.text) name a new run; a resumed run stays in the folder of \(c)"
        case .newRunOption(let flag):
            return "\(flag) sets up a new run; a resumed run keeps its weights and settings"
        case .runExists(let p):
            return "\(p): a run folder with checkpoints already exists; give \(F.overwrite.text) to replace it, "
                + "\(F.resume.text) \(p)/latest.ckpt to continue it, or another \(F.name.text)"
        case .foreignFolder(let f, let c, let r):
            return
                "\(f): not the run folder of \(c) (\(r)); resume needs the checkpoint in its own run's folder, or "
                + "start a new run from its weights with \(F.initFrom.text) \(c)"
        case .diverged(let s, let c):
            return
                "training diverged repeatedly (a non-finite or exploding loss) at step \(s); the last good state "
                + "is in \(c)"
        }
    }
}
