/// Whether single-stream sampling splits each step between two threads or runs it on one,
/// chosen from measured step times, so that a busy machine (where the second thread waits for a
/// core) costs no more than one thread does alone.
///
/// Every `cycle` steps it times `probe` steps each way and keeps the faster way for the rest of
/// the cycle. Both ways compute every unit identically, so the choice never changes the text.
struct SplitChoice {
    static let cycle = 1024, probe = 32
    private var position = 0
    private var splitNanoseconds: UInt64 = 0, aloneNanoseconds: UInt64 = 0
    private var splitFaster = true

    /// Whether the coming step splits.
    var splits: Bool {
        position < Self.probe ? true : position < 2 * Self.probe ? false : splitFaster
    }

    /// Records how long the step that `splits` described took.
    mutating func record(nanoseconds: UInt64) {
        if position < Self.probe {
            splitNanoseconds += nanoseconds
        } else if position < 2 * Self.probe {
            aloneNanoseconds += nanoseconds
        }
        position += 1
        if position == 2 * Self.probe {
            splitFaster = splitNanoseconds <= aloneNanoseconds
        } else if position == Self.cycle {
            position = 0; splitNanoseconds = 0; aloneNanoseconds = 0
        }
    }
}
