import ArgumentParser
import CharRNN

/// `--threads N`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
    @Option(
        parsing: .unconditional,
        help: "Worker threads, 1 to \(Threads.maximum) (default: every core this process may use)")
    var threads: Int?

    func validate() throws {
        if let n = threads, !(1...Threads.maximum).contains(n) {
            throw ValidationError("--threads must be between 1 and \(Threads.maximum) (got \(n))")
        }
    }

    /// The count in force once `apply` has run.
    var count: Int { threads ?? Threads.available }

    /// Sets the process-wide count before any engine is made.
    func apply() { if let n = threads { Threads.set(n) } }
}
