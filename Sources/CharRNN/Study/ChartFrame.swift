/// The frame of a chart in a standalone SVG: the plot area inside its margins, and the SVG of its
/// title, grid lines with their tick labels, border, axis titles and legend entries. The texts
/// given are SVG already: the caller escapes what it must.
struct ChartFrame {
    let width: Double, height: Double, left: Double, right: Double, top: Double, bottom: Double
    var plotWidth: Double { width - left - right }
    var plotHeight: Double { height - top - bottom }

    private func f(_ x: Double) -> String { LearningCurvePlot.f(x) }

    /// The pixel row of `value` on a y axis that runs from `low` (the bottom) to `high` (the top).
    func y(_ value: Double, low: Double, high: Double) -> Double {
        top + (1 - (value - low) / (high - low)) * plotHeight
    }

    /// The SVG's opening, with `title` centred over the plot area.
    func header(title: String) -> String {
        LearningCurvePlot.header(width: width, height: height, title: title, titleX: left + plotWidth / 2)
    }

    /// A vertical grid line at pixel `x`, labelled under the plot area.
    func verticalLine(at x: Double, label: String) -> String {
        "<line x1=\"\(f(x))\" y1=\"\(f(top))\" x2=\"\(f(x))\" y2=\"\(f(top + plotHeight))\" stroke=\"#e5e5e5\"/>\n"
            + "<text x=\"\(f(x))\" y=\"\(f(top + plotHeight + 20))\" text-anchor=\"middle\">\(label)</text>\n"
    }

    /// A horizontal grid line at pixel `y`, labelled left of the plot area.
    func horizontalLine(at y: Double, label: String) -> String {
        "<line x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            + "<text x=\"\(f(left - 8))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label)</text>\n"
    }

    /// The plot area's border and the titles of its axes (the y title turned upright).
    func border(xTitle: String, yTitle: String) -> String {
        "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotWidth))\" height=\"\(f(plotHeight))\" fill=\"none\" "
            + "stroke=\"#333\"/>\n"
            + "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 22))\" text-anchor=\"middle\">\(xTitle)</text>\n"
            + "<text transform=\"translate(22 \(f(top + plotHeight / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + "\(yTitle)</text>\n"
    }

    /// Legend entry `i`, counted from the top, right of the plot area: a short line in `colour`
    /// (dashed if `dashed`) and its label.
    func legendEntry(_ i: Int, colour: String, label: String, dashed: Bool = false) -> String {
        let x = left + plotWidth + 15, y = top + 10 + 20 * Double(i)
        return "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 28))\" y2=\"\(f(y))\" stroke=\"\(colour)\" "
            + "stroke-width=\"3\"\(dashed ? " stroke-dasharray=\"7 4\"" : "")/>\n"
            + "<text x=\"\(f(x + 34))\" y=\"\(f(y + 4))\">\(label)</text>\n"
    }
}
