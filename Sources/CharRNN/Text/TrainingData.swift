#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The training, validation and (optionally) test parts of a corpus, as the `train` command
/// splits it.
public struct TrainingData: Sendable {
    /// The characters of the corpus, in id order.
    public let vocabulary: Vocabulary
    /// The training part.
    public let train: TokenView
    /// The validation part.
    public let validation: TokenView
    /// The test part, held out of training and of model selection (`--test-fraction`).
    public let test: TokenView?

    /// Parts already split.
    public init(vocabulary: Vocabulary, train: TokenView, validation: TokenView, test: TokenView? = nil) {
        self.vocabulary = vocabulary; self.train = train; self.validation = validation; self.test = test
    }

    /// Vocabulary from the training file (and the validation file, if any, so it can be scored);
    /// validation = the last `validationFraction` of the training file unless a file is given.
    /// With `testFraction`, the last `testFraction` of the file is the test part and validation
    /// is the `validationFraction` of the file just before it.
    /// Streams the files (see `CorpusReader`): memory is 1–2 bytes per character.
    ///
    /// With `vocabulary` (fine-tuning from a checkpoint), the text must use only its characters;
    /// otherwise `TextError.outsideVocabulary` lists the ones it lacks.
    public static func load(
        trainFile: String, validationFile: String?, validationFraction: Double, testFraction: Double? = nil,
        bytes: Bool, vocabulary given: Vocabulary? = nil
    ) throws -> TrainingData {
        let kind: Vocabulary.Kind = given?.kind ?? (bytes ? .bytes : .unicode)
        let scanned = try CorpusReader.scan(trainFile, kind: kind)
        let valScanned = try validationFile.map { try CorpusReader.scan($0, kind: kind) }
        let seen = Set(scanned.symbols).union(valScanned?.symbols ?? [])
        if let v = given {
            let outside = seen.subtracting(v.symbols).sorted()
            if !outside.isEmpty {
                throw TextError.outsideVocabulary(
                    path: validationFile.map { "\(trainFile) and \($0)" } ?? trainFile,
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
        let nTest = testFraction.map { Int((Double(all.count) * $0).rounded()) } ?? 0
        let split = all.count - nVal - nTest
        return TrainingData(
            vocabulary: vocab, train: TokenView(all, start: 0, count: split),
            validation: TokenView(all, start: split, count: nVal),
            test: testFraction == nil ? nil : TokenView(all, start: split + nVal, count: nTest))
    }
}
