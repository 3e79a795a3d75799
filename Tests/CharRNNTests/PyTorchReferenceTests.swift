import CKernels
import XCTest
@testable import CharRNN

/// Every case of PyTorch's float64 reference (Fixtures/pytorch_reference.json: values computed by
/// PyTorch's own LSTM/GRU modules in float64, committed with the tests) reproduced in float32: logits, loss,
/// final states,
/// every parameter gradient, initial-state gradients, and five Adam steps with clipping.
final class PyTorchReferenceTests: XCTestCase {
    // Safe: written once by the lazy initialiser, then only read.
    nonisolated(unsafe) static let reference: [String: Any] = {
        let url = Bundle.module.url(forResource: "pytorch_reference", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }()

    /// The largest relative difference `assertClose` has seen in this test.
    var worstSeen = 0.0

    /// Largest |a − b| over the tensor, relative to the tensor's largest |b|.
    func assertClose(
        _ actual: [Float], _ expected: [Double], _ what: String, tolerance: Double = 1e-4,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(actual.count, expected.count, "\(what): size", file: file, line: line)
        guard actual.count == expected.count else { return }
        let scale = max(expected.map { abs($0) }.max() ?? 0, 1e-6)
        var worst = 0.0
        for (a, b) in zip(actual, expected) { worst = max(worst, abs(Double(a) - b)) }
        worstSeen = max(worstSeen, worst / scale)
        XCTAssertLessThanOrEqual(
            worst / scale, tolerance, "\(what): max |diff| \(worst) at scale \(scale)", file: file, line: line)
    }

    func values(_ tensor: Any?) -> [Double] {
        ((tensor as! [String: Any])["values"] as! [NSNumber]).map { $0.doubleValue }
    }

    func model(for c: [String: Any], parameters key: String = "parameters") -> LanguageModel {
        let config = ModelConfig(
            architecture: Architecture(rawValue: c["arch"] as! String)!,
            vocabularySize: c["vocab"] as! Int, hiddenSize: c["hidden"] as! Int, layers: c["layers"] as! Int,
            embeddingSize: (c["input"] as! String) == "onehot" ? 0 : c["embedding"] as! Int)
        let layout = ParameterLayout(config)
        let params = c[key] as! [String: Any]
        XCTAssertEqual(Set(params.keys), Set(layout.entries.map(\.name)))
        let buffer = FloatBuffer(count: layout.totalCount)
        for e in layout.entries {
            let t = params[e.name] as! [String: Any]
            XCTAssertEqual(t["shape"] as! [Int], e.shape, e.name)
            for (i, v) in values(t).enumerated() { buffer[e.offset + i] = Float(v) }
        }
        return LanguageModel(config: config, parameters: buffer)
    }

    func flat(_ rows: Any?) -> [Int32] { (rows as! [[Int]]).flatMap { $0.map(Int32.init) } }

    func checkCase(_ name: String, threads: Int, precision: Precision = .fp32, tolerance: Double = 1e-4) {
        let c = (Self.reference["cases"] as! [String: Any])[name] as! [String: Any]
        let m = model(for: c)
        let B = c["batch"] as! Int, T = c["steps"] as! Int, V = c["vocab"] as! Int
        let engine = SequenceEngine(
            model: m, batch: B, steps: T, training: true, threads: threads, precision: precision)
        func assertClose(_ actual: [Float], _ expected: [Double], _ what: String) {
            self.assertClose(actual, expected, what + (precision == .bf16 ? " (bf16)" : ""), tolerance: tolerance)
        }
        engine.parametersDidChange()
        if let h0 = c["initial_h"] { for (i, v) in values(h0).enumerated() { engine.stateH[i] = Float(v) } }
        if let c0 = c["initial_c"] { for (i, v) in values(c0).enumerated() { engine.stateC[i] = Float(v) } }
        let x = flat(c["inputs"]), y = flat(c["targets"])
        var logits = [Float](repeating: 0, count: B * T * V)
        var rng = RandomGenerator(seed: 1)
        let r = x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                logits.withUnsafeMutableBufferPointer { lp in
                    engine.run(
                        inputs: xp.baseAddress!, targets: yp.baseAddress!, backward: true, random: &rng,
                        logits: lp.baseAddress!)
                }
            }
        }
        let loss = r.loss / Double(r.count)
        XCTAssertEqual(
            loss, (c["loss"] as! NSNumber).doubleValue, accuracy: tolerance * (c["loss"] as! NSNumber).doubleValue,
            "\(name) loss \(precision)")
        assertClose(logits, values(c["logits"]), "\(name) logits")
        assertClose(engine.stateH.array, values(c["final_h"]), "\(name) final_h")
        if let fc = c["final_c"] { assertClose(engine.stateC.array, values(fc), "\(name) final_c") }
        let grads = c["gradients"] as! [String: Any]
        for e in m.layout.entries {
            assertClose(
                Array(engine.gradients.buffer[e.offset..<(e.offset + e.count)]), values(grads[e.name]),
                "\(name) d\(e.name)")
        }
        if let gh = c["grad_initial_h"] {
            assertClose(engine.initialStateGradientH.array, values(gh), "\(name) d initial_h")
        }
        if let gc = c["grad_initial_c"] {
            assertClose(engine.initialStateGradientC.array, values(gc), "\(name) d initial_c")
        }
    }

    func testEveryForwardBackwardCaseOneThread() {
        let cases = (Self.reference["cases"] as! [String: Any]).keys.sorted()
        XCTAssertEqual(cases.count, 10)
        for name in cases { checkCase(name, threads: 1) }
    }

    func testEveryForwardBackwardCaseSplitAcrossThreads() {
        for name in (Self.reference["cases"] as! [String: Any]).keys.sorted() { checkCase(name, threads: 2) }
    }

    /// The same cases under every kernel variant the CPU can run (the default one is tested above).
    func testEveryCaseUnderEachKernelVariant() {
        KernelVariant.withEachSupported { variant in
            for name in (Self.reference["cases"] as! [String: Any]).keys.sorted() { checkCase(name, threads: 1) }
            checkAdamSteps()
        }
    }

    /// Every case with bf16 products, on each bf16 path: the C models of AMX and AVX512_BF16 on every
    /// CPU, the instructions where the CPU has them, and the fp32 kernels on bf16-rounded weights
    /// (what bf16 does on a CPU with neither).
    ///
    /// The tolerance, 2⁻⁵ of each tensor's largest value: rounding an operand to bf16 errs by at most
    /// 2⁻⁹ of it, so a product by at most about 2⁻⁸; in these cases an error passes through at most
    /// about eight chained products (two layers, forward and back through time, the output layer)
    /// before it reaches a gradient, which allows 8 × 2⁻⁸ = 2⁻⁵. The worst seen is printed (0.0082 on
    /// an Intel Xeon with AVX512_BF16, 2026-12-02: a quarter of the tolerance).
    func testEveryCaseInBF16OnEachPath() {
        defer { ck_bf16_use(nil); Precision.bf16Kernels = KernelVariant.bf16Hardware }
        let cases = (Self.reference["cases"] as! [String: Any]).keys.sorted()
        let candidates: [String] = ["amx", "avx512_bf16", "amx-model", "avx512_bf16-model"]
        var ran: [String] = []
        for path in candidates where ck_bf16_use(path) == 1 {
            Precision.bf16Kernels = true
            for name in cases { checkCase(name, threads: 2, precision: .bf16, tolerance: 1.0 / 32) }
            ran.append(path)
        }
        Precision.bf16Kernels = false
        for name in cases { checkCase(name, threads: 1, precision: .bf16, tolerance: 1.0 / 32) }
        print(
            "PyTorch reference cases in bf16 through: \(ran.joined(separator: ", ")), and the fp32 kernels; "
                + "worst difference \(worstSeen) of a tensor's largest value")
    }

    func testFiveAdamStepsWithClipping() { checkAdamSteps() }

    func checkAdamSteps() {
        for name in ["lstm_adam_5_steps", "gru_adam_5_steps"] {
            let c = (Self.reference["training"] as! [String: Any])[name] as! [String: Any]
            let m = model(for: c, parameters: "initial_parameters")
            let opt = c["optimizer"] as! [String: Any]
            let B = c["batch"] as! Int, T = c["steps"] as! Int
            let adam = Adam(layout: m.layout, learningRate: Float((opt["lr"] as! NSNumber).doubleValue))
            let engine = SequenceEngine(model: m, batch: B, steps: T, training: true)
            let x = flat(c["inputs"]), y = flat(c["targets"])
            var rng = RandomGenerator(seed: 1)
            var losses: [Double] = []
            for _ in 0..<(opt["updates"] as! Int) {
                engine.resetState()
                engine.parametersDidChange()
                let r = engine.run(inputs: x, targets: y, backward: true, random: &rng)
                losses.append(r.loss / Double(r.count))
                clipGlobalNorm(engine.gradients, maxNorm: Float((opt["clip_global_norm"] as! NSNumber).doubleValue))
                adam.update(parameters: m.parameters, gradients: engine.gradients)
            }
            let expected = (c["losses"] as! [NSNumber]).map(\.doubleValue)
            for (a, b) in zip(losses, expected) {
                XCTAssertEqual(a, b, accuracy: 1e-4 * b, "\(name) losses \(losses) vs \(expected)")
            }
            let final = c["final_parameters"] as! [String: Any]
            for e in m.layout.entries {
                assertClose(
                    Array(m.parameters.buffer[e.offset..<(e.offset + e.count)]), values(final[e.name]),
                    "\(name) \(e.name)")
            }
        }
    }
}
