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

/// Learning curves as a standalone SVG: validation loss against characters seen or wall time,
/// one line per run, each in its own colour from its architecture's family of hues (blues for
/// the LSTM, reds and oranges for the GRU), axes with units and a legend naming every run.
public enum LearningCurvePlot {
    /// One learning curve.
    public struct Series {
        /// Its name in the legend.
        public var label: String
        /// Its architecture (its family of colours).
        public var group: String
        /// (x, validation loss) points.
        public var points: [(x: Double, y: Double)]
        /// Records left out because their loss (or x) cannot be drawn: not finite, negative, or
        /// above `LearningCurvePlot.largestLoss`.
        public var unplottable = 0
        /// A curve.
        public init(label: String, group: String, points: [(x: Double, y: Double)]) {
            self.label = label; self.group = group; self.points = points
        }
    }

    /// What the x axis measures.
    public enum XAxis: String, CaseIterable { case characters, seconds }

    /// Which loss a curve follows: each log record's training loss (the mean since the previous
    /// record) or its validation loss.
    public enum Loss: String, CaseIterable { case train, validation }

    /// Series from a run folder's metrics.jsonl (records with a validation loss).
    public static func series(
        runDirectory: String, axis: XAxis, loss: Loss = .validation, label: String? = nil, group: String? = nil
    ) throws -> Series {
        let path = runDirectory + "/metrics.jsonl"
        let text = String(decoding: try InputFile.read(path, expected: "metrics log"), as: UTF8.self)
        var points: [(Double, Double)] = []
        var unplottable = 0
        for line in text.split(separator: "\n") {
            guard let r = try? JSONCoding.decoder().decode(MetricRecord.self, from: Data(line.utf8)),
                let v = loss == .validation ? r.validationLoss : r.trainLoss
            else { continue }
            let x = axis == .characters ? Double(r.characters) : r.seconds
            guard v.isFinite, v >= 0, v <= largestLoss, x.isFinite, x >= 0, x <= 1e15 else {
                unplottable += 1
                continue
            }
            points.append((x, v))
        }
        let name = PathName.lastComponent(runDirectory)
        var arch = group
        if arch == nil, let c = try? Checkpoint.load(runDirectory + "/latest.ckpt") {
            arch = c.config.architecture.displayName
        }
        var series = Series(label: label ?? name, group: arch ?? name, points: points)
        series.unplottable = unplottable
        return series
    }

    /// The largest loss drawn (nats/char): far above any real one (a uniform guess over a million
    /// characters is 13.8), low enough that the axis arithmetic stays finite.
    public static let largestLoss = 1e6

    /// A standalone SVG of `series`, one line per series, against `axis`. `yLabel` names the loss
    /// on the y axis ("validation loss", "training loss", "loss").
    public static func svg(_ series: [Series], axis: XAxis, title: String, yLabel: String = "validation loss") -> String
    {
        let frame = ChartFrame(width: 820, height: 520, left: 80, right: 190, top: 50, bottom: 70)
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let xMax = max(xs.max() ?? 1, 1e-9)
        let (yLo, yHi) = niceRange(ys.min() ?? 0, ys.max() ?? 1)
        let scaleX: Double = axis == .characters ? (xMax >= 1e6 ? 1e6 : 1e3) : (xMax >= 300 ? 60 : 1)
        let xUnit =
            axis == .characters
            ? (scaleX == 1e6 ? "millions of characters seen" : "thousands of characters seen")
            : (scaleX == 60 ? "wall time (minutes)" : "wall time (seconds)")
        func px(_ x: Double) -> Double { frame.left + x / xMax * frame.plotWidth }
        func py(_ y: Double) -> Double { frame.y(y, low: yLo, high: yHi) }
        var s = frame.header(title: title)
        for t in ticks(0, xMax / scaleX) { s += frame.verticalLine(at: px(t * scaleX), label: label(t)) }
        for t in ticks(yLo, yHi) { s += frame.horizontalLine(at: py(t), label: label(t)) }
        s += frame.border(xTitle: xUnit, yTitle: "\(yLabel) (nats per character)")
        // Lines: every run its own colour, within its architecture's family of hues.
        let colours = Self.colours(for: series.map(\.group))
        let drawn = series.indices.filter { !series[$0].points.isEmpty }
        for i in drawn {
            let d = series[i].points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            s +=
                "<polyline fill=\"none\" stroke=\"\(colours[i])\" stroke-width=\"2\" points=\"\(d)\">"
                + "<title>\(escape(series[i].label))</title></polyline>\n"
        }
        // Legend: one entry per run, named.
        for (k, i) in drawn.enumerated() {
            s += frame.legendEntry(k, colour: colours[i], label: escape(series[i].label))
        }
        return s + "</svg>\n"
    }

    /// One colour per series: a hue family per group (LSTM blue, GRU red-orange, others spread
    /// around the wheel), the runs of a group spread over hue and lightness within it.
    static func colours(for groups: [String]) -> [String] {
        var firstSeen = Set<String>()
        let distinct = groups.filter { firstSeen.insert($0).inserted }
        func base(_ g: String) -> Double {
            switch g.uppercased() {
            case "LSTM": return 215
            case "GRU": return 15
            default: return Double(distinct.firstIndex(of: g)! * 67 + 120).truncatingRemainder(dividingBy: 360)
            }
        }
        var seen: [String: Int] = [:]
        return groups.map { g in
            let n = groups.filter { $0 == g }.count, k = seen[g, default: 0]
            seen[g] = k + 1
            let t = n > 1 ? Double(k) / Double(n - 1) : 0.5
            let hue = (base(g) + (t - 0.5) * 40 + 360).truncatingRemainder(dividingBy: 360)
            return String(printf: "hsl(%.0f, %.0f%%, %.0f%%)", hue, 75 - 15 * t, 28 + 34 * t)
        }
    }

    /// The opening of a standalone SVG: size, font, white background and a centred bold title.
    static func header(width: Double, height: Double, title: String, titleX: Double) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \
        \(Int(width)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="13">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(titleX))" y="28" text-anchor="middle" font-size="16" \
        font-weight="bold">\(escape(title))</text>

        """
    }

    static func f(_ x: Double) -> String { String(printf: "%.1f", x) }
    static func label(_ t: Double) -> String {
        t == t.rounded() && abs(t) < 1e6
            ? String(Int(t))
            : (abs(t) >= 10
                ? String(printf: "%.0f", t)
                : String(printf: "%.2f", t).replacing(/0+$/, with: ""))
    }
    static func escape(_ s: String) -> String {
        s.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }

    /// About five round tick values covering [lo, hi].
    static func ticks(_ lo: Double, _ hi: Double) -> [Double] {
        guard hi > lo else { return [lo] }
        let raw = (hi - lo) / 5
        let mag = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? raw
        var t = ceil(lo / step) * step, out: [Double] = []
        while t <= hi + step * 1e-9 { out.append(t); t += step }
        return out
    }

    static func niceRange(_ lo: Double, _ hi: Double) -> (Double, Double) {
        if hi <= lo { return (lo - 0.5, hi + 0.5) }
        let pad = (hi - lo) * 0.05
        return (lo - pad, hi + pad)
    }
}
