import ArgumentParser
import CharRNN
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

@main
struct CharRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "charrnn",
        abstract: "Character-level LSTM and GRU language models: train, sample, evaluate, compare.",
        version: "1.0.0\nkernels: \(KernelVariant.current) (CPU features: \(KernelVariant.cpuFeatures))",
        subcommands: [
            TrainCommand.self, SampleCommand.self, EvalCommand.self, CompareCommand.self,
            InspectCommand.self, ExportCommand.self, ViewCommand.self, StudyCommand.self, PlotCommand.self,
            BenchCommand.self,
        ])

    /// Parses and runs; every failure, argument errors included, ends as one line
    /// `charrnn: error: …` on stderr and exit status 1 (help and --version print as usual). A
    /// `CHARRNN_KERNELS` that names no variant, or one this CPU cannot run, is refused first.
    static func main() {
        if let why = KernelVariant.selectionError {
            writeErr("charrnn: error: \(why)\n")
            terminate(1)
        }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            exit(withError: code)
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            writeErr("charrnn: error: \(text)\n")
            terminate(1)
        }
    }
}
