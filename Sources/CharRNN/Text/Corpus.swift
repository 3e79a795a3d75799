import Foundation

/// A text as token ids (2 bytes per character), with its vocabulary. Ids of −1 are never stored:
/// characters outside the vocabulary are kept apart as `Int32` −1 only in `encodeForScoring`.
public struct Corpus {
    public let vocabulary: Vocabulary
    public let ids: [UInt16]

    public init(vocabulary: Vocabulary, ids: [UInt16]) { self.vocabulary = vocabulary; self.ids = ids }

    /// Encodes `symbols` with `vocabulary`: ids, with −1 for symbols it does not contain.
    public static func encodeForScoring(_ symbols: [UInt32], vocabulary: Vocabulary) -> [Int32] {
        symbols.map { vocabulary.id(of: $0).map(Int32.init) ?? -1 }
    }
}

/// The training and validation parts of a corpus, as the `train` command splits it.
public struct TrainingData {
    public let vocabulary: Vocabulary
    public let train: [UInt16]
    public let validation: [UInt16]

    /// Vocabulary from the training file (and the validation file, if any, so it can be scored);
    /// validation = the last `validationFraction` of the training file unless a file is given.
    public static func load(trainFile: String, validationFile: String?, validationFraction: Double, bytes: Bool) throws -> TrainingData {
        let kind: Vocabulary.Kind = bytes ? .bytes : .unicode
        let text = try TextDecoding.readFile(trainFile, kind: kind)
        let valText = try validationFile.map { try TextDecoding.readFile($0, kind: kind) }
        let vocab = Vocabulary(kind: kind, scanning: valText.map { [text, $0] } ?? [text])
        if vocab.count > 65536 { throw TextError.tooManySymbols(path: trainFile, count: vocab.count) }
        func encode(_ s: ArraySlice<UInt32>) -> [UInt16] { s.map { UInt16(vocab.id(of: $0)!) } }
        if let v = valText {
            return TrainingData(vocabulary: vocab, train: encode(text[...]), validation: encode(v[...]))
        }
        let nVal = Int((Double(text.count) * validationFraction).rounded())
        let split = text.count - nVal
        return TrainingData(vocabulary: vocab, train: encode(text[..<split]), validation: encode(text[split...]))
    }
}

/// B contiguous streams over the training ids for truncated BPTT (char-rnn / torch-rnn style):
/// stream b reads ids[b·L ..< (b+1)·L] with L = (N−1)/B, T characters per batch, so hidden state
/// carries from one batch to the next; at the end of an epoch the streams start again.
public struct StreamBatcher {
    public let batch: Int, steps: Int
    public let streamLength: Int
    public var batchesPerEpoch: Int { streamLength / steps }

    public init(count: Int, batch: Int, steps: Int) {
        self.batch = batch; self.steps = steps
        streamLength = max(0, (count - 1) / batch)
    }

    /// Characters needed for one batch: B·T + 1.
    public static func minimumCharacters(batch: Int, steps: Int) -> Int { batch * steps + 1 }

    /// Fills x and y ([B, T], batch-first) for batch `index` of an epoch.
    public func fill(_ ids: [UInt16], index: Int, x: UnsafeMutablePointer<Int32>, y: UnsafeMutablePointer<Int32>) {
        ids.withUnsafeBufferPointer { d in
            for b in 0..<batch {
                let base = b * streamLength + index * steps
                for t in 0..<steps {
                    x[b * steps + t] = Int32(d[base + t])
                    y[b * steps + t] = Int32(d[base + t + 1])
                }
            }
        }
    }
}
