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

/// The folder of one training run (`CHECKPOINT-DIR/NAME`): best.ckpt, latest.ckpt, metrics.jsonl
/// and, while a process trains in it, the `.lock` that keeps a second process out.
public enum RunFolder {
    /// A bad run name or checkpoint folder.
    public enum Failure: Error, CustomStringConvertible, Equatable {
        case badName(String, reason: String)
        case emptyCheckpointDirectory
        /// One line naming the flag.
        public var description: String {
            switch self {
            case .badName(let n, let r): return "\(TrainFlag.name.text) '\(n)': \(r)"
            case .emptyCheckpointDirectory: return "\(TrainFlag.checkpointDir.text): the path is empty"
            }
        }
    }

    /// A run name is one path component, so a run can never write outside its checkpoint folder.
    public static func checkName(_ name: String) throws {
        if name.isEmpty { throw Failure.badName(name, reason: "a run name cannot be empty") }
        if name == "." || name == ".." { throw Failure.badName(name, reason: "a run name cannot be . or ..") }
        if name.contains("/") { throw Failure.badName(name, reason: "a run name is one folder name, without /") }
        if name.unicodeScalars.contains(where: \.isControlCharacter) {
            throw Failure.badName(name, reason: "a run name cannot contain control characters")
        }
        if name.utf8.count > 255 { throw Failure.badName(name, reason: "longer than 255 bytes") }
    }

    /// `checkpointDirectory/name`, after checking both.
    public static func path(checkpointDirectory: String, name: String) throws -> String {
        if checkpointDirectory.isEmpty { throw Failure.emptyCheckpointDirectory }
        try checkName(name)
        return checkpointDirectory + "/" + name
    }

    /// A new run's identity: 16 random hex digits from the system's generator.
    static func newRunID() -> String {
        var g = SystemRandomNumberGenerator()
        let v = g.next() as UInt64
        let hex = String(v, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// Refuses to resume into `folder` unless it is the run's own: the checkpoint has one of the
    /// names a run gives its checkpoints (best.ckpt, latest.ckpt, step-N.ckpt; any other name is a
    /// copy), and the checkpoints and log already there belong to the same run (same name and
    /// identity).
    static func checkOwnership(_ folder: String, runName: String, runID: String?, checkpoint: String) throws {
        func refuse(_ reason: String) -> TrainingError {
            .foreignFolder(folder: folder, checkpoint: checkpoint, reason: reason)
        }
        let file = PathName.lastComponent(checkpoint)
        let kept = file.hasPrefix("step-") && file.hasSuffix(".ckpt") && Int(file.dropFirst(5).dropLast(5)) != nil
        guard file == "best.ckpt" || file == "latest.ckpt" || kept else {
            throw refuse("a run names its checkpoints best.ckpt, latest.ckpt or step-N.ckpt; \(file) is a copy")
        }
        let resumed = canonicalPath(checkpoint)
        for name in ["best.ckpt", "latest.ckpt"] {
            let path = folder + "/" + name
            guard FileManager.default.fileExists(atPath: path), canonicalPath(path) != resumed else { continue }
            guard let other = try? Checkpoint.load(path), let record = other.training else {
                throw refuse("its \(name) is not a training checkpoint of this run")
            }
            if record.runName != runName
                || (runID != nil && record.progress.runID != nil && record.progress.runID != runID)
            {
                throw refuse("its \(name) belongs to another run, '\(record.runName)'")
            }
        }
        let log = folder + "/metrics.jsonl"
        var info = stat()
        if stat(log, &info) == 0 && info.st_size > 0 {  // an empty log holds nothing of another run
            guard let header = MetricsLog.header(log) else { throw refuse("its metrics.jsonl is not a charrnn log") }
            if let id = header, let runID, id != runID { throw refuse("its metrics.jsonl is another run's log") }
        }
    }

    /// The path with symbolic links and . / .. resolved (the path itself when that fails).
    static func canonicalPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The files a run writes in its folder.
    public static let runFiles = ["best.ckpt", "latest.ckpt", "metrics.jsonl", RunResult.fileName]

    /// Whether `folder` already holds a run's files.
    public static func holdsRun(_ folder: String) -> Bool {
        runFiles.contains { FileManager.default.fileExists(atPath: folder + "/" + $0) }
    }

    /// Removes a run's files (and nothing else) from `folder`: `--overwrite`. Also checkpoints kept
    /// as history (`step-N.ckpt`).
    static func clearRun(_ folder: String) {
        for name in runFiles { try? FileManager.default.removeItem(atPath: folder + "/" + name) }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.hasPrefix("step-") && name.hasSuffix(".ckpt") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }

    /// Checks, without creating anything, that `folder` could be created and written: it exists
    /// and takes a file, or its nearest existing ancestor is a writable directory. A refused run
    /// then leaves nothing behind.
    public static func checkWritable(_ folder: String) throws {
        if folder.isEmpty { throw Failure.emptyCheckpointDirectory }
        var info = stat()
        if stat(folder, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw TrainingError.unwritableFolder(path: folder, reason: "not a directory")
            }
            let probe = folder + "/.write-test-\(getpid())"
            guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
                throw TrainingError.unwritableFolder(path: folder, reason: "permission denied")
            }
            try? FileManager.default.removeItem(atPath: probe)
            return
        }
        var ancestor = OutputFile.folder(of: folder)
        while stat(ancestor, &info) != 0 && ancestor != "/" && ancestor != "." {
            ancestor = OutputFile.folder(of: ancestor)
        }
        guard stat(ancestor, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR else {
            throw TrainingError.unwritableFolder(path: folder, reason: "\(ancestor) is not a directory")
        }
        guard access(ancestor, W_OK) == 0 else {
            throw TrainingError.unwritableFolder(path: folder, reason: "permission denied")
        }
    }

    /// Creates the folder and proves it is writable before any training time is spent.
    public static func prepare(_ folder: String) throws {
        if folder.isEmpty { throw Failure.emptyCheckpointDirectory }
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw TrainingError.unwritableFolder(path: folder, reason: String(describing: error))
        }
        let probe = folder + "/.write-test-\(getpid())"
        guard FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8)) else {
            throw TrainingError.unwritableFolder(path: folder, reason: "permission denied")
        }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// Temporary files left by a process killed while writing a checkpoint. Call only while
    /// holding the folder's lock: another process's temporary file may be in use.
    static func removeStaleTemporaryFiles(_ folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        where name.contains(".ckpt.tmp-") {
            try? FileManager.default.removeItem(atPath: folder + "/" + name)
        }
    }
}
