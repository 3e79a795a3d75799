/// A model's tensors by their role, as pointers into one flat buffer laid out by
/// `ParameterLayout` (the parameters, or their gradients), in the manner of llm.c's
/// `ParameterTensors`. Built once; the maths reaches tensors through it and never by name (the
/// PyTorch names belong to the layout and the checkpoint format).
struct ModelTensors {
    /// One recurrent layer: W_ih [G·H, input], W_hh [G·H, H], b_ih and b_hh [G·H].
    struct Layer {
        let inputWeights, recurrentWeights, inputBias, recurrentBias: FloatPointer
    }
    /// The embedding table [V, E] (nil for one-hot input).
    let embedding: FloatPointer?
    let layers: [Layer]
    /// The output layer: weight [V, H] and bias [V].
    let outputWeights, outputBias: FloatPointer

    /// The tensors of a buffer laid out by `layout`, starting at `base`.
    init(base: FloatPointer, layout: ParameterLayout, config: ModelConfig) {
        func at(_ name: String) -> FloatPointer { base + layout.offset(name) }
        embedding = config.usesEmbedding ? at("emb.weight") : nil
        layers = (0..<config.layers).map { l in
            Layer(
                inputWeights: at("rnn.weight_ih_l\(l)"), recurrentWeights: at("rnn.weight_hh_l\(l)"),
                inputBias: at("rnn.bias_ih_l\(l)"), recurrentBias: at("rnn.bias_hh_l\(l)"))
        }
        outputWeights = at("out.weight")
        outputBias = at("out.bias")
    }
}
