import Foundation

/// A text to score with a given vocabulary: ids, and which characters fall outside it.
public struct ScoringText: Sendable {
    public let tokens: TokenArray
    let unknownBits: [UInt64]
    public let unknownCount: Int
    public var count: Int { tokens.count }

    public static func load(_ path: String, vocabulary: Vocabulary) throws -> ScoringText {
        let count = try CorpusReader.scan(path, kind: vocabulary.kind).count
        let (tokens, unknown) = try CorpusReader.encode(path, kind: vocabulary.kind, vocabulary: vocabulary, count: count)
        var bits = [UInt64](repeating: 0, count: unknown.isEmpty ? 0 : count / 64 + 1)
        for i in unknown { bits[i >> 6] |= 1 << UInt64(i & 63) }
        return ScoringText(tokens: tokens, unknownBits: bits, unknownCount: unknown.count)
    }

    /// Id of character i, or −1 when it is outside the vocabulary.
    @inline(__always) public func id(_ i: Int) -> Int32 {
        if !unknownBits.isEmpty && unknownBits[i >> 6] & (1 << UInt64(i & 63)) != 0 { return -1 }
        return Int32(tokens[i])
    }
}

/// A window onto a `TokenArray` (the training and validation parts share one array).
public struct TokenView: Sendable {
    public let tokens: TokenArray
    public let start: Int
    public let count: Int
    public init(_ tokens: TokenArray, start: Int = 0, count: Int? = nil) {
        self.tokens = tokens; self.start = start; self.count = count ?? tokens.count - start
    }
    @inline(__always) public subscript(i: Int) -> Int { tokens[start + i] }
}

/// The training and validation parts of a corpus, as the `train` command splits it.
public struct TrainingData: Sendable {
    public let vocabulary: Vocabulary
    public let train: TokenView
    public let validation: TokenView

    /// Vocabulary from the training file (and the validation file, if any, so it can be scored);
    /// validation = the last `validationFraction` of the training file unless a file is given.
    /// Streams the files (see `CorpusReader`): memory is 1–2 bytes per character.
    ///
    /// With `vocabulary` (fine-tuning from a checkpoint), the text must use only its characters;
    /// otherwise `TextError.outsideVocabulary` lists the ones it lacks.
    public static func load(trainFile: String, validationFile: String?, validationFraction: Double, bytes: Bool,
                            vocabulary given: Vocabulary? = nil) throws -> TrainingData {
        let kind: Vocabulary.Kind = given?.kind ?? (bytes ? .bytes : .unicode)
        let scanned = try CorpusReader.scan(trainFile, kind: kind)
        let valScanned = try validationFile.map { try CorpusReader.scan($0, kind: kind) }
        let seen = Set(scanned.symbols).union(valScanned?.symbols ?? [])
        if let v = given {
            let outside = seen.subtracting(v.symbols).sorted()
            if !outside.isEmpty {
                throw TextError.outsideVocabulary(path: validationFile.map { "\(trainFile) and \($0)" } ?? trainFile,
                                                  symbols: outside.map { Vocabulary.describe($0, kind: kind) })
            }
        }
        let vocab = given ?? Vocabulary(kind: kind, symbols: seen.sorted())
        if vocab.count > 65536 { throw TextError.tooManySymbols(path: trainFile, count: vocab.count) }
        let all = try CorpusReader.encode(trainFile, kind: kind, vocabulary: vocab, count: scanned.count).tokens
        if let v = validationFile, let vs = valScanned {
            let val = try CorpusReader.encode(v, kind: kind, vocabulary: vocab, count: vs.count).tokens
            return TrainingData(vocabulary: vocab, train: TokenView(all), validation: TokenView(val))
        }
        let nVal = Int((Double(all.count) * validationFraction).rounded())
        let split = all.count - nVal
        return TrainingData(vocabulary: vocab, train: TokenView(all, start: 0, count: split), validation: TokenView(all, start: split))
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
    public func fill(_ ids: TokenView, index: Int, x: UnsafeMutablePointer<Int32>, y: UnsafeMutablePointer<Int32>) {
        for b in 0..<batch {
            let base = b * streamLength + index * steps
            for t in 0..<steps {
                x[b * steps + t] = Int32(ids[base + t])
                y[b * steps + t] = Int32(ids[base + t + 1])
            }
        }
    }
}
