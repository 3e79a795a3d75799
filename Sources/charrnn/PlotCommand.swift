import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Learning curves (validation loss) of training runs as an SVG, from their metrics.jsonl logs.")

    @Argument(help: "Run folders (each with metrics.jsonl)", completion: .directory) var runs: [String]
    @Option(name: .shortAndLong, help: "The SVG file to write") var output: String
    @Option(help: "x axis: characters or seconds") var x: LearningCurvePlot.XAxis = .characters
    @Option(help: "Title") var title: String = "Validation loss"

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run folder") }
    }

    func run() throws {
        try reportingErrors {
            let series = try runs.map { try LearningCurvePlot.series(runDirectory: $0, axis: x) }
            for (run, s) in zip(runs, series) where s.unplottable > 0 {
                writeErr(
                    "note: \(run)/metrics.jsonl: \(s.unplottable) validation \(s.unplottable == 1 ? "loss" : "losses") "
                        + "left out (not finite, negative or above \(Int(LearningCurvePlot.largestLoss)) nats/char)\n")
            }
            if series.allSatisfy({ $0.points.isEmpty }) {
                throw CLIError("\(runs[0]): no validation records in metrics.jsonl yet")
            }
            // The runs' logs and checkpoints are this command's inputs: never write over them.
            let inputs = runs.flatMap { [$0 + "/metrics.jsonl", $0 + "/latest.ckpt", $0 + "/best.ckpt"] }
            try OutputFile.write(LearningCurvePlot.svg(series, axis: x, title: title), to: output, inputs: inputs)
            writeErr("wrote \(output) (\(series.count) \(series.count == 1 ? "run" : "runs"))\n")
        }
    }
}

extension LearningCurvePlot.XAxis: ExpressibleByArgument {}
