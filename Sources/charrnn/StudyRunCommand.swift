import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs the missing runs of the study in `folder`.
func runStudy(folder: String, jobs: JobOptions) throws {
    guard FileManager.default.fileExists(atPath: folder + "/" + StudyPlan.planFile) else {
        throw StudyError.noPlan(directory: folder)
    }
    var runner = StudyRunner(
        directory: absolutePath(folder), executable: executablePath)
    runner.jobs = jobs.jobs
    runner.threadsPerJob = jobs.threadsPerJob
    runner.log = { writeErr($0 + "\n") }
    Interrupts.install()
    runner.shouldStop = { Interrupts.requested }
    let outcome = try runner.run()
    writeErr(
        "study: \(outcome.finished) run\(outcome.finished == 1 ? "" : "s") finished now, "
            + "\(outcome.alreadyFinished) before\n")
    if !outcome.failed.isEmpty {
        throw StudyError.runsFailed(count: outcome.failed.count, logs: folder + "/logs/" + outcome.failed[0] + ".log")
    }
    if outcome.interrupted { throw ExitCode(130) }
}

struct StudyRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Execute the study's missing runs; resumes after a kill.")
    @Argument(help: "The study folder", completion: .directory) var folder: String
    @OptionGroup var jobs: JobOptions

    func run() throws { try reportingErrors { try runStudy(folder: folder, jobs: jobs) } }
}
