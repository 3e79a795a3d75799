import Foundation
import XCTest

/// `charrnn compare`: the table's rows align, with the best column kept when empty.
final class CompareCommandTests: CLITestCase {
    func testCompareTableRowsAlign() throws {
        let corpus = temp("corpus.txt"), runs = temp("runs")
        try Self.generatedText(characters: 20_000).write(toFile: corpus, atomically: true, encoding: .utf8)
        for name in ["a", "b"] {
            XCTAssertEqual(
                try run([
                    "train", corpus, "--layers", "1", "--hidden", "16", "--batch", "8", "--seq", "16",
                    "--steps", "10", "--checkpoint-dir", runs, "--name", name, "--quiet",
                ]).status, 0)
        }
        let table = try run(["compare", runs + "/a/best.ckpt", runs + "/b/best.ckpt", "--text", corpus]).stdout
        let lines = table.split(separator: "\n").prefix(4).map(String.init)
        // Every row of the table has the same width up to its last column, and counts have separators.
        XCTAssertTrue(
            lines[2].hasPrefix("   ") || lines[2].hasPrefix("*  "), "the empty best column keeps its width: \(lines[2])"
        )
        XCTAssertNotNil(lines[2].range(of: #"\d{1,3},\d{3}  "#, options: .regularExpression), lines[2])
        XCTAssertEqual(Set(lines[1...3].map { $0.count }).count, 1, "aligned rows:\n\(lines.joined(separator: "\n"))")
    }
}
