import Foundation
import XCTest

/// Every `charrnn …` command in the README and in docs/ parses: its subcommand and options exist
/// and their values are accepted (run with CHARRNN_PARSE_ONLY=1, which parses and stops).
final class DocumentedCommandsTests: CLITestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The shell lines of a Markdown file, continuation lines joined, with their line numbers:
    /// every line of a ```sh block, and the `$ ` lines of a plain ``` block (a session with its
    /// output). ```text blocks (usage synopses) are not commands.
    static func shellLines(_ path: String) throws -> [(line: Int, text: String)] {
        var lines: [(Int, String)] = []
        var block: String?, pending: (Int, String)?
        for (i, raw) in try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).enumerated() {
            let line = String(raw)
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            guard let kind = block, ["sh", "bash", ""].contains(kind) else { continue }
            if kind == "" && pending == nil && !line.hasPrefix("$ ") { continue }
            var text = line.hasPrefix("$ ") ? String(line.dropFirst(2)) : line
            if let p = pending { text = p.1 + " " + text.trimmingCharacters(in: .whitespaces) }
            if text.hasSuffix("\\") {
                pending = (pending?.0 ?? i + 1, String(text.dropLast()))
                continue
            }
            lines.append((pending?.0 ?? i + 1, text))
            pending = nil
        }
        return lines
    }

    /// The `charrnn` commands of a shell line (split at &&, ||, ; and |; comments dropped).
    static func commands(_ line: String) -> [String] {
        let code = line.hasPrefix("#") ? "" : line
        var parts = [code]
        for separator in ["&&", "||", ";", "|"] {
            parts = parts.flatMap { $0.components(separatedBy: separator) }
        }
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter {
            $0.hasPrefix("charrnn ") || $0.hasPrefix(".build/release/charrnn ") || $0.hasPrefix("nice -n 19 charrnn ")
        }
    }

    func testEveryDocumentedCommandParses() throws {
        let docs = Self.root.appendingPathComponent("docs").path
        var files = [Self.root.appendingPathComponent("README.md").path]
        for name in (try? FileManager.default.contentsOfDirectory(atPath: docs)) ?? [] where name.hasSuffix(".md") {
            files.append(docs + "/" + name)
        }
        let folder = temp("documented")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var checked = 0
        for file in files {
            for (line, text) in try Self.shellLines(file) {
                for command in Self.commands(text) {
                    // The shell does the quoting; `charrnn` is this build, parsing only; redirections
                    // land in a scratch folder.
                    let sh = Process()
                    sh.executableURL = URL(fileURLWithPath: "/bin/bash")
                    sh.currentDirectoryURL = URL(fileURLWithPath: folder)
                    sh.environment = ProcessInfo.processInfo.environment.merging(["CHARRNN_PARSE_ONLY": "1"]) { $1 }
                    let words = command.replacingOccurrences(of: ".build/release/charrnn ", with: "charrnn ")
                        .replacingOccurrences(of: "nice -n 19 charrnn ", with: "charrnn ")
                    sh.arguments = ["-c", "charrnn() { '\(Self.binary.path)' \"$@\"; }; " + words]
                    let err = Pipe()
                    sh.standardError = err
                    sh.standardOutput = FileHandle.nullDevice
                    try sh.run()
                    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    sh.waitUntilExit()
                    XCTAssertEqual(
                        sh.terminationStatus, 0,
                        "\(URL(fileURLWithPath: file).lastPathComponent):\(line): \(command)\n\(message)")
                    checked += 1
                }
            }
        }
        XCTAssertGreaterThan(checked, 20, "the README and docs show charrnn commands")
    }
}
