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

/// Means with 95% bands against a budget axis (logarithmic), as a standalone SVG: one line per
/// series, its interval drawn as a translucent band, the budgets as labelled ticks.
public enum BandPlot {
    /// One line.
    public struct Series {
        public var label: String, colour: String
        /// (budget, mean, low, high); an unbounded interval draws no band.
        public var points: [(x: Double, mean: Double, low: Double, high: Double)]
        public var dashed = false
        public init(label: String, colour: String, points: [(x: Double, mean: Double, low: Double, high: Double)]) {
            self.label = label; self.colour = colour; self.points = points
        }
    }

    /// The SVG. `ticks` label the x axis; `zero` draws the y = 0 line.
    public static func svg(
        _ series: [Series], ticks: [(x: Double, label: String)], title: String, xTitle: String, yTitle: String,
        zero: Bool = false
    ) -> String {
        let frame = ChartFrame(width: 820, height: 480, left: 80, right: 230, top: 50, bottom: 70)
        let xs = ticks.map(\.x).filter { $0 > 0 }
        let xLo = log(xs.min() ?? 1), xHi = log(xs.max() ?? 2)
        var ys = series.flatMap { $0.points.flatMap { p in [p.mean, p.low, p.high].filter(\.isFinite) } }
        if zero { ys.append(0) }
        let (yLo, yHi) = LearningCurvePlot.niceRange(ys.min() ?? 0, ys.max() ?? 1)
        let left = frame.left, pw = frame.plotWidth
        func px(_ x: Double) -> Double {
            xHi > xLo ? left + 20 + (log(x) - xLo) / (xHi - xLo) * (pw - 40) : left + pw / 2
        }
        func py(_ y: Double) -> Double { frame.y(y, low: yLo, high: yHi) }
        let f = LearningCurvePlot.f, esc = LearningCurvePlot.escape
        var s = frame.header(title: title)
        for t in ticks where t.x > 0 { s += frame.verticalLine(at: px(t.x), label: esc(t.label)) }
        for t in LearningCurvePlot.ticks(yLo, yHi) {
            s += frame.horizontalLine(at: py(t), label: LearningCurvePlot.label(t))
        }
        if zero {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(0)))\" stroke=\"#333\" "
            s += "stroke-dasharray=\"4 3\"/>\n"
        }
        s += frame.border(xTitle: esc(xTitle), yTitle: esc(yTitle))
        let drawn = series.filter { !$0.points.isEmpty }
        for line in drawn { s += draw(line, px: px, py: py) }
        for (i, line) in drawn.enumerated() {
            s += frame.legendEntry(i, colour: line.colour, label: esc(line.label), dashed: line.dashed)
        }
        return s + "</svg>\n"
    }

    /// One series: its 95% band, the interval at each point, the line of means and its points.
    static func draw(_ line: Series, px: (Double) -> Double, py: (Double) -> Double) -> String {
        let f = LearningCurvePlot.f, esc = LearningCurvePlot.escape
        var s = ""
        let pts = line.points.sorted { $0.x < $1.x }
        let banded = pts.filter { $0.low.isFinite && $0.high.isFinite }
        if banded.count >= 2 {
            let upper = banded.map { "\(f(px($0.x))),\(f(py($0.high)))" }
            let lower = banded.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" }
            s += "<polygon fill=\"\(line.colour)\" fill-opacity=\"0.15\" stroke=\"none\" points=\""
            s += (upper + lower).joined(separator: " ") + "\"/>\n"
        }
        for p in banded {
            s += "<line x1=\"\(f(px(p.x)))\" y1=\"\(f(py(p.low)))\" x2=\"\(f(px(p.x)))\" y2=\"\(f(py(p.high)))\" "
            s += "stroke=\"\(line.colour)\" stroke-width=\"1.5\"/>\n"
        }
        let d = pts.map { "\(f(px($0.x))),\(f(py($0.mean)))" }.joined(separator: " ")
        s +=
            "<polyline fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"2.5\""
            + (line.dashed ? " stroke-dasharray=\"7 4\" " : " ")
        s += "points=\"\(d)\"><title>\(esc(line.label))</title></polyline>\n"
        for p in pts {
            s += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.mean)))\" r=\"3.5\" fill=\"\(line.colour)\"/>\n"
        }
        return s
    }

    /// The colour of an arm: LSTM blue, GRU red-orange, the LSTM with forget bias 1 green, others spread.
    public static func colour(arm: String, index: Int) -> String {
        switch arm {
        case "lstm": return "hsl(215, 70%, 40%)"
        case "gru": return "hsl(15, 80%, 48%)"
        case "lstm-fb1": return "hsl(140, 55%, 35%)"
        default: return "hsl(\((index * 67 + 280) % 360), 60%, 45%)"
        }
    }
}
