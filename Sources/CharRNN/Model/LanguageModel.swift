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

/// A character language model's configuration and its parameters in one flat buffer, laid out by
/// `ParameterLayout` under PyTorch `state_dict` names.
///
/// `@unchecked Sendable`: the configuration and layout are immutable; the parameter values are
/// written only by the thread that owns the training loop, between the parallel sections that
/// read them (each of which ends before the next write).
public final class LanguageModel: @unchecked Sendable {
    /// Architecture and sizes.
    public let config: ModelConfig
    /// Where each named tensor sits in `parameters`.
    public let layout: ParameterLayout
    /// All parameters in one buffer, in `layout` order.
    public let parameters: FloatBuffer
    /// The parameters by role.
    let tensors: ModelTensors

    /// A model over existing parameters (their count must match the layout).
    public init(config: ModelConfig, parameters: FloatBuffer) {
        self.config = config
        layout = ParameterLayout(config)
        precondition(parameters.count == layout.totalCount)
        self.parameters = parameters
        tensors = ModelTensors(base: parameters.pointer, layout: layout, config: config)
    }

    /// PyTorch's default initialisation: recurrent weights and biases U(−1/√H, 1/√H), the embedding
    /// N(0, 1), the output layer U(−1/√H, 1/√H). Two options (`Initialization`): the one-hot
    /// table (W_ih of layer 0 in one-hot models) at U(−s, s), and the LSTM forget-gate bias.
    public convenience init(
        config: ModelConfig, random rng: inout RandomGenerator, initialization: Initialization = .pytorch
    ) {
        let layout = ParameterLayout(config)
        let p = FloatBuffer(count: layout.totalCount)
        let bound = 1 / Float(config.hiddenSize).squareRoot()
        for e in layout.entries {
            let dst = p.pointer + e.offset
            if e.name == "emb.weight" {
                var i = 0
                while i < e.count {
                    // Box–Muller: two normals from two uniforms.
                    let u1 = max(rng.nextDouble(), 1e-300), u2 = rng.nextDouble()
                    let r = (-2 * log(u1)).squareRoot()
                    dst[i] = Float(r * cos(2 * .pi * u2))
                    if i + 1 < e.count { dst[i + 1] = Float(r * sin(2 * .pi * u2)) }
                    i += 2
                }
            } else {
                let scale =
                    e.name == "rnn.weight_ih_l0" && !config.usesEmbedding
                    ? (initialization.oneHotScale ?? bound) : bound
                for i in 0..<e.count { dst[i] = (rng.nextFloat() * 2 - 1) * scale }
            }
        }
        self.init(config: config, parameters: p)
        if let f = initialization.forgetBias, config.architecture == .lstm {
            // b_ih + b_hh of the forget gate (rows H..<2H) = f.
            let H = config.hiddenSize
            for layer in tensors.layers {
                for j in H..<(2 * H) { layer.inputBias[j] = f; layer.recurrentBias[j] = 0 }
            }
        }
    }

    /// Initialisation options beyond PyTorch's defaults.
    public struct Initialization: Codable, Equatable, Sendable {
        /// U(−s, s) for the one-hot table; nil = PyTorch's 1/√H. An embedding model's layer-0
        /// pre-activations start with std ≈ √(E/3)/√H ≈ 0.58 (E = H); s = 1 gives one-hot models that scale.
        public var oneHotScale: Float?
        /// LSTM forget-gate bias (b_ih + b_hh); nil = PyTorch's uniform initialisation.
        public var forgetBias: Float?
        /// Options; nil keeps PyTorch's choice.
        public init(oneHotScale: Float? = nil, forgetBias: Float? = nil) {
            self.oneHotScale = oneHotScale; self.forgetBias = forgetBias
        }
        /// PyTorch's initialisation, unchanged.
        public static let pytorch = Initialization()
    }

    /// This model with the weight matrices that multiply activations rounded to bf16: the numbers
    /// that `Precision.bf16` computes with. Tables that are looked up rather than multiplied (the
    /// embedding, and W_ih of layer 0 for one-hot input) and the biases stay Float.
    public func roundedToBFloat16() -> LanguageModel {
        let copy = FloatBuffer(parameters.array)
        let lookups: Set<String> = config.usesEmbedding ? ["emb.weight"] : ["rnn.weight_ih_l0"]
        for e in layout.entries where e.shape.count == 2 && !lookups.contains(e.name) {
            let p = copy.pointer + e.offset
            for i in 0..<e.count { p[i] = BFloat16.rounded(p[i]) }
        }
        return LanguageModel(config: config, parameters: copy)
    }
    /// Parameters in the model.
    public var parameterCount: Int { layout.totalCount }
}
