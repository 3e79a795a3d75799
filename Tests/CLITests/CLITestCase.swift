import Foundation
import XCTest

/// What the CLI tests share: running the built `charrnn` binary, temporary paths and a generated
/// corpus. Holds no tests itself.
class CLITestCase: XCTestCase {
    struct Result { var status: Int32; var stdout: String; var stderr: String }

    static var binary: URL {
        // The test bundle sits in the build products folder (or is a file inside it).
        let bundle = Bundle(for: CLITestCase.self).bundleURL
        for dir in [bundle, bundle.deletingLastPathComponent()] {
            let candidate = dir.appendingPathComponent("charrnn")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return bundle.appendingPathComponent("charrnn")
    }

    @discardableResult
    func run(_ args: [String], file: StaticString = #filePath, line: UInt = #line) throws -> Result {
        let p = Process()
        p.executableURL = Self.binary
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
            stderr: String(decoding: e, as: UTF8.self))
    }

    func temp(_ name: String) -> String { NSTemporaryDirectory() + "charrnn-cli-\(UUID().uuidString)-\(name)" }

    /// Sentences from a tiny grammar, seeded, so the test corpus is the same every run.
    static func generatedText(characters: Int) -> String {
        let subjects = ["the cat", "a dog", "my friend", "the old man", "her sister"]
        let verbs = ["sees", "likes", "finds", "follows", "calls"]
        let objects = ["the river.", "a small bird.", "the red door.", "his hat.", "the moon."]
        var state: UInt64 = 12345
        func pick(_ a: [String]) -> String {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return a[Int((state >> 33) % UInt64(a.count))]
        }
        var s = ""
        while s.count < characters { s += "\(pick(subjects)) \(pick(verbs)) \(pick(objects))\n" }
        return s
    }
}
