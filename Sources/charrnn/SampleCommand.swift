import ArgumentParser
import CharRNN
import Foundation

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Generate text from checkpoints; the text streams to stdout.",
        discussion: "For each checkpoint, stderr first reports its architecture, parameter count and validation perplexity.")

    @Argument(help: "Checkpoint files.") var checkpoints: [String]
    @Option(parsing: .unconditional, help: "Characters to generate.") var length: Int = 500
    @Option(parsing: .unconditional, help: "Softmax temperature; 0 always takes the most likely character.", transform: finiteNumber) var temperature: Float = 0.8
    @Option(name: .customLong("top-k"), parsing: .unconditional, help: "Sample only among the k most likely characters (0 = all).") var topK: Int = 0
    @Option(name: .customLong("top-p"), parsing: .unconditional, help: "Sample only among the most likely characters whose probabilities sum to p (1 = all).", transform: finiteNumber) var topP: Float = 1
    @Option(help: "Text to start from (printed, then continued).") var prime: String?
    @Option(name: .customLong("prime-file"), help: "Read the prime text from a file.") var primeFile: String?
    @Option(parsing: .unconditional, help: "Random seed (default: from the clock, reported on stderr).") var seed: UInt64?
    @Option(help: "Also report perplexity on this text.") var eval: String?

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        if checkpoints.isEmpty { throw ValidationError("give at least one checkpoint") }
        if length <= 0 { throw ValidationError("--length must be positive (got \(length))") }
        if !(temperature >= 0) || !temperature.isFinite { throw ValidationError("--temperature must be 0 or more (got \(temperature))") }
        if topK < 0 { throw ValidationError("--top-k must be 0 or more (got \(topK))") }
        if !(topP > 0 && topP <= 1) { throw ValidationError("--top-p must be in (0, 1] (got \(topP))") }
        if prime != nil && primeFile != nil { throw ValidationError("give --prime or --prime-file, not both") }
    }

    func run() throws {
        threadOptions.apply()
        try reportingErrors {
            let seedValue = seed ?? UInt64(Date().timeIntervalSince1970 * 1000)
            let streaming = isatty(1) != 0
            for (n, path) in checkpoints.enumerated() {
                let ckpt = try Checkpoint.load(path)
                let vocab = ckpt.vocabulary
                var primeSymbols: [UInt32] = []
                if let p = prime {
                    primeSymbols = vocab.kind == .bytes ? Array(p.utf8).map(UInt32.init) : TextDecoding.scalars(of: p)
                } else if let f = primeFile {
                    primeSymbols = try TextDecoding.readFile(f, kind: vocab.kind)
                }
                var primeIds: [Int] = []
                for (i, s) in primeSymbols.enumerated() {
                    guard let id = vocab.id(of: s) else {
                        throw CLIError("\(prime != nil ? "--prime" : primeFile!): character \(Vocabulary.describe(s, kind: vocab.kind)) at position \(i) is not in the vocabulary of \(path)")
                    }
                    primeIds.append(id)
                }
                let evalScore = try eval.map { try score(path, text: $0, streams: nil) }
                // Everything that can fail is done: now the header.
                var header = "\(path): \(ckpt.summary)"
                if let v = ckpt.validationLoss { header += String(format: ", validation perplexity %.3f (%.4f nats/char)", exp(v), v) }
                writeErr(header + "\n")
                if seed == nil && n == 0 { writeErr("seed: \(seedValue) (repeat this sample with --seed \(seedValue))\n") }
                if let evalPath = eval, let s = evalScore {
                    writeErr(String(format: "%@: perplexity %.3f (%.4f nats/char, %.4f bits/char) on %d characters, %d not scored\n",
                                    evalPath, s.perplexity, s.natsPerCharacter, s.bitsPerCharacter, s.charactersScored, s.charactersNotScored))
                }
                var random = RandomGenerator(seed: seedValue)
                let sampler = Sampler(model: ckpt.makeModel())
                let out = Output(flushEachCharacter: streaming)
                var next: Int
                if primeIds.isEmpty {
                    next = random.nextInt(below: vocab.count)
                    out.write(vocab.bytes(of: next))
                    sampler.step(next)
                } else {
                    for id in primeIds { out.write(vocab.bytes(of: id)) }
                    sampler.prime(primeIds)
                }
                for i in 0..<length - (primeIds.isEmpty ? 1 : 0) {
                    next = sampler.draw(temperature: temperature, topK: topK, topP: topP, random: &random)
                    out.write(vocab.bytes(of: next))
                    if i < length - 1 { sampler.step(next) }
                }
                out.write([0x0A])
                if n + 1 < checkpoints.count { out.write([0x0A]) }
                out.flush()
            }
        }
    }
}

/// Buffered stdout that can flush every character (when a person is watching).
final class Output {
    let flushEachCharacter: Bool
    var buffer: [UInt8] = []
    init(flushEachCharacter: Bool) { self.flushEachCharacter = flushEachCharacter }
    func write(_ bytes: [UInt8]) {
        buffer += bytes
        if flushEachCharacter || buffer.count >= 4096 { flush() }
    }
    func flush() {
        buffer.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Foundation.write(1, raw.baseAddress! + done, raw.count - done)
                if n <= 0 { break }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
