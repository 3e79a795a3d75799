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

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training, evaluation and sampling speed against a matrix-multiply ceiling.",
        discussion: """
            Default configurations: LSTM and GRU at 2x128 (batch 50, seq 50) and 2x512 (batch 64, seq 64), \
            one-hot input, vocabulary 65 - the shapes of bench/torch_charlm.py. Build with -c release for \
            figures.
            """)

    @Option(help: "Architectures to measure") var arch: [Architecture] = [.lstm, .gru]
    @Option(help: "Sizes to measure: LAYERSxHIDDEN:BATCH:SEQ, e.g. 2x128:50:50") var size: [String] = [
        "2x128:50:50", "2x512:64:64",
    ]
    @Option(parsing: .unconditional, help: "Timed training steps per configuration") var steps: Int = 20
    @Option(parsing: .unconditional, help: "Embedding size (0 = one-hot input, the default model)") var embedding: Int =
        0
    @OptionGroup var precisionOption: PrecisionOption
    @OptionGroup var threadOptions: ThreadOptions
    @Option(
        name: .customLong("sample-length"), parsing: .unconditional,
        help: "Characters to sample for the sampling figure") var sampleLength: Int = 2000
    @Option(help: "text or json") var format: OutputFormat = .text
    @Flag(
        help:
            """
            Instead: the larger known-entropy check (a Markov chain's exact entropy rate against a trained GRU's \
            held-out loss)
            """
    ) var markov = false

    func parseSize(_ s: String) throws -> (Int, Int, Int, Int) {
        let parts = s.split(separator: ":")
        let lh = parts.first?.split(separator: "x") ?? []
        guard parts.count == 3, lh.count == 2, let l = Int(lh[0]), let h = Int(lh[1]), let b = Int(parts[1]),
            let t = Int(parts[2]),
            l > 0, h > 0, b > 0, t > 0
        else { throw ValidationError("--size '\(s)': expected LAYERSxHIDDEN:BATCH:SEQ, e.g. 2x128:50:50") }
        return (l, h, b, t)
    }

    func validate() throws {
        for s in size { _ = try parseSize(s) }
        try format.check([.text, .json])
        if steps <= 0 { throw ValidationError("--steps must be positive") }
    }

    func run() throws {
        threadOptions.apply()
        let threads = threadOptions.count
        try reportingErrors {
            if markov { return try runMarkov() }
            writeErr("measuring the matrix-multiply ceiling…\n")
            let ceiling = Benchmark.matmulCeiling(threads: threads)
            let ceilingBF16 = Benchmark.matmulCeilingBF16(threads: threads)
            let precision = precisionOption.resolved
            var results: [Benchmark.Result] = []
            for s in size {
                let (l, h, b, t) = try parseSize(s)
                for a in arch {
                    let cfg = Benchmark.Configuration(
                        architecture: a, layers: l, hiddenSize: h, batch: b, steps: t, embeddingSize: embedding)
                    writeErr("\(cfg.name)…\n")
                    results.append(
                        Benchmark.run(
                            cfg, trainSteps: steps, threads: threads, sampleLength: sampleLength, precision: precision))
                }
            }
            if format == .json {
                struct Out: Codable {
                    var threads: Int; var kernels: String; var cpuFeatures: String
                    var matmulCeilingGFLOPs: Double; var matmulCeilingBF16GFLOPs: Double?
                    var results: [Benchmark.Result]
                }
                printJSON(
                    Out(
                        threads: threads, kernels: KernelVariant.current, cpuFeatures: KernelVariant.cpuFeatures,
                        matmulCeilingGFLOPs: ceiling, matmulCeilingBF16GFLOPs: ceilingBF16, results: results))
                return
            }
            renderText(results, threads: threads, ceiling: ceiling, ceilingBF16: ceilingBF16)
        }
    }

    /// `--markov`: the known-entropy check.
    func runMarkov() throws {
        let folder = FileManager.default.temporaryDirectory.path + "/charrnn-markov-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        writeErr("training a 2×128 GRU on 2M characters of a second-order Markov chain over 12 letters…\n")
        let r = try Benchmark.markov(folder: folder)
        if format == .json { printJSON(r); return }
        print(
            String(
                printf:
                    "Markov chain (%d letters): entropy rate %.4f nats/char; held-out loss %.4f after %d "
                    + "steps (%.2f%% above)",
                r.alphabet, r.entropyRate, r.heldOutLoss, r.steps, r.gapPercent))
    }

    /// The kernels, the ceilings, one row per configuration and where a training step's time goes.
    func renderText(_ results: [Benchmark.Result], threads: Int, ceiling: Double, ceilingBF16: Double?) {
        print("kernels: \(KernelVariant.current) (CPU features: \(KernelVariant.cpuFeatures))")
        let cores = "\(threads) thread\(threads == 1 ? "" : "s")"
        print("matrix-multiply ceiling (charrnn gemm, 1024³, \(cores)): " + String(printf: "%.1f GFLOP/s", ceiling))
        if let bf16 = ceilingBF16 {
            let path = KernelVariant.bf16Path
            print("bf16 matrix-multiply ceiling (\(path), fp32 sums, 1024³): " + String(printf: "%.1f GFLOP/s", bf16))
        } else {
            print("bf16 matrix-multiply ceiling: not measured (this CPU has neither AMX-BF16 nor AVX512_BF16)")
        }
        if let p = results.first?.precision {
            let how = p == .fp32 ? "fp32" : Precision.bf16Fallback == nil ? KernelVariant.bf16Path : "fp32 kernels"
            print("precision of training, evaluation and batched sampling: \(p.rawValue) (\(how))")
        }
        let rows = results.map { r in
            [
                r.configuration.name, formatCount(r.parameters), String(printf: "%.0f", r.trainCharsPerSecond),
                String(printf: "%.0f", r.evalCharsPerSecond), String(printf: "%.0f", r.sampleCharsPerSecond),
                String(printf: "%.0f", r.sampleBF16CharsPerSecond),
                String(printf: "%.0f / %.0f", r.sample8CharsPerSecond, r.sample64CharsPerSecond),
                String(
                    printf: "%.1f (%.0f%%)", r.trainGFLOPs,
                    100 * r.trainGFLOPs / (r.precision == .bf16 ? ceilingBF16 ?? ceiling : ceiling)),
                String(printf: "%.0f MB", Double(r.peakResidentBytes) / 1e6),
            ]
        }
        print(
            renderTable(
                [
                    "config", "parameters", "train chars/s", "eval chars/s", "sample chars/s", "bf16 sample",
                    "8 / 64 samples chars/s", "train GFLOP/s (of ceiling)", "peak RSS",
                ],
                rows, rightAligned: [1, 2, 3, 4, 5, 6, 7, 8]))
        print("\nwhere a training step's time goes (% of its wall time; worker 1 of \(threads)'s phases):")
        renderShares(results, StepPhase.allCases, "step") { ($0.trainPhaseSeconds, $0.trainStepSeconds) }
        print("\nwhere an evaluation pass's time goes (one batch, forward only; worker 1 of \(threads)'s phases):")
        let forward: [StepPhase] = [.inputProjection, .recurrentForward, .cellsForward, .outputForward, .softmaxLoss]
        renderShares(results, forward, "pass") { ($0.evalPhaseSeconds, $0.evalPassSeconds) }
    }

    /// One row per configuration: the wall time of a step or pass and each phase's share of it.
    func renderShares(
        _ results: [Benchmark.Result], _ phases: [StepPhase], _ unit: String,
        _ of: (Benchmark.Result) -> ([String: Double], Double)
    ) {
        let labels = phases.map(\.label)
        let shares = results.map { r in
            let (seconds, wall) = of(r)
            let known = labels.map { seconds[$0] ?? 0 }
            let other = max(0, wall - known.reduce(0, +))
            return [r.configuration.name, String(printf: "%.2f ms", wall * 1e3)]
                + (known + [other]).map { String(printf: "%.0f%%", 100 * $0 / wall) }
        }
        print(renderTable(["config", unit] + labels + ["other"], shares, rightAligned: Set(1...(labels.count + 2))))
    }
}
