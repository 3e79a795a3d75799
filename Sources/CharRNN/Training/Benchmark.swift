import CKernels
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

/// Speed measurements of the kernels and of whole training, evaluation and sampling steps, on
/// random tokens (speed does not depend on the text). Figures are characters per second of
/// wall time with `threads` worker threads, after warm-up steps.
public enum Benchmark {
    /// A configuration to measure.
    public struct Configuration: Codable, Sendable {
        /// LSTM or GRU.
        public var architecture: Architecture
        /// Sizes and batch shape.
        public var layers: Int, hiddenSize: Int, batch: Int, steps: Int
        /// Vocabulary of the random tokens.
        public var vocabularySize: Int = 65
        /// 0 = one-hot input.
        public var embeddingSize: Int = 0
        /// A configuration.
        public init(
            architecture: Architecture, layers: Int, hiddenSize: Int, batch: Int, steps: Int, embeddingSize: Int = 0
        ) {
            self.architecture = architecture; self.layers = layers; self.hiddenSize = hiddenSize
            self.batch = batch; self.steps = steps; self.embeddingSize = embeddingSize
        }
        /// "lstm 2x512 B64 T64".
        public var name: String {
            "\(architecture.rawValue) \(layers)x\(hiddenSize) B\(batch) T\(steps)"
                + (embeddingSize > 0 ? " emb\(embeddingSize)" : "")
        }
    }

    /// One configuration's figures.
    public struct Result: Codable, Sendable {
        /// What was measured.
        public var configuration: Configuration
        public var parameters: Int
        /// The precision of the training, evaluation and batched-sampling figures.
        public var precision: Precision
        /// Training throughput (forward, backward, clipping, Adam).
        public var trainCharsPerSecond: Double
        /// Evaluation throughput (forward only).
        public var evalCharsPerSecond: Double
        /// Single-stream sampling throughput.
        public var sampleCharsPerSecond: Double
        /// The same with the weights in bf16 (`Precision.bf16`).
        public var sampleBF16CharsPerSecond: Double
        /// Characters per second over all streams when 8 and 64 samples are generated at once.
        public var sample8CharsPerSecond: Double
        /// Sampling throughput over 64 streams at once.
        public var sample64CharsPerSecond: Double
        /// Achieved training GFLOP/s (6 FLOPs per multiply-add of the forward pass per character:
        /// forward, and two products in backward).
        public var trainGFLOPs: Double
        /// Achieved evaluation GFLOP/s.
        public var evalGFLOPs: Double
        /// Peak resident memory while this configuration trained (bytes).
        public var peakResidentBytes: Int
        /// Where a training step's time goes: seconds per step in each phase (`StepPhase.label`),
        /// from a separate profiled run (the calling thread and worker 1; the other workers run the
        /// same phases on their streams at the same time).
        public var trainPhaseSeconds: [String: Double]
        /// Wall-clock seconds of one profiled training step.
        public var trainStepSeconds: Double
        /// The same for an evaluation pass (forward only) of one batch.
        public var evalPhaseSeconds: [String: Double]
        public var evalPassSeconds: Double
    }

    /// GFLOP/s of `gemm` on a square product (B pre-packed) split across `threads` threads by rows.
    public static func matmulCeiling(size n: Int = 1024, threads: Int = 2, seconds: Double = 1) -> Double {
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n)
        let c = (0..<threads).map { _ in FloatBuffer(count: n * n / threads + n) }
        let scratch = (0..<threads).map { _ in FloatBuffer(count: gemmScratchCount) }
        var rng = RandomGenerator(seed: 1)
        for i in 0..<n * n { a[i] = rng.nextFloat(); b[i] = rng.nextFloat() }
        let packed = FloatBuffer(count: Panels.floatCount(k: n, n: n))
        let panels = Panels.pack(rowMajor: b.pointer, ld: n, k: n, n: n, into: packed.pointer)
        let rowsPer = n / threads
        func once() {
            parallel(threads) { t in
                gemm(
                    m: rowsPer, n: n, k: n, a: a.pointer + t * rowsPer * n, aRowStride: n, aColStride: 1,
                    b: panels, c: c[t].pointer, ldc: n, accumulate: false, scratch: scratch[t].pointer)
            }
        }
        return gflops(2.0 * Double(rowsPer * threads) * Double(n) * Double(n), seconds: seconds, once)
    }

    /// GFLOP/s of `once` (`flops` per call): one untimed call, then calls for `seconds`.
    static func gflops(_ flops: Double, seconds: Double, _ once: () -> Void) -> Double {
        once()
        var reps = 0
        let start = Date()
        while Date().timeIntervalSince(start) < seconds { once(); reps += 1 }
        return flops * Double(reps) / Date().timeIntervalSince(start) / 1e9
    }

    /// GFLOP/s of the bf16 product (`ck_gemm_bf16`, fp32 sums) on a square product, as
    /// `matmulCeiling`, on the path `KernelVariant.bf16Path` names; nil where the CPU has neither
    /// AMX-BF16 nor AVX512_BF16 (the portable model is not a speed).
    public static func matmulCeilingBF16(size n: Int = 1024, threads: Int = 2, seconds: Double = 1) -> Double? {
        guard ck_bf16_hardware() != 0 else { return nil }
        let a = FloatBuffer(count: n * n), b = FloatBuffer(count: n * n)
        let c = (0..<threads).map { _ in FloatBuffer(count: n * n / threads + n) }
        let scratch = (0..<threads).map { _ in UnsafeMutablePointer<UInt16>.allocate(capacity: ck_bf16_scratch_count())
        }
        defer { for s in scratch { s.deallocate() } }
        var rng = RandomGenerator(seed: 1)
        for i in 0..<n * n { a[i] = rng.nextFloat(); b[i] = rng.nextFloat() }
        var panels = [UInt16](repeating: 0, count: ck_bf16_panels_count(n, n))
        ck_bf16_pack_rows(b.pointer, n, n, n, &panels)
        let rowsPer = n / threads
        func once() {
            panels.withUnsafeBufferPointer { bp in
                parallel(threads) { t in
                    ck_gemm_bf16(
                        rowsPer, n, n, a.pointer + t * rowsPer * n, n, 1, bp.baseAddress!, c[t].pointer, n, 0,
                        scratch[t])
                }
            }
        }
        return gflops(2.0 * Double(rowsPer * threads) * Double(n) * Double(n), seconds: seconds, once)
    }

    /// Measures one configuration: `trainSteps` timed steps, evaluation and sampling, in `precision`
    /// (single-stream sampling in both).
    public static func run(
        _ cfg: Configuration, trainSteps: Int, threads: Int, sampleLength: Int = 2000, precision: Precision = .fp32
    ) -> Result {
        resetPeakResident()
        let config = ModelConfig(
            architecture: cfg.architecture, vocabularySize: cfg.vocabularySize, hiddenSize: cfg.hiddenSize,
            layers: cfg.layers, embeddingSize: cfg.embeddingSize)
        let B = cfg.batch, T = cfg.steps
        let probe = TrainingProbe(config: config, batch: B, steps: T, threads: threads, precision: precision)
        let trainCPS = probe.charactersPerSecond(steps: trainSteps, warmUp: 3)
        let (phases, stepSeconds) = profile(probe.engine, passes: max(3, trainSteps / 2)) { probe.step() }
        let model = probe.model
        let peak = peakResidentBytes()
        let evaluation = measureEvaluation(probe, passes: max(3, trainSteps), threads: threads, precision: precision)
        func sampling(streams: Int, precision: Precision) -> Double {
            samplingSpeed(model, streams: streams, length: sampleLength, threads: threads, precision: precision)
        }
        let sampleCPS = sampling(streams: 1, precision: .fp32)
        let sample8 = sampling(streams: 8, precision: precision), sample64 = sampling(streams: 64, precision: precision)
        let sampleBF16 = sampling(streams: 1, precision: .bf16)
        let macs = Double(config.forwardMACsPerCharacter)
        return Result(
            configuration: cfg, parameters: model.parameterCount, precision: precision, trainCharsPerSecond: trainCPS,
            evalCharsPerSecond: evaluation.charactersPerSecond,
            sampleCharsPerSecond: sampleCPS, sampleBF16CharsPerSecond: sampleBF16, sample8CharsPerSecond: sample8,
            sample64CharsPerSecond: sample64,
            trainGFLOPs: 6 * macs * trainCPS / 1e9, evalGFLOPs: 2 * macs * evaluation.charactersPerSecond / 1e9,
            peakResidentBytes: peak, trainPhaseSeconds: phases, trainStepSeconds: stepSeconds,
            evalPhaseSeconds: evaluation.phases, evalPassSeconds: evaluation.passSeconds)
    }

    /// Forward passes over the probe's batch without backward (as validation runs them): chars/s
    /// over `passes` timed passes after one untimed, and the profile of half as many.
    static func measureEvaluation(
        _ probe: TrainingProbe, passes: Int, threads: Int, precision: Precision
    ) -> (charactersPerSecond: Double, phases: [String: Double], passSeconds: Double) {
        let engine = SequenceEngine(
            model: probe.model, batch: probe.engine.batch, steps: probe.engine.steps, training: false, threads: threads,
            precision: precision)
        engine.parametersDidChange()
        var rng = RandomGenerator(seed: 2)
        let x = probe.x, y = probe.y
        engine.run(inputs: x, targets: y, backward: false, random: &rng)
        let start = Date()
        for _ in 0..<passes { engine.run(inputs: x, targets: y, backward: false, random: &rng) }
        let cps = Double(passes * probe.engine.batch * probe.engine.steps) / Date().timeIntervalSince(start)
        let (phases, seconds) = profile(engine, passes: max(3, passes / 2)) {
            engine.run(inputs: x, targets: y, backward: false, random: &rng)
        }
        return (cps, phases, seconds)
    }

    /// Characters per second of `streams` samples generated together (after a short warm-up), about
    /// `length` characters in all.
    static func samplingSpeed(
        _ model: LanguageModel, streams: Int, length: Int, threads: Int, precision: Precision
    ) -> Double {
        let generator = Generator(model: model, streams: streams, threads: threads, precision: precision)
        let perStream = max(20, length / streams)
        generator.generate(prime: [0], length: 20, seed: 1, options: .init(temperature: 0.8))
        let start = Date()
        generator.generate(prime: [0], length: perStream, seed: 1, options: .init(temperature: 0.8))
        return Double(perStream * streams) / Date().timeIntervalSince(start)
    }

    /// Seconds per call of `body` in each phase of `engine` (the calling thread and worker 1), and
    /// its wall-clock seconds per call.
    static func profile(
        _ engine: SequenceEngine, passes: Int, _ body: () -> Void
    ) -> (phases: [String: Double], seconds: Double) {
        engine.profiling = true
        defer { engine.profiling = false }
        let start = Date()
        for _ in 0..<passes { body() }
        let wall = Date().timeIntervalSince(start) / Double(passes)
        let worker = engine.chunks[0].workspace.clock
        var phases: [String: Double] = [:]
        for p in StepPhase.allCases { phases[p.label] = (engine.clock[p] + worker[p]) / Double(passes) }
        return (phases, wall)
    }

    /// The known-truth check's result.
    public struct MarkovResult: Codable, Sendable {
        /// Sizes of the check.
        public var alphabet: Int, trainCharacters: Int, heldOutCharacters: Int, steps: Int
        /// The chain's exact entropy rate and the model's held-out loss (nats/char).
        public var entropyRate: Double, heldOutLoss: Double
        /// How far the loss is above the entropy rate, in percent.
        public var gapPercent: Double { 100 * (heldOutLoss / entropyRate - 1) }
    }

    /// The larger known-truth check: a second-order Markov chain over 12 letters, 2M training
    /// characters, a 2×128 GRU; its held-out loss against the exact entropy rate.
    public static func markov(steps: Int = 1500, folder: String) throws -> MarkovResult {
        let source = MarkovSource(alphabet: "abcdefghijkl", seed: 11)
        let train = folder + "/markov-train.txt", val = folder + "/markov-heldout.txt"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try source.generate(count: 2_000_000, seed: 1).write(toFile: train, atomically: true, encoding: .utf8)
        try source.generate(count: 200_000, seed: 2).write(toFile: val, atomically: true, encoding: .utf8)
        var s = TrainingSettings(trainFile: train)
        s.validationFile = val
        s.batch = 32; s.sequence = 64; s.learningRate = 3e-3; s.warmupSteps = 50; s.steps = steps; s.evalEvery = steps
        s.initialization = .init(oneHotScale: 1)
        let trainer = try Trainer(
            settings: s, architecture: .gru, layers: 2, hiddenSize: 128, embeddingSize: 0, dropout: 0,
            runDirectory: folder + "/run", runName: "markov")
        let summary = try trainer.run()
        return MarkovResult(
            alphabet: source.alphabet.count, trainCharacters: 2_000_000, heldOutCharacters: 200_000, steps: steps,
            entropyRate: source.entropyRate, heldOutLoss: summary.finalValidationLoss ?? .nan)
    }

    /// Resets the kernel's peak-RSS counter (Linux: writing 5 to /proc/self/clear_refs; elsewhere
    /// the peak cannot be reset, so figures are peaks since the process started).
    static func resetPeakResident() {
        #if os(Linux)
            let fd = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC)
            if fd >= 0 {
                _ = write(fd, "5", 1)
                close(fd)
            }
        #endif
    }

    /// Peak resident memory in bytes: VmHWM from /proc/self/status on Linux, else `getrusage`.
    public static func peakResidentBytes() -> Int {
        #if os(Linux)
            guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
            for line in s.split(separator: "\n") where line.hasPrefix("VmHWM:") {
                let kb = Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
                return kb * 1024
            }
            return 0
        #else
            var usage = rusage()
            getrusage(RUSAGE_SELF, &usage)
            return Int(usage.ru_maxrss)  // bytes on macOS
        #endif
    }
}

/// A model, engine and optimizer training on random tokens, to time whole training steps
/// (forward, backward, clipping, Adam). Used by the benchmark and by the automatic configuration.
final class TrainingProbe {
    let model: LanguageModel
    let engine: SequenceEngine
    let adam: Adam
    let x: [Int32], y: [Int32]
    var rng = RandomGenerator(seed: 1)

    init(
        config: ModelConfig, batch: Int, steps: Int, threads: Int = Threads.count, precision: Precision = .fp32
    ) {
        model = LanguageModel(config: config, random: &rng)
        engine = SequenceEngine(
            model: model, batch: batch, steps: steps, training: true, threads: threads, precision: precision)
        adam = Adam(layout: model.layout, learningRate: 2e-3)
        var r = RandomGenerator(seed: 3)
        x = (0..<batch * steps).map { _ in Int32(r.nextInt(below: config.vocabularySize)) }
        y = (0..<batch * steps).map { _ in Int32(r.nextInt(below: config.vocabularySize)) }
    }

    func step() {
        engine.parametersDidChange()
        engine.run(inputs: x, targets: y, backward: true, random: &rng)
        engine.clock.time(.optimizer) {
            clipGlobalNorm(engine.gradients, maxNorm: 5)
            adam.update(parameters: model.parameters, gradients: engine.gradients)
        }
    }

    /// Training characters per second over at least `steps` timed steps and `seconds` seconds,
    /// after `warmUp` untimed ones.
    func charactersPerSecond(steps: Int, seconds: Double = 0, warmUp: Int = 1) -> Double {
        for _ in 0..<warmUp { step() }
        let start = Date()
        var done = 0
        while done < steps || Date().timeIntervalSince(start) < seconds {
            step()
            done += 1
        }
        return Double(done * engine.batch * engine.steps) / Date().timeIntervalSince(start)
    }
}
