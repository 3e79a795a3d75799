#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The recurrent cell: LSTM (4 gates) or GRU (3 gates), PyTorch's equations and gate order.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case lstm, gru

    /// Gate blocks per layer: LSTM i, f, g, o; GRU r, z, n (PyTorch's row order).
    public var gateCount: Int { self == .lstm ? 4 : 3 }
    /// "LSTM" or "GRU".
    public var displayName: String { rawValue.uppercased() }
}

/// The shape of a character language model: (one-hot | embedding) → L recurrent layers → linear → softmax.
public struct ModelConfig: Codable, Equatable, Sendable {
    /// LSTM or GRU.
    public var architecture: Architecture
    /// Characters (or bytes) the model reads and writes.
    public var vocabularySize: Int
    /// Units per recurrent layer.
    public var hiddenSize: Int
    public var layers: Int
    /// 0 means one-hot input (layer 0 reads the character's one-hot vector, as in char-rnn).
    public var embeddingSize: Int
    /// Dropout probability on every recurrent layer's output (training only).
    public var dropout: Float

    /// A configuration; embedding 0 = one-hot input.
    public init(
        architecture: Architecture, vocabularySize: Int, hiddenSize: Int, layers: Int,
        embeddingSize: Int = 0, dropout: Float = 0
    ) {
        self.architecture = architecture
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.embeddingSize = embeddingSize
        self.dropout = dropout
    }

    /// Whether layer 0 reads an embedding (else the one-hot character).
    public var usesEmbedding: Bool { embeddingSize > 0 }
    /// Gates per unit: 4 (LSTM) or 3 (GRU).
    public var gates: Int { architecture.gateCount }
    /// Rows of each layer's weight matrices: gates × hidden units.
    public var gateWidth: Int { gates * hiddenSize }
    /// Width of layer `layer`'s input: the vocabulary or embedding for layer 0, else the hidden size.
    public func inputSize(layer: Int) -> Int {
        layer > 0 ? hiddenSize : (usesEmbedding ? embeddingSize : vocabularySize)
    }

    /// Named tensors in PyTorch `state_dict` order with row-major shapes.
    public var parameterShapes: [(name: String, shape: [Int])] {
        var out: [(String, [Int])] = []
        if usesEmbedding { out.append(("emb.weight", [vocabularySize, embeddingSize])) }
        for l in 0..<layers {
            out.append(("rnn.weight_ih_l\(l)", [gateWidth, inputSize(layer: l)]))
            out.append(("rnn.weight_hh_l\(l)", [gateWidth, hiddenSize]))
            out.append(("rnn.bias_ih_l\(l)", [gateWidth]))
            out.append(("rnn.bias_hh_l\(l)", [gateWidth]))
        }
        out.append(("out.weight", [vocabularySize, hiddenSize]))
        out.append(("out.bias", [vocabularySize]))
        return out
    }

    /// Parameters of a model of this configuration.
    public var parameterCount: Int { parameterShapes.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Multiply-adds per character for the forward pass (one-hot layer 0 is a gather, counted as 0).
    public var forwardMACsPerCharacter: Int {
        var macs = 0
        for l in 0..<layers {
            if l > 0 || usesEmbedding { macs += gateWidth * inputSize(layer: l) }
            macs += gateWidth * hiddenSize
        }
        return macs + vocabularySize * hiddenSize
    }
}

/// Where each named tensor sits inside one flat float buffer (llm.c style): parameters, gradients
/// and Adam moments share this layout, so zeroing, clipping, the update and file I/O are one loop each.
public struct ParameterLayout: Sendable {
    /// One named tensor.
    public struct Entry: Sendable {
        /// PyTorch's `state_dict` name.
        public let name: String
        public let shape: [Int]
        /// Its first float in the flat buffer.
        public let offset: Int
        /// Its floats.
        public var count: Int { shape.reduce(1, *) }
    }
    /// The tensors in order.
    public let entries: [Entry]
    /// Floats in all tensors.
    public let totalCount: Int
    private let byName: [String: Int]

    /// The layout of `config`'s parameters.
    public init(_ config: ModelConfig) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in config.parameterShapes {
            entries.append(Entry(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.entries = entries
        self.totalCount = offset
        var byName: [String: Int] = [:]
        for (i, e) in entries.enumerated() { byName[e.name] = i }
        self.byName = byName
    }

    /// The tensor called `name`, if there is one.
    public subscript(name: String) -> Entry? { byName[name].map { entries[$0] } }

    /// The offset of the tensor called `name` (which must exist).
    public func offset(_ name: String) -> Int {
        guard let e = self[name] else { preconditionFailure("no parameter \(name)") }
        return e.offset
    }
}
