import Foundation

/// Progress on stderr: a live bar when stderr is a terminal, plain periodic lines otherwise.
public final class ProgressDisplay {
    public let live: Bool
    public let quiet: Bool
    private var lastLine = Date.distantPast
    private let lineInterval: TimeInterval
    private var barShown = false

    public init(quiet: Bool = false, lineInterval: TimeInterval = 10) {
        live = isatty(2) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
        self.quiet = quiet
        self.lineInterval = lineInterval
    }

    public struct Status {
        public var step: Int, epoch: Double, loss: Double, validationLoss: Double?
        public var charactersPerSecond: Double, fraction: Double?, remainingSeconds: Double?
    }

    public func update(_ s: Status, force: Bool = false) {
        guard !quiet else { return }
        if live {
            let width = 24
            let bar: String
            if let f = s.fraction {
                let filled = Int((Double(width) * min(1, f)).rounded(.down))
                bar = "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled) + "] " + String(format: "%3.0f%% ", 100 * f)
            } else { bar = "" }
            var line = bar + "step \(s.step) epoch \(String(format: "%.2f", s.epoch)) loss \(String(format: "%.4f", s.loss))"
            if let v = s.validationLoss { line += " val \(String(format: "%.4f", v))" }
            line += " \(Self.rate(s.charactersPerSecond)) chars/s"
            if let r = s.remainingSeconds { line += " ETA \(Self.duration(r))" }
            writeErr("\r\u{1B}[2K" + line)
            barShown = true
        } else if force || Date().timeIntervalSince(lastLine) >= lineInterval {
            lastLine = Date()
            var line = "step \(s.step) epoch \(String(format: "%.2f", s.epoch)) loss \(String(format: "%.4f", s.loss))"
            if let v = s.validationLoss { line += " val_loss \(String(format: "%.4f", v))" }
            line += " chars/s \(Int(s.charactersPerSecond))"
            if let r = s.remainingSeconds { line += " eta \(Self.duration(r))" }
            writeErr(line + "\n")
        }
    }

    /// A message on its own line (the live bar is redrawn by the next update).
    public func message(_ text: String) {
        if live && barShown { writeErr("\r\u{1B}[2K"); barShown = false }
        writeErr(text + "\n")
    }

    public func finish() {
        if live && barShown { writeErr("\n"); barShown = false }
    }

    static func rate(_ x: Double) -> String { x >= 1000 ? String(format: "%.1fK", x / 1000) : String(format: "%.0f", x) }
    public static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, (t % 3600) / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}

public func writeErr(_ s: String) {
    FileHandle.standardError.write(Data(s.utf8))
}
