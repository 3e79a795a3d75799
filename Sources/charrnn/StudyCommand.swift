import ArgumentParser
import CharRNN
import Foundation

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract:
            "A fair LSTM-versus-GRU comparison: matched parameters, same data, budget and seeds; a report with "
                + "statistics.",
        discussion: """
            Trains LSTM and GRU models whose parameter counts differ by less than 2%, on one split (train, \
            validation for model selection, and the last --test-fraction of the file scored only at the end), \
            with the same seeds and other hyper-parameters. Writes DIR/report.md (verdict, 95% intervals, paired \
            LSTM − GRU differences), SVG learning curves, results.json, and every run's folder under DIR/runs/.
            """)

    @Argument(help: "The text file") var file: String
    @Option(help: "Training time per run, e.g. 90s, 5m or 1h30m (as train's --time)") var time: String?
    @Option(parsing: .unconditional, help: "Characters seen per run (instead of --time)") var chars: Int?
    @Option(parsing: .unconditional, help: "Target parameter count of both models") var params: Int = 1_000_000
    @Option(parsing: .unconditional, help: "Seeds per architecture") var seeds: Int = 3
    @Option(name: .shortAndLong, help: "Output folder") var output: String = "study"
    @Option(parsing: .unconditional, help: "Layers of both models") var layers: Int = 2
    @Option(parsing: .unconditional, help: "Dropout of both models", transform: finiteNumber) var dropout: Float = 0.1
    @Option(parsing: .unconditional, help: "Parallel streams per batch") var batch: Int = 32
    @Option(parsing: .unconditional, help: "Truncated BPTT length") var seq: Int = 64
    @Option(parsing: .unconditional, help: "Peak learning rate", transform: finiteNumber) var lr: Float = 3e-3
    @Option(
        name: .customLong("test-fraction"), parsing: .unconditional,
        help: "Last fraction of the file held out as the test set", transform: finiteNumber) var testFraction: Double =
            0.1
    @Option(
        name: .customLong("val-fraction"), parsing: .unconditional, help: "Fraction before it used for validation",
        transform: finiteNumber) var valFraction: Double = 0.1
    @Flag(help: "Train on raw bytes") var bytes = false
    @Flag(help: "Replace an earlier study in --output") var overwrite = false
    @Flag(help: "Continue an earlier study in --output: keep its finished runs, train the others") var resume = false
    @Option(help: "text, markdown or json") var format: OutputFormat = .text

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if time == nil && chars == nil { throw ValidationError("give --time (e.g. 5m) or --chars N") }
        if let t = time { try checkDuration(t, flag: "--time") }
        if let c = chars, c <= 0 { throw ValidationError("--chars must be positive") }
        if resume && overwrite { throw ValidationError("give --resume or --overwrite, not both") }
        if params < 1000 { throw ValidationError("--params must be at least 1000 (got \(params))") }
        if seeds <= 0 { throw ValidationError("--seeds must be positive (got \(seeds))") }
        if layers <= 0 || batch <= 0 || seq <= 0 {
            throw ValidationError("--layers, --batch and --seq must be positive")
        }
        if !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        if !(testFraction > 0 && valFraction > 0 && testFraction + valFraction < 0.9) {
            throw ValidationError(
                "--test-fraction and --val-fraction must be positive and leave most of the file for training")
        }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            var o = Study.Options(file: file, out: output)
            o.budgetSeconds = time.flatMap(parseDuration); o.characters = chars
            o.parameters = params; o.seeds = seeds; o.layers = layers; o.dropout = dropout
            o.batch = batch; o.sequence = seq; o.learningRate = lr
            o.testFraction = testFraction; o.validationFraction = valFraction; o.bytes = bytes
            o.overwrite = overwrite
            o.resume = resume
            if !overwrite && !resume,
                FileManager.default.fileExists(atPath: output + "/report.md")
                    || FileManager.default.fileExists(atPath: output + "/runs")
            {
                throw CLIError(
                    "\(output): holds an earlier study; give --resume to continue it, --overwrite to replace it, "
                        + "or another --output")
            }
            let study = Study(o)
            study.log = { writeErr($0 + "\n") }
            let report = try study.run()
            if format == .json {
                struct Out: Encodable {
                    var summaries: [StudyReport.Summary]
                    var differenceOverCharacters: Statistics.Interval, differenceOverSeeds: Statistics.Interval
                    var verdict: String
                }
                printJSON(
                    Out(
                        summaries: report.summaries, differenceOverCharacters: report.differenceOverCharacters,
                        differenceOverSeeds: report.differenceOverSeedsT, verdict: report.verdict))
            } else {
                let rows = report.summaries.map { s in
                    [
                        "\(s.architecture.displayName) \(layers)×\(s.hiddenSize)", formatCount(s.parameters),
                        s.testNats.text,
                        s.testBits.text, s.testPerplexity.text, formatCount(Int(s.charactersPerSecond)),
                    ]
                }
                print(
                    renderRows(
                        format,
                        header: [
                            "architecture", "parameters", "test nats/char (95% CI over seeds)",
                            "bits/char", "perplexity", "chars/s",
                        ], rows: rows, rightAligned: [1, 5]))
                print(
                    "\nLSTM − GRU: \(report.differenceOverCharacters.text) nats/char over characters; "
                        + "\(report.differenceOverSeedsT.text) over seeds")
                print(report.verdict)
            }
            writeErr("report: \(output)/report.md\n")
        }
    }
}
