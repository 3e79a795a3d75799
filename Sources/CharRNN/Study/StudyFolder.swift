import Foundation

/// The files of a study folder: study.json, runs.txt, runs/ (one run folder per run), logs/, and
/// the report's documents.
public enum StudyFolder {
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
