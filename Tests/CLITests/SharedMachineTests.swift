import Foundation
import XCTest

/// charrnn on a machine it shares: every thread runs at the priority it was started at.
final class SharedMachineTests: CLITestCase {
    /// The nice value of each thread of process `pid` (Linux: field 19 of /proc/PID/task/TID/stat).
    func threadNiceness(_ pid: Int32) -> [Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        return tasks.compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/task/\(tid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            // Fields after "(comm)": state is field 3, nice is field 19.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 16 ? Int(fields[16]) : nil
        }
    }

    func testUnderNiceNoThreadRunsAboveTheProcess() throws {
        #if !os(Linux)
            throw XCTSkip("reads /proc")
        #else
            let corpus = temp("nice.txt"), runs = temp("nice-runs")
            try Self.generatedText(characters: 60_000).write(toFile: corpus, atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
            p.arguments = [
                "-n", "19", Self.binary.path, "train", corpus, "--hidden", "64", "--batch", "16", "--seq", "32",
                "--steps", "150", "--threads", "2", "--checkpoint-dir", runs, "--name", "n", "--quiet",
            ]
            try p.run()
            var seen: [Int] = []
            var threads = 0
            while p.isRunning {
                // Once `nice` has set the priority and started charrnn in its place.
                let comm = try? String(contentsOfFile: "/proc/\(p.processIdentifier)/comm", encoding: .utf8)
                guard comm?.hasPrefix("charrnn") == true else {
                    usleep(1_000)
                    continue
                }
                let n = threadNiceness(p.processIdentifier)
                seen += n
                threads = max(threads, n.count)
                usleep(20_000)
            }
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0)
            XCTAssertGreaterThanOrEqual(threads, 2, "the run used its worker thread while it was watched")
            XCTAssertFalse(seen.isEmpty)
            XCTAssertEqual(seen.filter { $0 != 19 }, [], "every thread of a nice -n 19 run stays at 19")
        #endif
    }
}
