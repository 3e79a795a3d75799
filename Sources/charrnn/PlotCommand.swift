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
    @Option(help: "y axis: validation, train, or both (two curves per run)") var y: YAxis = .validation
    @Option(help: "Title (default: from --y)") var title: String?

    enum YAxis: String, ExpressibleByArgument, CaseIterable {
        case validation, train, both
        var losses: [LearningCurvePlot.Loss] {
            switch self {
            case .validation: [.validation]
            case .train: [.train]
            case .both: [.train, .validation]
            }
        }
    }

    func validate() throws {
        if runs.isEmpty { throw ValidationError("give at least one run folder") }
    }

    func run() throws {
        try reportingErrors {
            var series: [LearningCurvePlot.Series] = []
            for run in runs {
                for loss in y.losses {
                    var s = try LearningCurvePlot.series(runDirectory: run, axis: x, loss: loss)
                    if y == .both { s.label += " (\(loss.rawValue))" }
                    if s.unplottable > 0 {
                        writeErr(
                            "note: \(run)/metrics.jsonl: \(s.unplottable) \(loss.rawValue) "
                                + "\(s.unplottable == 1 ? "loss" : "losses") left out (not finite, negative or above "
                                + "\(Int(LearningCurvePlot.largestLoss)) nats/char)\n")
                    }
                    series.append(s)
                }
            }
            if series.allSatisfy({ $0.points.isEmpty }) {
                throw CLIError("\(runs[0]): no \(y == .train ? "" : "validation ")records in metrics.jsonl yet")
            }
            let title =
                self.title ?? ["validation": "Validation loss", "train": "Training loss", "both": "Training and validation loss"][
                    y.rawValue]!
            // The runs' logs and checkpoints are this command's inputs: never write over them.
            let inputs = runs.flatMap { [$0 + "/metrics.jsonl", $0 + "/latest.ckpt", $0 + "/best.ckpt"] }
            try OutputFile.write(LearningCurvePlot.svg(
                    series, axis: x, title: title,
                    yLabel: ["validation": "validation loss", "train": "training loss", "both": "loss"][y.rawValue]!), to: output, inputs: inputs)
            writeErr("wrote \(output) (\(runs.count) \(runs.count == 1 ? "run" : "runs"))\n")
        }
    }
}

extension LearningCurvePlot.XAxis: ExpressibleByArgument {}
