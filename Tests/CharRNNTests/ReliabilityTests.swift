import XCTest
@testable import CharRNN

/// The policies of "nothing lost": files, run folders, JSON numbers, memory, divergence.
final class ReliabilityTests: XCTestCase {
    func temp(_ name: String) -> String { NSTemporaryDirectory() + "charrnn-rel-\(UUID().uuidString)-\(name)" }

    func testInputsMustBeRegularFiles() throws {
        let fifo = temp("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        let loop = temp("loop")
        XCTAssertEqual(symlink(loop, loop), 0)
        XCTAssertThrowsError(try InputFile.check(fifo, expected: "text file")) {
            XCTAssertEqual($0 as? FileError, .notRegular(path: fifo, kind: "a named pipe"))
        }
        XCTAssertThrowsError(try InputFile.check("/dev/zero", expected: "text file")) {
            XCTAssertEqual($0 as? FileError, .notRegular(path: "/dev/zero", kind: "a character device"))
        }
        XCTAssertThrowsError(try InputFile.check(loop, expected: "text file")) {
            XCTAssertEqual($0 as? FileError, .unreadable(path: loop, reason: "too many levels of symbolic links"))
        }
        // A FIFO given as a corpus or a checkpoint is refused without being opened (no hang).
        XCTAssertThrowsError(try TextDecoding.readFile(fifo, kind: .unicode))
        XCTAssertThrowsError(try Checkpoint.load(fifo)) { XCTAssertTrue("\($0)".contains("is a named pipe"), "\($0)") }
        let file = temp("ok.txt")
        try "hello".write(toFile: file, atomically: true, encoding: .utf8)
        let link = temp("link.txt")
        XCTAssertEqual(symlink(file, link), 0)
        XCTAssertNoThrow(try InputFile.check(link, expected: "text file"), "a link to a regular file may be read")
    }

    func testOutputsAreOnlyRegularFilesThatAreNotInputs() throws {
        let fifo = temp("fifo")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        XCTAssertThrowsError(try OutputFile.write("x", to: fifo)) {
            XCTAssertEqual($0 as? FileError, .outputNotRegular(path: fifo, kind: "a named pipe"))
        }
        XCTAssertThrowsError(try OutputFile.write("x", to: "/dev/null")) {
            XCTAssertEqual($0 as? FileError, .outputNotRegular(path: "/dev/null", kind: "a character device"))
        }
        let target = temp("target.txt")
        try "keep".write(toFile: target, atomically: true, encoding: .utf8)
        let link = temp("link")
        XCTAssertEqual(symlink(target, link), 0)
        XCTAssertThrowsError(try OutputFile.write("x", to: link)) {
            XCTAssertEqual($0 as? FileError, .outputNotRegular(path: link, kind: "a symbolic link"))
        }
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "keep")
        XCTAssertThrowsError(try OutputFile.write("x", to: NSTemporaryDirectory())) {
            XCTAssertEqual($0 as? FileError, .isDirectory(path: NSTemporaryDirectory(), expected: "file to write"))
        }
        XCTAssertThrowsError(try OutputFile.write("x", to: target, inputs: [link])) {
            XCTAssertEqual($0 as? FileError, .outputIsInput(path: target))
        }
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "keep")
        try OutputFile.write("new", to: target)
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "new")
        // A bare file name: the folder is ".".
        XCTAssertEqual(OutputFile.folder(of: "a"), ".")
        XCTAssertEqual(OutputFile.folder(of: "/a"), "/")
        XCTAssertEqual(OutputFile.folder(of: "x/y/a"), "x/y")
    }

    func testRunNamesAreOnePathComponent() {
        for bad in ["", ".", "..", "../x", "a/b", "/abs", "x\n"] {
            XCTAssertThrowsError(try RunFolder.checkName(bad), bad)
        }
        XCTAssertThrowsError(try RunFolder.path(checkpointDirectory: "", name: "x"))
        XCTAssertNoThrow(try RunFolder.checkName("shakespeare-lstm-2x512"))
        XCTAssertNoThrow(try RunFolder.checkName("..x"))
    }

    func testARunFolderIsLockedWhileHeld() throws {
        let folder = temp("run")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var first: RunLock? = try RunLock(folder: folder)
        XCTAssertNotNil(first)
        // flock locks belong to the open file, so a second open in this process conflicts too.
        XCTAssertThrowsError(try RunLock(folder: folder)) {
            XCTAssertEqual($0 as? RunLock.Failure, .held(folder: folder, pid: getpid()))
        }
        first = nil
        XCTAssertNoThrow(try RunLock(folder: folder), "released with its owner")
    }

    func testJSONNeverFailsOnNonFiniteNumbers() throws {
        var m = MetricRecord(
            step: 1, epoch: 0, characters: 10, seconds: 1, trainLoss: .nan, validationLoss: .infinity,
            learningRate: 1e-3, charactersPerSecond: 1)
        let line = JSONCoding.string(m)
        XCTAssertTrue(line.contains("\"trainLoss\":\"NaN\""), line)
        XCTAssertTrue(line.contains("\"validationLoss\":\"Infinity\""), line)
        let back = try JSONCoding.decoder().decode(MetricRecord.self, from: Data(line.utf8))
        XCTAssertTrue(back.trainLoss.isNaN)
        XCTAssertEqual(back.validationLoss, .infinity)
        m.trainLoss = 1.5
        XCTAssertTrue(JSONCoding.string(m).contains("\"trainLoss\":1.5"))
    }

    func testMemoryIsCheckedBeforeAllocation() {
        let huge = ModelConfig(
            architecture: .lstm, vocabularySize: 65, hiddenSize: 100_000, layers: 2, embeddingSize: 0, dropout: 0)
        XCTAssertThrowsError(try MemoryEstimate.checkTraining(config: huge, batch: 32, steps: 64, threads: 2)) {
            XCTAssertTrue("\($0)".contains("this run needs about"), "\($0)")
        }
        let small = ModelConfig(
            architecture: .gru, vocabularySize: 65, hiddenSize: 128, layers: 2, embeddingSize: 0, dropout: 0)
        XCTAssertNoThrow(try MemoryEstimate.checkTraining(config: small, batch: 32, steps: 64, threads: 2))
        // The estimate covers at least the parameters' copies the trainer really holds.
        let p = Double(ParameterLayout(small).totalCount)
        XCTAssertGreaterThan(MemoryEstimate.trainingBytes(config: small, batch: 32, steps: 64, threads: 2), 4 * 12 * p)
    }

    /// A finite explosion (here from an absurd learning rate) counts as divergence: the run stops
    /// with an error, and its best checkpoint, if any, holds a sane loss.
    func testFiniteDivergenceIsCaught() throws {
        let file = temp("corpus.txt")
        try String(repeating: "the quick brown fox jumps over the lazy dog.\n", count: 60).write(
            toFile: file, atomically: true,
            encoding: .utf8)
        var s = TrainingSettings(trainFile: file)
        s.batch = 4; s.sequence = 16; s.learningRate = 1e9; s.warmupSteps = 0; s.steps = 30; s.evalEvery = 5
        let dir = temp("run")
        let t = try Trainer(
            settings: s, architecture: .lstm, layers: 1, hiddenSize: 16, embeddingSize: 0, dropout: 0,
            runDirectory: dir, runName: "div")
        // Either it stops ("diverged repeatedly") or it recovers with a much lower learning rate;
        // never does an exploded loss reach a checkpoint.
        do { _ = try t.run() } catch { XCTAssertTrue("\(error)".contains("diverged"), "\(error)") }
        XCTAssertLessThan(t.progress.learningRateScale, 1e-3, "the explosions were rolled back")
        let latest = try Checkpoint.load(dir + "/latest.ckpt")
        XCTAssertLessThan(latest.training!.progress.lastValidationLoss ?? 0, 6)
        if let best = try? Checkpoint.load(dir + "/best.ckpt") {
            XCTAssertLessThan(best.training!.progress.bestValidationLoss!, 6)
        }
    }
}
