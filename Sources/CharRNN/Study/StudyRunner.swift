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
import Synchronization

/// Executes the runs of a study folder that have not finished, `jobs` at a time, each as its own
/// `charrnn train … --continue` process (the manifest's line, so a line run by hand or by a
/// scheduler does the same). Repeats until nothing is missing: the grid's runs appear in the
/// manifest once their arm's search has finished. A run killed midway resumes from its
/// latest.ckpt; a finished run (with result.json) is never redone.
public struct StudyRunner: Sendable {
    /// The study folder.
    public var directory: String
    /// The `charrnn` executable that runs each line.
    public var executable: String
    /// Runs at a time.
    public var jobs = 1
    /// `--threads` of each run.
    public var threadsPerJob = 1
    /// Progress lines; nothing by default.
    public var log: @Sendable (String) -> Void = { _ in }
    /// Checked before each run starts: true stops starting new ones.
    public var shouldStop: @Sendable () -> Bool = { false }

    /// A runner for the study in `directory`.
    public init(directory: String, executable: String) {
        self.directory = directory; self.executable = executable
    }

    /// What `run` did.
    public struct Outcome: Sendable {
        /// Runs finished by this call, and runs that were finished already.
        public var finished = 0, alreadyFinished = 0
        /// Runs that exited with an error (their logs are in DIR/logs).
        public var failed: [String] = []
        /// Whether it stopped early (`shouldStop`, or a run interrupted).
        public var interrupted = false
    }

    /// Runs every missing run (rewriting runs.txt as the search finishes).
    public func run() throws -> Outcome {
        let plan = try StudyPlan.load(from: directory)
        var outcome = Outcome()
        var attempted: Set<String> = []
        while true {
            let runs = try plan.writeManifest(in: directory)
            let missing = runs.filter {
                RunResult.load(runDirectory: directory + "/runs/" + $0.name) == nil && !attempted.contains($0.name)
            }
            if attempted.isEmpty { outcome.alreadyFinished = runs.count - missing.count }
            if missing.isEmpty || outcome.interrupted || !outcome.failed.isEmpty { break }
            try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
            log("study: \(missing.count) run\(missing.count == 1 ? "" : "s") to do, \(jobs) at a time")
            let next = Mutex(0), results = Mutex<[(String, Int32, Double)]>([])
            let total = missing.count, started = Date()
            DispatchQueue.concurrentPerform(iterations: min(jobs, total)) { _ in
                while !shouldStop() {
                    let i: Int = next.withLock { n in
                        defer { n += 1 }
                        return n
                    }
                    guard i < total else { return }
                    let run = missing[i]
                    let t0 = Date()
                    let status = execute(run)
                    let seconds = Date().timeIntervalSince(t0)
                    let done = results.withLock { r in
                        r.append((run.name, status, seconds))
                        return r.count
                    }
                    var line = "[\(done)/\(total)] \(run.name): "
                    if status == 0, let r = RunResult.load(runDirectory: directory + "/runs/" + run.name) {
                        line += String(
                            printf: "test %.4f nats/char, best validation %.4f, ", r.testLoss ?? .nan,
                            r.bestValidationLoss ?? .nan) + formatDuration(seconds)
                    } else {
                        line += "exit \(status); see \(directory)/logs/\(run.name).log"
                    }
                    let elapsed = Date().timeIntervalSince(started)
                    if done < total {
                        line += "; about \(formatDuration(elapsed / Double(done) * Double(total - done))) left"
                    }
                    log(line)
                }
            }
            for (name, status, _) in results.withLock({ $0 }) {
                attempted.insert(name)
                if status == 0 {
                    outcome.finished += 1
                } else if status == 130 {
                    outcome.interrupted = true
                } else {
                    outcome.failed.append(name)
                }
            }
            if shouldStop() { outcome.interrupted = true }
        }
        return outcome
    }

    /// Runs one line as a process, its output appended to DIR/logs/NAME.log; its exit status.
    func execute(_ run: StudyPlan.Run) -> Int32 {
        let logPath = directory + "/logs/" + run.name + ".log"
        guard let out = PosixFile.appending(logPath) else { return 1 }
        out.write("$ " + run.commandLine + "\n")
        let arguments = [executable] + Array(run.words.dropFirst()) + ["--threads", "\(threadsPerJob)"]
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, out.descriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, out.descriptor, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        let started = posix_spawn(&pid, executable, &actions, nil, &argv, environ)
        guard started == 0 else {
            out.write("could not start \(executable): \(PosixError(code: started))\n")
            return 127
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
