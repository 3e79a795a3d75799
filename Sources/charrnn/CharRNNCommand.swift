import ArgumentParser
import CharRNN
import Foundation

@main
struct CharRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charrnn",
        abstract: "Character-level LSTM and GRU language models: train, sample, evaluate, compare.",
        version: "1.0.0",
        subcommands: [TrainCommand.self, SampleCommand.self, EvalCommand.self, CompareCommand.self,
                      InspectCommand.self, ExportCommand.self, StudyCommand.self, PlotCommand.self, BenchCommand.self])
}
