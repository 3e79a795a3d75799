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
        let width = 820.0, height = 480.0, left = 80.0, right = 230.0, top = 50.0, bottom = 70.0
        let pw = width - left - right, ph = height - top - bottom
        let xs = ticks.map(\.x).filter { $0 > 0 }
        let xLo = log(xs.min() ?? 1), xHi = log(xs.max() ?? 2)
        var ys = series.flatMap { $0.points.flatMap { p in [p.mean, p.low, p.high].filter(\.isFinite) } }
        if zero { ys.append(0) }
        let (yLo, yHi) = LearningCurvePlot.niceRange(ys.min() ?? 0, ys.max() ?? 1)
        func px(_ x: Double) -> Double {
            xHi > xLo ? left + 20 + (log(x) - xLo) / (xHi - xLo) * (pw - 40) : left + pw / 2
        }
        func py(_ y: Double) -> Double { top + (1 - (y - yLo) / (yHi - yLo)) * ph }
        let f = LearningCurvePlot.f, esc = LearningCurvePlot.escape
        var s = LearningCurvePlot.header(width: width, height: height, title: title, titleX: left + pw / 2)
        for t in ticks where t.x > 0 {
            let x = px(t.x)
            s += "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + ph))\" stroke=\"#e5e5e5\"/>\n"
            s += "<text x=\"\(f(x))\" y=\"\(f(top + ph + 20))\" text-anchor=\"middle\">\(esc(t.label))</text>\n"
        }
        for t in LearningCurvePlot.ticks(yLo, yHi) {
            let y = py(t)
            s += "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + pw))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            s +=
                "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">"
                + "\(LearningCurvePlot.label(t))</text>\n"
        }
        if zero {
            s += "<line x1=\"\(f(left))\" y1=\"\(f(py(0)))\" x2=\"\(f(left + pw))\" y2=\"\(f(py(0)))\" stroke=\"#333\" "
            s += "stroke-dasharray=\"4 3\"/>\n"
        }
        s +=
            "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" "
            + "stroke=\"#333\"/>\n"
        s += "<text x=\"\(f(left + pw / 2))\" y=\"\(f(height - 22))\" text-anchor=\"middle\">\(esc(xTitle))</text>\n"
        s += "<text transform=\"translate(22 \(f(top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">"
        s += "\(esc(yTitle))</text>\n"
        for line in series where !line.points.isEmpty { s += draw(line, px: px, py: py) }
        var y = top + 10
        for line in series where !line.points.isEmpty {
            let x = left + pw + 15
            s += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 28))\" y2=\"\(f(y))\" stroke=\"\(line.colour)\" "
            s += "stroke-width=\"3\"\(line.dashed ? " stroke-dasharray=\"7 4\"" : "")/>\n"
            s += "<text x=\"\(f(x + 34))\" y=\"\(f(y + 4))\">\(esc(line.label))</text>\n"
            y += 20
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
