import Foundation
import XCTest

/// `charrnn view`: the page, its numbers, and a browser's rendering of it.
final class ViewCommandTests: CLITestCase {
    /// The first Chromium on PATH, if any.
    static var chromium: String? {
        let dirs = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            for d in dirs where FileManager.default.isExecutableFile(atPath: "\(d)/\(name)") { return "\(d)/\(name)" }
        }
        return nil
    }

    /// `charrnn view`: one self-contained page whose totals match `compare`, with notices for a cut
    /// text and for two vocabularies, clear errors for bad checkpoints, and, in a headless Chromium,
    /// coloured spans, a prediction panel and a list of units holding the numbers of the page's data.
    func testViewWritesAPageThatABrowserRendersWithTheRightNumbers() throws {
        let corpus = temp("corpus.txt"), noDots = temp("nodots.txt"), runs = temp("runs")
        let text = Self.generatedText(characters: 20_000)
        try text.write(toFile: corpus, atomically: true, encoding: .utf8)
        try text.replacingOccurrences(of: ".", with: "").write(toFile: noDots, atomically: true, encoding: .utf8)
        for (name, arch, file) in [("a", "lstm", corpus), ("b", "gru", noDots)] {
            let r = try run([
                "train", file, "--arch", arch, "--hidden", "16", "--batch", "8", "--seq", "16", "--steps", "40",
                "--checkpoint-dir", runs, "--name", name, "--quiet",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let a = runs + "/a/best.ckpt", b = runs + "/b/best.ckpt", page = temp("view.html")
        let view = try run(["view", a, b, "--text", corpus, "-o", page])
        XCTAssertEqual(view.status, 0, view.stderr)
        let compare = try run(["compare", a, b, "--text", corpus]).stdout
        let html = try String(contentsOfFile: page, encoding: .utf8)
        for banned in ["<script src", "<link ", "@import", "url(http"] { XCTAssertFalse(html.contains(banned), banned) }
        // The page's data: totals and every model's arrays.
        let start = html.range(of: "<script type=\"application/json\" id=\"data\">")!.upperBound
        let end = html.range(of: "</script>", range: start..<html.endIndex)!.lowerBound
        let data =
            try JSONSerialization.jsonObject(
                with: Data(html[start..<end].replacingOccurrences(of: "<\\/", with: "</").utf8)) as! [String: Any]
        let models = data["models"] as! [[String: Any]]
        let nats = models.map { String(format: "%.4f", $0["nats"] as! Double) }
        for n in nats { XCTAssertTrue(compare.contains(n), "\(n) in\n\(compare)") }
        XCTAssertFalse(data["sameVocabulary"] as! Bool)
        XCTAssertTrue(view.stderr.contains(nats[0] + " nats/char"), view.stderr)

        // Bad input.
        let cut = try run(["view", a, "--text", corpus, "--max-chars", "5000", "-o", temp("cut.html")])
        XCTAssertEqual(cut.status, 0)
        XCTAssertTrue(cut.stderr.contains("note: showing the first 5000 of 20"), cut.stderr)
        let missing = try run(["view", temp("nothing.ckpt"), "--text", corpus, "-o", temp("x.html")])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.hasPrefix("charrnn: error: ") && missing.stderr.split(separator: "\n").count == 1)
        let damaged = temp("damaged.ckpt")
        try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: damaged))
        let bad = try run(["view", damaged, "--text", corpus, "-o", temp("y.html")])
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.hasPrefix("charrnn: error: \(damaged)"), bad.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: temp("y.html")))

        guard let chromium = Self.chromium else {
            throw XCTSkip("no Chromium on PATH (apt-get install -y chromium): the page was checked without a browser")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chromium)
        p.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertTrue(dom.contains("data-ready=\"1\""), "the script ran to the end")
        XCTAssertGreaterThanOrEqual(dom.components(separatedBy: "<span data-i=").count - 1, 1000, "coloured spans")
        XCTAssertGreaterThan(dom.components(separatedBy: "style=\"background:hsl(").count - 1, 500)
        XCTAssertTrue(dom.contains("id=\"vocab\""), "the page says the vocabularies differ")
        for n in nats { XCTAssertTrue(dom.contains("<td class=\"num nats\">\(n)</td>"), n) }
        // The prediction panel shows character 1: its surprisal and top-5 from the data.
        XCTAssertTrue(dom.contains("<span id=\"ppos\">1</span>"))
        for (k, m) in models.enumerated() {
            let loss = Data(base64Encoded: m["loss"] as! String)!.withUnsafeBytes {
                Array($0.bindMemory(to: Float.self))
            }
            let probs = Data(base64Encoded: m["topProbabilities"] as! String)!.withUnsafeBytes {
                Array($0.bindMemory(to: UInt16.self))
            }
            let panel = dom.components(separatedBy: "data-model=\"\(k)\"")[1]
            XCTAssertTrue(
                panel.hasPrefix("><b>")
                    && panel.contains(String(format: "<span class=\"bits\">%.3f</span>", loss[1] / log(2))),
                String(panel.prefix(300)))
            XCTAssertTrue(panel.contains(String(format: "<td class=\"p\">%.1f%%</td>", Double(probs[5]) / 65535 * 100)))
        }
        // The list of units, strongest first, with their correlations.
        let trackers = models.flatMap { $0["trackers"] as! [[String: Any]] }.map { $0["r"] as! Double }
        let items = (0..<models.count).map { dom.components(separatedBy: "<li data-m=\"\($0)\"").count - 1 }
        XCTAssertEqual(items.reduce(0, +), trackers.count)
        let strongest = trackers.max { abs($0) < abs($1) }!
        let shown = String(format: "r = %@%.2f", strongest >= 0 ? "+" : "−", abs(strongest))
        let first = dom.components(separatedBy: "<li data-m=")[1]
        XCTAssertTrue(first.contains(shown), "\(shown) in \(first.prefix(200))")
        XCTAssertEqual(
            dom.components(separatedBy: "<circle class=\"dot\"").count - 1, 16 * (3 + 2) * 2, "saturation dots")
    }
}
