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

// best.ckpt, latest.ckpt and the --keep history: what a run writes, and how.
extension Trainer {
    func checkpoint(includeTraining: Bool = true) -> Checkpoint {
        progress.random = random.hexState
        return Checkpoint(
            config: config, vocabulary: vocabulary, parameters: (average ?? model.parameters).array,
            optimizer: .init(
                step: adam.step, m: adam.m.array, v: adam.v.array,
                weights: average == nil ? nil : model.parameters.array),
            carriedState: .init(
                batch: settings.batch, h: engine.stateH.array,
                c: config.architecture == .lstm ? engine.stateC.array : []),
            training: TrainingRecord(settings: settings, progress: progress, runName: runName), metrics: metrics)
    }

    func saveCheckpoints() throws {
        let improved =
            progress.lastValidationLoss.map { v in
                v.isFinite && progress.bestValidationLoss.map { v < $0 } ?? true
            } ?? false
        if improved {
            progress.bestValidationLoss = progress.lastValidationLoss
            progress.bestStep = progress.step
        }
        let snapshot = checkpoint()
        try Checkpoint.checkFinite(
            snapshot.parameters, layout: model.layout, prefix: "", path: latestPath)  // never write a non-model
        let bytes = snapshot.serialized()
        if improved { try Checkpoint.atomicWrite(bytes, to: bestPath) }
        try Checkpoint.atomicWrite(bytes, to: latestPath)
        try keepHistory(bytes)
    }

    /// `--keep N`: the checkpoint just written to latest (`bytes`) also as step-STEP.ckpt, and only
    /// the newest N such copies.
    func keepHistory(_ bytes: [UInt8]) throws {
        guard let n = settings.keep, n > 0 else { return }
        try Checkpoint.atomicWrite(bytes, to: runDirectory + "/step-\(progress.step).ckpt")
        let kept = ((try? FileManager.default.contentsOfDirectory(atPath: runDirectory)) ?? [])
            .compactMap { f -> (Int, String)? in
                guard f.hasPrefix("step-"), f.hasSuffix(".ckpt"), let s = Int(f.dropFirst(5).dropLast(5)) else {
                    return nil
                }
                return (s, f)
            }
            .sorted { $0.0 > $1.0 }
        for (_, f) in kept.dropFirst(n) { try? FileManager.default.removeItem(atPath: runDirectory + "/" + f) }
    }

    /// Writes latest.ckpt now.
    public func saveLatest() throws { try checkpoint().write(to: latestPath) }
}
