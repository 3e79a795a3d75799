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

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from checkpoints; the text streams to stdout.",
        discussion: """
            For each checkpoint, stderr first reports its architecture, parameter count and validation \
            perplexity. Without a prime the model starts as at the beginning of a line. --num-samples N \
            generates N samples at once, sample i with seed SEED+i, separated by blank lines.
            """)

    @Argument(help: "Checkpoint files", completion: .file(extensions: ["ckpt"])) var checkpoints: [String]
    @Option(parsing: .unconditional, help: "Characters to generate per sample") var length: Int = 500
    @Option(
        parsing: .unconditional,
        help: "Softmax temperature; 0 always takes the most likely character (default: 0.8)", transform: finiteNumber)
    var temperature: Double = 0.8
    @Option(
        name: .customLong("top-k"), parsing: .unconditional,
        help: "Sample only among the k most likely characters; 0 = all")
    var topK: Int = 0
    @Option(
        name: .customLong("top-p"), parsing: .unconditional,
        help: "Sample only among the most likely characters whose probabilities sum to p; 1 = all (default: 1)",
        transform: finiteNumber)
    var topP: Double = 1
    @Option(help: "Text to start from (printed, then continued)") var prime: String?
    @Option(
        name: .customLong("prime-file"), help: "Read the prime text from a file (- reads standard input)",
        completion: .file())
    var primeFile: String?
    @Option(
        name: .customLong("num-samples"), parsing: .unconditional,
        help: "Samples per checkpoint, generated together in one batched pass")
    var numSamples: Int = 1
    @Option(parsing: .unconditional, help: "Random seed (default: from the clock, reported on stderr)") var seed:
        UInt64?
    @Option(help: "Also report perplexity on this text") var eval: String?
    @Option(help: "text, or json: each sample's text, seed and mean surprisal") var format: OutputFormat = .text

    @OptionGroup var precisionOption: PrecisionOption
    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
        if length <= 0 { throw ValidationError("--length must be positive (got \(length))") }
        if !(temperature >= 0) { throw ValidationError("--temperature must be 0 or more (got \(temperature))") }
        if topK < 0 { throw ValidationError("--top-k must be 0 or more (got \(topK))") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1] (got \(topP))") }
        if !(1...4096).contains(numSamples) {
            throw ValidationError("--num-samples must be 1 to 4096 (got \(numSamples))")
        }
        if seed.map({ $0.addingReportingOverflow(UInt64(numSamples - 1)).overflow }) == true {
            throw ValidationError(
                "--seed \(seed!) with --num-samples \(numSamples): sample k uses seed + k, which would pass "
                    + "\(UInt64.max); give a seed of at most \(UInt64.max - UInt64(numSamples - 1))")
        }
        if prime != nil && primeFile != nil { throw ValidationError("give --prime or --prime-file, not both") }
        try format.check([.text, .json])
    }

    struct JSONSample: Codable {
        var checkpoint: String
        var seed: UInt64
        var prime: String
        var text: String
        var meanSurprisalNats: Double
        var meanSurprisalBits: Double
        /// A `--bytes` model's prime and sample as byte values: the exact output, where `text` (UTF-8
        /// with invalid sequences replaced by U+FFFD) cannot be.
        var primeBytes: [UInt8]?
        var bytes: [UInt8]?
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            // Scoring (--eval) and batched streams are matrix products; one stream is matrix–vector.
            let precision = precisionOption.resolved
            let sampling = numSamples == 1 ? precisionOption.resolvedForOneStream : precision
            let seedValue = seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
            let out = Output(mode: isatty(1) != 0 ? .character : .line)
            var json: [JSONSample] = []
            for (n, path) in checkpoints.enumerated() {
                json += try sample(
                    path, seed: seedValue, reportSeed: seed == nil && n == 0,
                    precision: (scoring: precision, sampling: sampling), to: out)
                if format == .text && n + 1 < checkpoints.count { out.write([0x0A]) }
                out.flush()
            }
            if format == .json { printJSON(json) }
        }
    }

    /// Samples from one checkpoint: the text streams to `out` (one stream) or follows in whole
    /// samples; with `--format json` the samples are returned instead.
    func sample(
        _ path: String, seed: UInt64, reportSeed: Bool, precision: (scoring: Precision, sampling: Precision),
        to out: Output
    ) throws -> [JSONSample] {
        let ckpt = try Checkpoint.load(path)
        let vocab = ckpt.vocabulary
        let primeIds = try primeTokens(vocab, checkpoint: path)
        let evalScore = try eval.map { try Score.score(checkpoint: path, text: $0, precision: precision.scoring).score }
        // Everything that can fail is done: now the header.
        writeHeader(path, ckpt, evalScore: evalScore, seed: reportSeed ? seed : nil)
        let generator = Generator(model: ckpt.makeModel(), streams: numSamples, precision: precision.sampling)
        // Parsed as Double so that errors show the value given; a p below Float's range keeps
        // only the most likely character, as any tiny p does.
        let options = Generator.Options(
            temperature: Float(temperature), topK: topK, topP: max(Float(topP), Float.leastNonzeroMagnitude))
        let primeText = primeIds.flatMap { vocab.bytes(of: $0) }
        let streaming = format == .text && numSamples == 1
        if streaming { out.write(primeText) }
        let samples = generator.generate(
            prime: primeIds.isEmpty ? [Generator.startToken(vocab)] : primeIds,
            length: length, seed: seed, options: options
        ) { _, token in
            if streaming { out.write(vocab.bytes(of: token)) }
            return true
        }
        let texts = samples.map { $0.tokens.flatMap { vocab.bytes(of: $0) } }
        if format == .json {
            return zip(samples, texts).map { jsonSample(path, prime: primeText, text: $1, $0, vocab) }
        }
        for (i, text) in texts.enumerated() {
            if !streaming {
                if i > 0 { out.write([0x0A]) }
                out.write(primeText + text)
            }
            out.write([0x0A])
        }
        return []
    }

    func jsonSample(
        _ path: String, prime: [UInt8], text: [UInt8], _ s: Generator.Sample, _ vocab: Vocabulary
    ) -> JSONSample {
        JSONSample(
            checkpoint: path, seed: s.seed, prime: String(decoding: prime, as: UTF8.self),
            text: String(decoding: text, as: UTF8.self), meanSurprisalNats: s.meanSurprisal,
            meanSurprisalBits: s.meanSurprisal / log(2),
            primeBytes: vocab.kind == .bytes ? prime : nil, bytes: vocab.kind == .bytes ? text : nil)
    }

    /// On stderr: the checkpoint, its validation perplexity, the seed drawn (when none was given)
    /// and the `--eval` score.
    func writeHeader(_ path: String, _ ckpt: Checkpoint, evalScore: Score?, seed drawn: UInt64?) {
        var header = "\(path): \(ckpt.summary)"
        if let v = ckpt.validationLoss {
            header += String(printf: ", validation perplexity %.3f (%.4f nats/char)", exp(v), v)
        }
        writeErr(header + "\n")
        if let seed = drawn { writeErr("seed: \(seed) (repeat this sample with --seed \(seed))\n") }
        if let evalPath = eval, let s = evalScore {
            writeErr(
                evalPath
                    + String(
                        printf: ": perplexity %.3f (%.4f nats/char, %.4f bits/char) on %d characters, %d not "
                            + "scored\n",
                        s.perplexity, s.natsPerCharacter, s.bitsPerCharacter, s.charactersScored,
                        s.charactersNotScored))
        }
    }

    /// The prime's token ids (empty without a prime); a character outside the vocabulary is an error.
    func primeTokens(_ vocab: Vocabulary, checkpoint path: String) throws -> [Int] {
        var symbols: [UInt32] = []
        if let p = prime {
            symbols = vocab.kind == .bytes ? Array(p.utf8).map(UInt32.init) : TextDecoding.scalars(of: p)
        } else if let f = primeFile {
            symbols = try TextDecoding.readFile(f, kind: vocab.kind)
        }
        return try symbols.enumerated().map { i, s in
            guard let id = vocab.id(of: s) else {
                throw CLIError(
                    "\(prime != nil ? "--prime" : primeFile!): character \(Vocabulary.describe(s, kind: vocab.kind)) "
                        + "at position \(i) is not in the vocabulary of \(path)")
            }
            return id
        }
    }
}
