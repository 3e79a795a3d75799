import ArgumentParser
import CharRNN
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure training, evaluation and sampling speed.")
    func run() throws { throw CLIError("not yet") }
}
