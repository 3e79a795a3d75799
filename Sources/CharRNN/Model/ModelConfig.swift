import Foundation

public enum Architecture: String, Codable, Sendable, CaseIterable {
    case lstm, gru

    /// Gate blocks per layer: LSTM i, f, g, o; GRU r, z, n (PyTorch's row order).
    public var gateCount: Int { self == .lstm ? 4 : 3 }
    public var displayName: String { rawValue.uppercased() }
}

/// The shape of a character language model: (one-hot | embedding) → L recurrent layers → linear → softmax.
public struct ModelConfig: Codable, Equatable, Sendable {
    public var architecture: Architecture
    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layers: Int
    /// 0 means one-hot input (layer 0 reads the character's one-hot vector, as in char-rnn).
    public var embeddingSize: Int
    /// Dropout probability on every recurrent layer's output (training only).
    public var dropout: Float

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

    public var usesEmbedding: Bool { embeddingSize > 0 }
    public var gates: Int { architecture.gateCount }
    public var gateWidth: Int { gates * hiddenSize }
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
    public struct Entry: Sendable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }
    public let entries: [Entry]
    public let totalCount: Int
    private let byName: [String: Int]

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

    public subscript(name: String) -> Entry? { byName[name].map { entries[$0] } }

    public func offset(_ name: String) -> Int {
        guard let e = self[name] else { preconditionFailure("no parameter \(name)") }
        return e.offset
    }
}
