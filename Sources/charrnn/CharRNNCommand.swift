import ArgumentParser
import CharRNN
#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
// @preconcurrency: `finish` reads the C library's `stdout` (a global the compiler cannot check).
#if canImport(Glibc)
    @preconcurrency import Glibc
#elseif canImport(Darwin)
    @preconcurrency import Darwin
#endif
import CProcess
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
    /// Standard output is checked at the end (`finish`); standard error is written with plain
    /// `write`s whose failure is ignored, so a full or closed stderr never ends the process.
    static func main() {
        // A study's training process ends with the `study run` that started it.
        if let parent = getenv(StudyRunner.parentVariable).flatMap({ Int32(String(cString: $0)) }) {
            if charrnn_end_with_parent(parent) == 0 { terminate(130) }
            // Never above the study run's own priority (its niceness is its main thread's).
            #if os(Linux)
                let which = __priority_which_t(PRIO_PROCESS.rawValue)
            #else
                let which = PRIO_PROCESS
            #endif
            let theirs = getpriority(which, id_t(parent)), ours = getpriority(which, 0)
            if theirs > ours { _ = setpriority(which, 0, theirs) }
        }
        if let why = KernelVariant.selectionError {
            writeErr("charrnn: error: \(why)\n")
            terminate(1)
        }
        do {
            var command = try parseAsRoot()
            // Parse and check the options, run nothing (the README test's dry run of every example).
            if getenv("CHARRNN_PARSE_ONLY").map({ String(cString: $0) }) == "1" { finish(0) }
            try command.run()
        } catch let code as ExitCode {
            finish(code.rawValue)
        } catch {
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                finish(0)
            }
            let text = message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            writeErr("charrnn: error: \(text)\n")
            finish(1)
        }
        finish(0)
    }

    /// Flushes standard output and exits with `status`, or with 1 and one line on stderr when
    /// anything written to standard output was lost (a full disk, a closed descriptor), as GNU
    /// tools do: `charrnn eval … > results.txt` never "succeeds" with an empty file.
    static func finish(_ status: Int32) -> Never {
        let flushed = fflush(stdout) == 0 && ferror(stdout) == 0
        let reason = String(cString: strerror(errno))
        if !flushed || StandardOutput.failed {
            writeErr("charrnn: error: cannot write to standard output (\(flushed ? "write failed" : reason))\n")
            terminate(status == 0 ? 1 : status)
        }
        terminate(status)
    }
}
