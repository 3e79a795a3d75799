#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a finished run achieved, written as `result.json` in its folder once the budget is used
/// up: the figures a study aggregates, readable without the checkpoints (a study's results can be
/// copied from any machine, or committed, without them).
public struct RunResult: Codable, Equatable, Sendable {
    /// The run's name (its folder's name).
    public var runName: String
    /// The model trained.
    public var config: ModelConfig
    public var parameters: Int
    public var settings: TrainingSettings
    /// Optimizer steps, training seconds and characters seen.
    public var steps: Int, seconds: Double, charactersSeen: Int
    /// Lowest validation loss (nats/char) and its step; the last validation loss.
    public var bestValidationLoss: Double?, bestStep: Int?, finalValidationLoss: Double?
    /// The test part's loss (nats/char) under best.ckpt, and the characters it holds; nil without
    /// a test part.
    public var testLoss: Double?, testCharacters: Int?

    /// Training throughput.
    public var charactersPerSecond: Double { Double(charactersSeen) / max(seconds, 1e-9) }

    /// The file name inside a run folder.
    public static let fileName = "result.json"

    /// The result in `runDirectory`, or nil when the run has not finished (or its file is damaged).
    public static func load(runDirectory: String) -> RunResult? {
        guard let bytes = try? InputFile.read(runDirectory + "/" + fileName, expected: "run result") else {
            return nil
        }
        return try? JSONCoding.decoder().decode(RunResult.self, from: Data(bytes))
    }

    /// Writes the result into `runDirectory` (atomically).
    func write(runDirectory: String) throws {
        try OutputFile.write(JSONCoding.string(self, pretty: true) + "\n", to: runDirectory + "/" + Self.fileName)
    }
}
