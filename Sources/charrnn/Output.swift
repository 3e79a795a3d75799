import CharRNN

/// Buffered stdout: flushed every character when a person watches (a terminal), every line when
/// piped (so `charrnn sample … | head` and `tee` see whole lines at once), and at the end.
final class Output {
    enum Mode { case character, line }
    let mode: Mode
    var buffer: [UInt8] = []
    init(mode: Mode) { self.mode = mode }
    func write(_ bytes: [UInt8]) {
        buffer += bytes
        if mode == .character || bytes.contains(0x0A) || buffer.count >= 1 << 16 { flush() }
    }
    func flush() {
        buffer.withUnsafeBytes { if !writeAll(1, $0) { StandardOutput.failed = true } }
        buffer.removeAll(keepingCapacity: true)
    }
}
