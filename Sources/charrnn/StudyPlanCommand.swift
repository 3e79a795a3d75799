import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Plans the study in `folder`: a new plan, the same plan again (the manifest refreshed), or a
/// refusal when another plan is there (unless `overwrite`).
func planStudy(_ grid: StudyGrid, folder given: String, overwrite: Bool) throws -> StudyPlan {
    let plan = try StudyFolder.plan(grid, in: absolutePath(given), overwrite: overwrite) {
        writeErr("measuring this machine's training speed for the estimate and the automatic rule…\n")
    }
    if let e = plan.estimate { writeErr("estimate: \(e.summary)\n") }
    return plan
}

struct StudyPlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan", abstract: "Write DIR/study.json and the manifest DIR/runs.txt (one command line per run).")
    @OptionGroup(title: "Grid") var grid: GridOptions
    @OptionGroup var folder: StudyFolderOption
    @Flag(help: "Replace a different study planned in the folder") var overwrite = false

    func run() throws {
        try reportingErrors {
            let plan = try planStudy(try grid.grid(), folder: folder.output, overwrite: overwrite)
            let runs = plan.runs(in: absolutePath(folder.output))
            writeErr(
                "plan: \(runs.count) runs in \(folder.output)/\(StudyPlan.manifestFile) "
                    + "(\(runs.filter(\.isSearch).count) "
                    + "search); the grid's runs follow once each arm's search has finished\n")
        }
    }
}
