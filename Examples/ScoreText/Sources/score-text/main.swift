// score-text CHECKPOINT TEXT: loads a charrnn checkpoint with the CharRNN library and prints how
// well the model predicts TEXT, in nats and bits per character.
import CharRNN
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: score-text CHECKPOINT TEXT\n".utf8))
    exit(2)
}
do {
    let checkpoint = try Checkpoint.load(arguments[1])
    let vocabulary = checkpoint.vocabulary
    let symbols =
        vocabulary.kind == .bytes ? arguments[2].utf8.map(UInt32.init) : arguments[2].unicodeScalars.map(\.value)
    let ids = vocabulary.encode(symbols).map { Int32($0 ?? -1) }
    let result = Evaluator(model: checkpoint.makeModel()).evaluate(ids)
    print(
        String(
            format: "%@ %@: %.4f nats/char, %.4f bits/char over %d characters (%d not in the vocabulary)",
            checkpoint.config.architecture.rawValue, "\(checkpoint.config.layers)x\(checkpoint.config.hiddenSize)",
            result.meanLoss, result.bitsPerCharacter, result.scored, result.unscored))
} catch {
    FileHandle.standardError.write(Data("score-text: error: \(error)\n".utf8))
    exit(1)
}
