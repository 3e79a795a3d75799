#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a training run reports as it goes. The trainer prints nothing; whoever runs it (the CLI's
/// progress display, a study, a test) receives these through `Trainer.onEvent` and decides
/// what to show.
public enum TrainingEvent: Sendable {
    /// Where a run stands after an optimizer step.
    public struct Status: Sendable {
        /// Step, passes, the step's loss and the latest validation loss.
        public var step: Int, epoch: Double, loss: Double, validationLoss: Double?
        /// Training throughput.
        public var charactersPerSecond: Double
        /// Share of the budget used, and the estimated time left (nil without a budget).
        public var fraction: Double?, remainingSeconds: Double?
    }

    /// The run begins: model, data and run folder, in one line.
    case started(String)
    /// After every optimizer step; `validated` when this step also validated.
    case step(Status, validated: Bool)
    /// Something the user should know (a note that changes nothing, e.g. a new validation text).
    case note(String)
    /// A step or a validation diverged and was rolled back.
    case warning(String)
    /// The run ended; `interrupted` when `shouldStop` ended it before its budget.
    case finished(step: Int, interrupted: Bool, latestPath: String)
    /// The test part was scored by best.ckpt (nats per character over `characters`).
    case tested(loss: Double, characters: Int)
}

/// "45s", "3m05s", "1h02m": how long something takes, for messages and reports.
public func formatDuration(_ seconds: Double) -> String {
    let t = Int(seconds.rounded())
    if t >= 3600 { return String(printf: "%dh%02dm", t / 3600, (t % 3600) / 60) }
    if t >= 60 { return String(printf: "%dm%02ds", t / 60, t % 60) }
    return "\(t)s"
}
