import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct StudyAllCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all", abstract: "Plan, run and report in one command (the default: `charrnn study FILE...`).")
    @OptionGroup(title: "Grid") var grid: GridOptions
    @OptionGroup var folder: StudyFolderOption
    @OptionGroup var jobs: JobOptions
    @Flag(help: "Replace a different study planned in the folder") var overwrite = false
    @Option(help: "text, csv, markdown or json") var format: OutputFormat = .text

    func run() throws {
        try reportingErrors {
            _ = try planStudy(try grid.grid(), folder: folder.output, overwrite: overwrite)
            try runStudy(folder: folder.output, jobs: jobs)
            try reportStudy(folder: folder.output, format: format)
        }
    }
}
