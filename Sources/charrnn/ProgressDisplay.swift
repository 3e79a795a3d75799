import CharRNN
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

/// Renders a training run's events on stderr: a live bar when stderr is a terminal, with a line
/// left above it at every validation; plain periodic lines otherwise (one every `lineInterval`
/// seconds, and at every validation).
final class ProgressDisplay {
    let live: Bool
    let quiet: Bool
    private var lastLine = Date.distantPast
    private let lineInterval: TimeInterval
    private var barShown = false

    init(quiet: Bool = false, lineInterval: TimeInterval = 10) {
        live = isatty(2) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        self.quiet = quiet
        self.lineInterval = lineInterval
    }

    func render(_ event: TrainingEvent) {
        switch event {
        case .started(let text): if !quiet { message(text) }
        case .note(let text): message("note: " + text)
        case .warning(let text): message("warning: " + text)
        case .step(let status, let validated): update(status, force: validated)
        case .finished(let step, let interrupted, let latest):
            if live && barShown { writeErr("\n"); barShown = false }
            if interrupted { message("stopped at step \(step); wrote \(latest)") }
        case .tested(let loss, let count):
            message(
                String(
                    printf: "test: %.4f nats/char (%.4f bits/char, perplexity %.3f) over %d held-out characters, "
                        + "scored by best.ckpt", loss, loss / log(2), exp(loss), count))
        }
    }

    private func update(_ s: TrainingEvent.Status, force: Bool) {
        guard !quiet else { return }
        if live {
            let width = 24
            var line = ""
            if let f = s.fraction {
                let filled = Int((Double(width) * min(1, f)).rounded(.down))
                line =
                    "[" + String(repeating: "█", count: filled)
                    + String(repeating: "·", count: width - filled) + "] "
                    + String(printf: "%3.0f%% ", 100 * f)
            }
            line += "step \(s.step) epoch \(String(printf: "%.2f", s.epoch)) loss \(String(printf: "%.4f", s.loss))"
            if let v = s.validationLoss { line += " val \(String(printf: "%.4f", v))" }
            line += " \(Self.rate(s.charactersPerSecond)) chars/s"
            if let r = s.remainingSeconds { line += " ETA \(formatDuration(r))" }
            if force, let v = s.validationLoss {
                // Each validation leaves a line of history above the live bar.
                writeErr(
                    "\r\u{1B}[2K"
                        + String(
                            printf: "step %d epoch %.2f loss %.4f val_loss %.4f\n", s.step, s.epoch, s.loss, v))
            }
            writeErr("\r\u{1B}[2K" + line)
            barShown = true
        } else if force || Date().timeIntervalSince(lastLine) >= lineInterval {
            lastLine = Date()
            var line = "step \(s.step) epoch \(String(printf: "%.2f", s.epoch)) loss \(String(printf: "%.4f", s.loss))"
            if let v = s.validationLoss { line += " val_loss \(String(printf: "%.4f", v))" }
            line += " chars/s \(Int(s.charactersPerSecond))"
            if let r = s.remainingSeconds { line += " eta \(formatDuration(r))" }
            writeErr(line + "\n")
        }
    }

    /// A message on its own line (the live bar is redrawn by the next update).
    private func message(_ text: String) {
        if live && barShown { writeErr("\r\u{1B}[2K"); barShown = false }
        writeErr(text + "\n")
    }

    static func rate(_ x: Double) -> String {
        x >= 1000 ? String(printf: "%.1fK", x / 1000) : String(printf: "%.0f", x)
    }
}

/// Everything the CLI says besides results goes to stderr.
func writeErr(_ s: String) {
    var s = s
    s.withUTF8 { _ = writeAll(2, UnsafeRawBufferPointer($0)) }
}

/// Direct writes to standard output (the sampler's stream) that failed.
enum StandardOutput {
    nonisolated(unsafe) static var failed = false
}

/// Exits with `status` (the C library's exit, which flushes stdio).
func terminate(_ status: Int32) -> Never {
    exit(status)
}
