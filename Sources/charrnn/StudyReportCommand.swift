import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes the report of the study in `folder` and prints it in `format`.
func reportStudy(folder: String, format: OutputFormat) throws {
    guard FileManager.default.fileExists(atPath: folder + "/" + StudyPlan.planFile) else {
        throw StudyError.noPlan(directory: folder)
    }
    let report = try StudyReport(directory: folder)
    try report.write()
    switch format {
    case .json: print(report.json, terminator: "")
    case .markdown: print(report.markdown, terminator: "")
    case .csv: print(csvTable(report))
    case .text: printTextTable(report)
    }
    writeReportNotes(report, folder: folder)
}

/// Plain numbers, one per column: the mean and the interval's ends apart (empty without one).
private func csvTable(_ report: StudyReport) -> String {
    let rows = report.cells.flatMap { c in
        c.arms.map { a in
            [
                c.corpus, c.size, c.budget, a.arm, "\(a.hiddenSize)", "\(a.parameters)", "\(a.testLoss.count)",
                String(printf: "%.6f", a.interval.mean),
                a.interval.isBounded ? String(printf: "%.6f", a.interval.low) : "",
                a.interval.isBounded ? String(printf: "%.6f", a.interval.high) : "",
            ]
        }
    }
    let header = [
        "corpus", "size", "budget", "arm", "hidden", "parameters", "seeds", "test_nats_per_char_mean", "ci95_low",
        "ci95_high",
    ]
    return renderRows(.csv, header: header, rows: rows, rightAligned: [])
}

/// One row per point and arm, then each point's comparisons in a sentence.
private func printTextTable(_ report: StudyReport) {
    let rows = report.cells.flatMap { c in
        c.arms.map { a in
            [
                c.corpus, c.size, c.budget, a.arm, "\(a.hiddenSize)", formatCount(a.parameters),
                "\(a.testLoss.count)", a.interval.text,
            ]
        }
    }
    let header = ["corpus", "size", "budget", "arm", "hidden", "parameters", "seeds", "test nats/char [95% CI]"]
    print(renderRows(.text, header: header, rows: rows, rightAligned: [4, 5, 6]))
    for c in report.cells where !c.differences.isEmpty {
        print("\(c.corpus) \(c.size) \(c.budget): " + c.differences.map(report.sentence).joined(separator: "; "))
    }
}

/// On stderr: results left out, what is still missing, and where the report went.
private func writeReportNotes(_ report: StudyReport, folder: String) {
    for (name, reason) in report.invalid {
        let why = reason.hasPrefix("it ") ? String(reason.dropFirst(3)) : "is invalid: " + reason
        writeErr("report: left out \(name): its result.json \(why)\n")
    }
    let (known, waiting) = report.missing
    if !known.isEmpty || waiting > 0 {
        writeErr("report: partial; \(known.count) runs not finished, \(waiting) waiting for their search\n")
    }
    writeErr("report: \(folder)/report.md\n")
}

struct StudyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Aggregate the finished runs into report.md, figures and results.json.")
    @Argument(help: "The study folder", completion: .directory) var folder: String
    @Option(help: "text, csv, markdown or json") var format: OutputFormat = .text

    func run() throws { try reportingErrors { try reportStudy(folder: folder, format: format) } }
}
