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
        /// Runs skipped because another process holds their folder's lock (not failures).
        public var busy: [String] = []
    }

    /// The environment variable that tells a study's `charrnn train` its parent's pid, so that it
    /// ends with it (Linux: PR_SET_PDEATHSIG).
    public static let parentVariable = "CHARRNN_STUDY_PARENT"

    /// The pids of the running children, for forwarding a stop.
    final class Children: Sendable {
        private let pids = Mutex<Set<pid_t>>([])
        func add(_ pid: pid_t) { pids.withLock { _ = $0.insert(pid) } }
        func remove(_ pid: pid_t) { pids.withLock { _ = $0.remove(pid) } }
        func signal(_ sig: Int32) { pids.withLock { for p in $0 { kill(p, sig) } } }
    }

    /// The exit status `execute` gives a run whose folder another process holds.
    static let busyStatus: Int32 = -1

    /// Runs every missing run (rewriting runs.txt as the search finishes).
    /// Only one `study run` works in a folder at a time (the folder's `.lock`); a second is refused
    /// with the holder's pid. A stop (`shouldStop`) is forwarded to every running child as SIGTERM,
    /// and each child saves its latest.ckpt and exits.
    public func run() throws -> Outcome {
        let plan = try StudyPlan.load(from: directory)
        let lock: RunLock
        do { lock = try RunLock(folder: directory) } catch RunLock.Failure.held(_, let pid) {
            throw StudyError.busy(directory: directory, pid: pid)
        }
        let children = Children(), finished = Atomic<Bool>(false)
        let watcher = OwnThread { [shouldStop] in
            var forwarded = false
            while !finished.load(ordering: .acquiring) {
                if !forwarded && shouldStop() {
                    children.signal(SIGTERM)
                    forwarded = true
                }
                usleep(50_000)
            }
        }
        defer {
            finished.store(true, ordering: .releasing)
            watcher.join()
            withExtendedLifetime(lock) {}
        }
        return try runMissing(plan, children: children)
    }

    /// What the workers share: the runs taken, the outcome so far, and the log's counters.
    private struct Schedule {
        var taken: Set<String> = [], running = 0, done = 0, failedOrStopped = false
        var outcome = Outcome()
        /// The planned seconds (`StudyPlan.plannedSeconds`) this call has trained in runs it
        /// finished, and each running run's planned seconds and how far it had got when it started.
        var plannedDone = 0.0
        var inFlight: [String: (run: StudyPlan.Run, planned: Double, start: Double)] = [:]
    }

    /// Runs the missing runs, `jobs` at a time. Each worker takes the first missing run of a freshly
    /// written manifest, so a run that a finished one unlocks (the next budget's search, a point's
    /// grid runs) comes before runs further down: the manifest's order is the order of work. A worker
    /// with nothing to take waits while others run (they may unlock more), and stops when nothing
    /// runs and nothing is missing, on `shouldStop`, or after a failure.
    private func runMissing(_ plan: StudyPlan, children: Children) throws -> Outcome {
        let first = try plan.writeManifest(in: directory)
        let missingAtStart = first.filter { RunResult.load(runDirectory: directory + "/runs/" + $0.name) == nil }
        let schedule = Mutex(Schedule())
        schedule.withLock { $0.outcome.alreadyFinished = first.count - missingAtStart.count }
        if missingAtStart.isEmpty { return schedule.withLock { $0.outcome } }
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        log("study: \(missingAtStart.count) run\(missingAtStart.count == 1 ? "" : "s") known to do, \(jobs) at a time")
        let started = Date()
        onOwnThreads(jobs) { _ in
            while !shouldStop() {
                let pick = takeNext(plan, schedule)
                guard let run = pick.run else {
                    if pick.wait { usleep(200_000); continue }
                    return
                }
                let planned = plan.plannedSeconds(of: run), start = progress(of: run)
                if let planned { schedule.withLock { $0.inFlight[run.name] = (run, planned, start) } }
                let t0 = Date()
                let status = execute(run, children: children)
                let seconds = Date().timeIntervalSince(t0)
                let done = record(status, of: run, in: schedule)
                schedule.withLock { s in
                    s.inFlight[run.name] = nil
                    if status == 0, let planned { s.plannedDone += planned * (1 - start) }
                }
                log(
                    progressLine(run, status: status, seconds: seconds, done: done, started: started)
                        + timeLeft(plan, schedule, started: started))
            }
        }
        return schedule.withLock { s in
            if shouldStop() { s.outcome.interrupted = true }
            return s.outcome
        }
    }

    /// The first missing run that no worker has taken, taken under the lock (the manifest is
    /// rewritten there too); without one, whether to wait for the running ones.
    private func takeNext(_ plan: StudyPlan, _ schedule: borrowing Mutex<Schedule>) -> (run: StudyPlan.Run?, wait: Bool)
    {
        schedule.withLock { s in
            if s.failedOrStopped { return (nil, false) }
            let runs = (try? plan.writeManifest(in: directory)) ?? []
            let next = runs.first {
                !s.taken.contains($0.name) && RunResult.load(runDirectory: directory + "/runs/" + $0.name) == nil
            }
            guard let r = next else { return (nil, s.running > 0) }
            s.taken.insert(r.name); s.running += 1
            return (r, false)
        }
    }

    /// Counts a run that ended with `status`; the number of runs done so far.
    private func record(_ status: Int32, of run: StudyPlan.Run, in schedule: borrowing Mutex<Schedule>) -> Int {
        schedule.withLock { s in
            s.running -= 1; s.done += 1
            // Once a stop is asked for, a run that ends unfinished was stopped, not failed:
            // a child the SIGTERM reached before it set its handler dies of the signal (143).
            switch status {
            case 0: s.outcome.finished += 1
            case Self.busyStatus: s.outcome.busy.append(run.name)
            case _ where status == 130 || shouldStop():
                s.outcome.interrupted = true; s.failedOrStopped = true
            default: s.outcome.failed.append(run.name); s.failedOrStopped = true
            }
            return s.done
        }
    }

    /// "[3 done] NAME: test 1.2345 nats/char, best validation 1.2300, 1m02s; 5m20s so far" (the time left
    /// follows: `timeLeft`).
    private func progressLine(_ run: StudyPlan.Run, status: Int32, seconds: Double, done: Int, started: Date) -> String
    {
        var line = "[\(done) done] \(run.name): "
        if status == 0, let r = RunResult.load(runDirectory: directory + "/runs/" + run.name) {
            line +=
                String(
                    printf: "test %.4f nats/char, best validation %.4f, ", r.testLoss ?? .nan,
                    r.bestValidationLoss ?? .nan) + formatDuration(seconds)
        } else if status == Self.busyStatus {
            line += "skipped: another process is training it"
        } else {
            line += "exit \(status); see \(directory)/logs/\(run.name).log"
        }
        return line + "; \(formatDuration(Date().timeIntervalSince(started))) so far"
    }

    /// ", about 1h40m left at this pace": the planned seconds left (`StudyPlan.secondsLeft`, less
    /// what the running runs have done) over the pace, the planned seconds trained per second since
    /// this call began (finished runs and the running ones' progress, less where each started), which
    /// takes in this machine and the jobs at a time. Nothing for a plan without measured speeds.
    private func timeLeft(_ plan: StudyPlan, _ schedule: borrowing Mutex<Schedule>, started: Date) -> String {
        let (done, running) = schedule.withLock { ($0.plannedDone, Array($0.inFlight.values)) }
        let now = running.map { (planned: $0.planned, start: $0.start, now: progress(of: $0.run)) }
        let pace =
            (done + now.map { $0.planned * max(0, $0.now - $0.start) }.reduce(0, +))
            / Date().timeIntervalSince(started)
        guard pace > 0,
            let all = plan.secondsLeft(
                known: plan.runs(in: directory),
                isFinished: { RunResult.load(runDirectory: directory + "/runs/" + $0.name) != nil })
        else { return "" }
        let left = all - now.map { $0.planned * $0.now }.reduce(0, +)
        return left > 0 ? ", about \(formatDuration(left / pace)) left at this pace" : ""
    }

    /// How far a run has got, 0…1: its metrics log's last record against its budget.
    func progress(of run: StudyPlan.Run) -> Double {
        guard let r = MetricsLog.lastRecord(directory + "/runs/" + run.name + "/metrics.jsonl") else { return 0 }
        switch run.budget {
        case .characters(let c): return min(1, max(0, Double(r.characters) / Double(max(1, c))))
        case .seconds(let s): return min(1, max(0, r.seconds / max(1e-9, s)))
        }
    }

    /// Runs one line as a process, its output appended to DIR/logs/NAME.log; its exit status.
    func execute(_ run: StudyPlan.Run, children: Children) -> Int32 {
        let runFolder = directory + "/runs/" + run.name
        if FileManager.default.fileExists(atPath: runFolder) {
            do { _ = try RunLock(folder: runFolder) } catch { return Self.busyStatus }
        }
        let logPath = directory + "/logs/" + run.name + ".log"
        guard let out = PosixFile.appending(logPath) else { return 1 }
        out.write("$ " + run.commandLine + "\n")
        var arguments = [executable] + Array(run.words.dropFirst()) + [TrainFlag.threads.text, "\(threadsPerJob)"]
        // A line from a plan made before bf16 names no precision: it ran, and runs, in fp32.
        if !run.words.contains(TrainFlag.precision.text) {
            arguments += [TrainFlag.precision.text, Precision.fp32.rawValue]
        }
        let pid: pid_t
        switch Self.spawn(executable, arguments: arguments, output: out.descriptor) {
        case .success(let p): pid = p
        case .failure(let error):
            out.write("could not start \(executable): \(error)\n")
            return 127
        }
        children.add(pid)
        defer { children.remove(pid) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Starts `executable` with stdout and stderr on `output`, no signal blocked, SIGINT, SIGTERM
    /// and SIGPIPE at their defaults (the spawning thread may block signals, and a child inherits
    /// the mask), and this process's pid in `parentVariable`.
    static func spawn(_ executable: String, arguments: [String], output: Int32) -> Result<pid_t, PosixError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, output, 2)
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var environment = childEnvironment().map { strdup($0) } + [nil]
        defer { for v in environment { free(v) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for sig in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let started = posix_spawn(&pid, executable, &actions, &attributes, &argv, &environment)
        return started == 0 ? .success(pid) : .failure(PosixError(code: started))
    }

    /// This process's environment, with `parentVariable` set to its pid.
    static func childEnvironment() -> [String] {
        var environment = ["\(parentVariable)=\(getpid())"]
        var e = environ
        while let entry = e.pointee {
            let variable = String(cString: entry)
            if !variable.hasPrefix(parentVariable + "=") { environment.append(variable) }
            e += 1
        }
        return environment
    }
}
