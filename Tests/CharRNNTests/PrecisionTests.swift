import CKernels
import XCTest

@testable import CharRNN

/// What `Precision` means in the engine: bf16 on a CPU without a bf16 instruction is exactly the
/// fp32 engine on bf16-rounded weights, and `auto` follows the rule `Precision.automatic` states.
final class PrecisionTests: XCTestCase {
    override func tearDown() { Precision.bf16Kernels = KernelVariant.bf16Hardware }

    /// Loss and every gradient of one forward-backward pass.
    func pass(_ model: LanguageModel, _ precision: Precision) -> (Double, [Float]) {
        let B = 4, T = 9, V = model.config.vocabularySize
        let engine = SequenceEngine(model: model, batch: B, steps: T, training: true, threads: 2, precision: precision)
        engine.parametersDidChange()
        let x = (0..<(B * T)).map { Int32($0 * 7 % V) }, y = (0..<(B * T)).map { Int32(($0 * 5 + 1) % V) }
        var rng = RandomGenerator(seed: 4)
        let loss = engine.run(inputs: x, targets: y, backward: true, random: &rng).loss
        return (loss, engine.gradients.array)
    }

    func testBF16WithoutTheInstructionsIsFP32OnRoundedWeights() {
        Precision.bf16Kernels = false
        for arch in Architecture.allCases {
            for embedding in [0, 6] {
                var rng = RandomGenerator(seed: 12)
                let config = ModelConfig(
                    architecture: arch, vocabularySize: 11, hiddenSize: 40, layers: 2, embeddingSize: embedding)
                let model = LanguageModel(config: config, random: &rng)
                let (loss, gradients) = pass(model, .bf16)
                let (reference, referenceGradients) = pass(model.roundedToBFloat16(), .fp32)
                XCTAssertEqual(loss, reference, "\(arch) embedding \(embedding)")
                XCTAssertEqual(gradients, referenceGradients, "\(arch) embedding \(embedding)")
                XCTAssertNotEqual(loss, pass(model, .fp32).0, "rounding changes the loss")
            }
        }
    }

    func testAutoFollowsTheStatedRule() {
        let (precision, reason) = Precision.automatic
        XCTAssertEqual(PrecisionRequest.auto.resolved, precision)
        XCTAssertEqual(PrecisionRequest.fp32.resolved, .fp32)
        XCTAssertEqual(PrecisionRequest.bf16.resolved, .bf16)
        switch KernelVariant.bf16Path {
        case "amx": XCTAssertEqual(precision, .bf16)
        case "avx512_bf16": XCTAssertEqual(precision == .bf16, KernelVariant.cpuVendor == "AuthenticAMD")
        default: XCTAssertEqual(precision, .fp32)
        }
        XCTAssertEqual(Precision.bf16Fallback == nil, KernelVariant.bf16Hardware)
        print("auto: \(precision.rawValue) (\(reason)); bf16 path \(KernelVariant.bf16Path)")
    }

    /// One stream's sampling reads bf16 weights wherever there is a bf16 instruction (Intel without
    /// AMX too, where the products stay fp32); an explicit precision is kept as given.
    func testAutoForOneStreamIsBF16WhereverABF16InstructionIs() {
        XCTAssertEqual(PrecisionRequest.auto.resolvedForOneStream, KernelVariant.bf16Hardware ? .bf16 : .fp32)
        XCTAssertEqual(PrecisionRequest.fp32.resolvedForOneStream, .fp32)
        XCTAssertEqual(PrecisionRequest.bf16.resolvedForOneStream, .bf16)
        if Precision.automatic.precision == .bf16 { XCTAssertEqual(Precision.automaticForOneStream, .bf16) }
    }
}
