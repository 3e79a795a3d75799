#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// B contiguous streams over the training ids for truncated BPTT (char-rnn / torch-rnn style):
/// stream b reads ids[b·L ..< (b+1)·L] with L = (N−1)/B, T characters per batch, so hidden state
/// carries from one batch to the next; at the end of an epoch the streams start again.
struct StreamBatcher {
    let batch: Int, steps: Int
    let streamLength: Int
    var batchesPerEpoch: Int { streamLength / steps }

    init(count: Int, batch: Int, steps: Int) {
        self.batch = batch; self.steps = steps
        streamLength = max(0, (count - 1) / batch)
    }

    /// Characters needed for one batch: B·T + 1.
    static func minimumCharacters(batch: Int, steps: Int) -> Int { batch * steps + 1 }

    /// Fills x and y ([B, T], batch-first) for batch `index` of an epoch.
    func fill(_ ids: TokenView, index: Int, x: UnsafeMutablePointer<Int32>, y: UnsafeMutablePointer<Int32>) {
        for b in 0..<batch {
            let base = b * streamLength + index * steps
            for t in 0..<steps {
                x[b * steps + t] = Int32(ids[base + t])
                y[b * steps + t] = Int32(ids[base + t + 1])
            }
        }
    }
}
