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

// What a run refuses before it starts: too little data; and the fingerprint that tells a changed
// validation text.
extension Trainer {
    /// Validation reads at most this many characters.
    public static let validationLimit = 2_000_000

    /// Refuses data a run cannot train on: fewer training characters than one batch needs, or a
    /// validation text of fewer than 2 characters. Commands call it before printing anything.
    public static func checkData(_ data: TrainingData, settings: TrainingSettings) throws {
        let need = StreamBatcher.minimumCharacters(batch: settings.batch, steps: settings.sequence)
        guard data.train.count >= need else {
            throw TrainingError.corpusTooSmall(
                path: settings.trainFile, characters: data.train.count, needed: need,
                batch: settings.batch, steps: settings.sequence)
        }
        guard data.validation.count >= 2 else {
            throw TrainingError.validationTooSmall(characters: data.validation.count)
        }
    }

    /// "N:HASH": the length and FNV-1a hash of the first `limit` tokens of `text`.
    static func fingerprint(_ text: TokenView, limit: Int) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for i in 0..<min(text.count, limit) {
            hash = (hash ^ UInt64(text[i])) &* 0x0000_0100_0000_01B3
        }
        return "\(text.count):\(String(hash, radix: 16))"
    }
}
