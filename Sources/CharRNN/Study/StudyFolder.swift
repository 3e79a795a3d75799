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

/// The files of a study folder: study.json, runs.txt, runs/ (one run folder per run), logs/, and
/// the report's documents.
public enum StudyFolder {
    /// Plans `grid` in `folder`: a new plan; the same plan again (its manifest refreshed with the
    /// runs whose search has finished); or a refusal when the folder holds another plan, or files
    /// that are not a study's, unless `overwrite` (which removes the old study's files only).
    /// Time budgets measure this machine's training speed for the automatic rule.
    /// `measuring` is called once the folder and the corpora have been checked, before the first
    /// speed is measured.
    public static func plan(
        _ grid: StudyGrid, in folder: String, overwrite: Bool, measuring: () -> Void = {}
    ) throws -> StudyPlan {
        let fm = FileManager.default
        if fm.fileExists(atPath: folder + "/" + StudyPlan.planFile) {
            let old = try StudyPlan.load(from: folder)
            if old.grid == grid {
                try old.writeManifest(in: folder)
                return old
            }
            if !overwrite { throw StudyError.differentPlan(directory: folder) }
            for run in old.runs(in: folder) { clearRun(folder + "/runs/" + run.name) }
            clearDocuments(folder)
        } else if !overwrite, fm.fileExists(atPath: folder + "/runs") || fm.fileExists(atPath: folder + "/report.md") {
            throw StudyError.notAStudy(directory: folder)
        }
        // Each model is measured once, for the rule and the estimate both.
        var measured: [String: Double] = [:]
        func speed(_ c: ModelConfig) -> Double {
            let key = "\(c.architecture)-\(c.layers)x\(c.hiddenSize)-\(c.vocabularySize)-\(c.embeddingSize)"
            if let s = measured[key] { return s }
            if measured.isEmpty { measuring() }
            // Two seconds each: the report's comparison at matched time rests on these.
            let s = AutoConfiguration.measureSpeed(
                c, batch: grid.batch, sequence: grid.sequence, seconds: 2, precision: grid.resolvedPrecision)
            measured[key] = s
            return s
        }
        var plan = try StudyPlan.make(grid, speed: speed)
        plan.estimate = plan.estimate(machine: "\(KernelVariant.cpuName), \(Threads.count) threads", speed: speed)
        plan.recordSpeeds(speed)
        try plan.save(in: folder)
        try plan.writeManifest(in: folder)
        return plan
    }

    /// Removes one run's files (`--overwrite` of a study).
    public static func clearRun(_ folder: String) {
        RunFolder.clearRun(folder)
        RunFolder.removeStaleTemporaryFiles(folder)
        _ = rmdir(folder)  // only when nothing else is left in it
    }

    /// Removes the plan, manifest, logs and report (and nothing else).
    public static func clearDocuments(_ folder: String) {
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: folder)) ?? []
        where [StudyPlan.planFile, StudyPlan.manifestFile, "report.md", "results.json"].contains(name)
            || name.hasSuffix(".svg")
        {
            try? fm.removeItem(atPath: folder + "/" + name)
        }
        for name in (try? fm.contentsOfDirectory(atPath: folder + "/logs")) ?? [] where name.hasSuffix(".log") {
            try? fm.removeItem(atPath: folder + "/logs/" + name)
        }
    }
}
