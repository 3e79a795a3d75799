import ArgumentParser
import CharRNN
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

struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Write an HTML page showing what one or two models learned on a text.",
        discussion: """
            The page colours the text by each character's surprisal (or, for two checkpoints, by which \
            model predicted it better), shows each model's top-5 predictions at any character, colours \
            the text by any unit's activation (LSTM c, h, i, f, o; GRU h, r, z, n), lists the units that \
            track quotes, line position, brackets, indentation, words and capitals, and draws how often \
            each gate saturates. It is one self-contained file: no network.
            """)

    @Argument(help: "One or two checkpoints", completion: .file(extensions: ["ckpt"])) var checkpoints: [String]
    @Option(help: "The text to show (- reads standard input)", completion: .file()) var text: String?
    @Option(help: "Instead of --text: the validation or test part of the corpus the first checkpoint's run trained on")
    var split: Score.Split?
    @Option(
        name: [.customShort("o"), .customLong("out"), .customLong("output")],
        help: "The page to write (default: view.html)")
    var output: String?
    @Flag(help: "Replace view.html when it exists and no -o is given") var overwrite = false
    @Option(
        name: .customLong("max-chars"), parsing: .unconditional,
        help: "Show at most this many characters of the text (the rest is cut, with a notice)")
    var maxChars = 100_000
    @OptionGroup var precisionOption: PrecisionOption
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if checkpoints.isEmpty || checkpoints.count > 2 { throw ValidationError("give one or two checkpoints") }
        if (text == nil) == (split == nil) { throw ValidationError("give --text FILE or --split validation|test") }
        if maxChars < 2 || maxChars > 10_000_000 {
            throw ValidationError("--max-chars must be between 2 and 10000000 (got \(maxChars))")
        }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let output = self.output ?? "view.html"
            try OutputFile.checkDefault(output, given: self.output != nil, overwrite: overwrite)
            let precision = precisionOption.resolved
            let page =
                try split.map {
                    try ViewPage.make(
                        checkpoints: checkpoints, split: $0, maxCharacters: maxChars, precision: precision)
                } ?? ViewPage.make(checkpoints: checkpoints, text: text!, maxCharacters: maxChars, precision: precision)
            try OutputFile.write(page.html, to: output, inputs: checkpoints + (text.map { [$0] } ?? []))
            for (m, t) in zip(page.models, page.totals) {
                writeErr(
                    m.name
                        + String(
                            printf: ": %.4f nats/char (%.4f bits/char) over %d characters", t.nats,
                            t.nats / log(2),
                            t.scored) + "\n")
            }
            if page.text.count < page.totalCharacters {
                writeErr(
                    "note: showing the first \(page.text.count) of \(page.totalCharacters) characters (--max-chars)\n")
            }
            writeErr("page: \(output)\n")
        }
    }
}
