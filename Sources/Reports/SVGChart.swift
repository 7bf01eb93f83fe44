// Inline SVG charts for `dir-dist report`: bars, lines and shaded bands on shared axes
// (an optional second y axis on the right), a forest plot with named rows, and a
// heatmap with its colour scale. Hand-written markup rather than a package: the HTML
// DSL among the mirrored packages (Plot) has no SVG elements, and these are a few dozen
// tags with one escape function.
//
// Every chart is drawn for a given width in its own units (a viewBox shown at 100% of
// its box), so the page draws each figure twice, wide and narrow, and CSS shows one:
// text stays about 12 px on a desktop and on a phone. Ticks come from `readableTicks` and
// the axes run from a tick to a tick; data marks are clipped to the plot rectangle;
// legends are HTML under the plot, so they never cover data. Every series is a
// <g class="series">, every axis title a <text class="axis-label"> and every tick
// label a <text class="tick …">, which the browser test reads.
import Foundation

enum Markup {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A coordinate in the SVG's units.
    static func number(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Tableau 10: distinct hues that stay apart in print and for most colour-blind readers.
    static let palette = [
        "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
    ]

    /// About how wide `text` is at `size` px in a sans-serif face (digits and lower case).
    static func textWidth(_ text: String, size: Double) -> Double { Double(text.count) * size * 0.6 }

    /// `text` cut to `width` px at `size` with an ellipsis.
    static func fit(_ text: String, width: Double, size: Double) -> String {
        let most = max(3, Int(width / (size * 0.6)))
        return text.count <= most ? text : String(text.prefix(most - 1)) + "…"
    }
}

/// Sizes shared by the chart kinds: font sizes in the SVG's units.
private let tickSize = 12.0, labelSize = 13.0

/// Lines, bars and bands over a numeric x axis, with one or two y axes.
struct Chart {
    enum Kind { case bars, line, band }
    enum Side { case left, right }
    /// How a series looks in the legend.
    enum Key { case bar, line, dashed, band, lineOverBand, hidden }

    struct Series {
        var name: String
        var kind: Kind
        /// x, y, and for a band its low and high ends.
        var points: [(x: Double, y: Double, low: Double, high: Double)]
        var color: String
        var side = Side.left
        /// Bars: their width in x units (the bin width).
        var barWidth = 0.0
        var dashed = false
        var key: Key

        /// A line breaks where y is not finite (a bin without test samples).
        init(_ name: String, _ kind: Kind, _ xy: [(Double, Double)], color: String) {
            self.name = name
            self.kind = kind
            points = xy.filter { $0.0.isFinite && (kind == .line || $0.1.isFinite) }.map { ($0.0, $0.1, $0.1, $0.1) }
            self.color = color
            key = kind == .bars ? .bar : .line
        }

        /// A shaded band between `low` and `high` at each x.
        init(band name: String, _ ranges: [(x: Double, low: Double, high: Double)], color: String) {
            self.name = name
            kind = .band
            points = ranges.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }.map {
                ($0.x, ($0.low + $0.high) / 2, $0.low, $0.high)
            }
            self.color = color
            key = .band
        }

        /// The x extent of a point: its bar, or the point.
        var xs: [Double] { points.flatMap { [$0.x - barWidth / 2, $0.x + barWidth / 2] } }
        var ys: [Double] { points.flatMap { [$0.low, $0.high, $0.y] }.filter(\.isFinite) }
    }

    struct Axis {
        var label: String
        /// Integer ticks (epochs, bins, counts).
        var integer = false
        /// The axis includes 0 (bars start there).
        var zero = false
        /// A logarithmic axis (y only; every value must be positive).
        var log = false
    }

    var title: String
    var x: Axis
    var y: Axis
    var y2: Axis?
    var series: [Series]
    /// Unique on the page: clip paths are named after it.
    var id: String

    init(id: String, title: String, x: Axis, y: Axis, y2: Axis? = nil, series: [Series]) {
        self.id = id
        self.title = title
        self.x = x
        self.y = y
        self.y2 = y2
        self.series = series.filter { !$0.ys.isEmpty }
    }

    /// The chart `width` units wide (its height follows), as variant `variant` ("wide", "narrow").
    func svg(width: Double, variant: String) -> String {
        let height = min(380, max(270, width * 0.62))
        let left = series.filter { $0.side == .left }, right = series.filter { $0.side == .right }
        let xs = series.flatMap(\.xs)
        guard let xLo = xs.min(), let xHi = xs.max(), !left.isEmpty else { return "" }
        let (top, bottom) = (12.0, 50.0)
        let plotH = height - top - bottom
        let yMost = max(3, Int(plotH / 42) + 1)
        let yTicks = Self.ticks(left.flatMap(\.ys), y, most: yMost)
        let y2Ticks = y2.map { Self.ticks(right.flatMap(\.ys), $0, most: yMost) } ?? []
        let (yLabels, y2Labels) = (y.log ? logTickLabels(yTicks) : tickLabels(yTicks), tickLabels(y2Ticks))
        let widest = { (labels: [String]) in labels.map { Markup.textWidth($0, size: tickSize) }.max() ?? 0 }
        let leftMargin = 24 + widest(yLabels) + 8
        let rightMargin = y2 == nil ? 18 : 24 + widest(y2Labels) + 10
        let plotW = width - leftMargin - rightMargin
        // X ticks with room between their labels.
        let xTicks = readableTicks(xLo, xHi, maxTicks: max(2, Int(plotW / 45)), integer: x.integer) {
            widest(tickLabels($0)) + 14 <= plotW / Double($0.count - 1)
        }
        let (x0, x1) = (xTicks.first!, xTicks.last!)
        let sx = { (v: Double) in leftMargin + (v - x0) / (x1 - x0) * plotW }
        func scale(_ ticks: [Double], log: Bool = false) -> (Double) -> Double {
            let f = { (v: Double) in log ? Foundation.log10(v) : v }
            let (lo, hi) = (f(ticks.first ?? 0), f(ticks.last ?? 1))
            return { v in top + (1 - (f(v) - lo) / (hi - lo)) * plotH }
        }
        let (sy, sy2) = (scale(yTicks, log: y.log), scale(y2Ticks))
        let clip = "clip-\(id)-\(variant)"
        let bottomY = top + plotH, rightX = leftMargin + plotW
        var out = "<svg class=\"chart \(variant)\" data-figure=\"\(id)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        out += "role=\"img\" data-series-count=\"\(series.count)\"\(y.log ? " data-y-scale=\"log\"" : "")>"
        out += "<title>\(Markup.escape(title))</title>"
        // The plot rectangle, and 3 units more so that a marker on the axis shows whole.
        out += "<defs><clipPath id=\"\(clip)\"><rect x=\"\(Markup.number(leftMargin - 3))\" "
        out += "y=\"\(Markup.number(top - 3))\" width=\"\(Markup.number(plotW + 6))\" "
        out += "height=\"\(Markup.number(plotH + 6))\"/></clipPath></defs>"
        // Grid lines at the left axis's ticks, under everything.
        out += "<g class=\"grid\" stroke=\"#e6e6e6\">"
        for t in yTicks {
            out += "<line x1=\"\(Markup.number(leftMargin))\" x2=\"\(Markup.number(rightX))\" "
            out += "y1=\"\(Markup.number(sy(t)))\" y2=\"\(Markup.number(sy(t)))\"/>"
        }
        out += "</g><g class=\"plot\" clip-path=\"url(#\(clip))\">"
        let barPx = { (s: Series) in max(1, s.barWidth / (x1 - x0) * plotW * 0.86) }
        for s in series {
            let fy = s.side == .left ? sy : sy2
            let pts = s.points.sorted { $0.x < $1.x }
            out += "<g class=\"series \(s.kind)\" data-name=\"\(Markup.escape(s.name))\">"
            switch s.kind {
            case .bars:
                for p in pts {
                    let (a, b) = (fy(max(p.y, 0)), fy(min(p.y, 0)))
                    out += "<rect x=\"\(Markup.number(sx(p.x) - barPx(s) / 2))\" y=\"\(Markup.number(a))\" "
                    out += "width=\"\(Markup.number(barPx(s)))\" height=\"\(Markup.number(max(b - a, 0)))\" "
                    out += "fill=\"\(s.color)\"/>"
                }
            case .band:
                let upper = pts.map { "\(Markup.number(sx($0.x))),\(Markup.number(fy($0.high)))" }
                let lower = pts.reversed().map { "\(Markup.number(sx($0.x))),\(Markup.number(fy($0.low)))" }
                out += "<path d=\"M\((upper + lower).joined(separator: " L")) Z\" fill=\"\(s.color)\" "
                out += "fill-opacity=\"0.18\" stroke=\"none\"/>"
            case .line:
                // Segments between the gaps.
                let runs = pts.split { !$0.y.isFinite }.map {
                    "M" + $0.map { "\(Markup.number(sx($0.x))),\(Markup.number(fy($0.y)))" }.joined(separator: " L")
                }
                out += "<path d=\"\(runs.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" "
                out += "stroke-width=\"2\" stroke-linejoin=\"round\"\(s.dashed ? " stroke-dasharray=\"6 4\"" : "")/>"
                // Markers where the points are few enough to tell apart (epochs), and on lone points.
                let few = Double(pts.count) * 12 <= plotW
                for (k, p) in pts.enumerated() where p.y.isFinite {
                    let alone =
                        (k == 0 || !pts[k - 1].y.isFinite) && (k == pts.count - 1 || !pts[k + 1].y.isFinite)
                    if few || alone {
                        out += "<circle cx=\"\(Markup.number(sx(p.x)))\" cy=\"\(Markup.number(fy(p.y)))\" r=\"2.6\" "
                        out += "fill=\"\(s.color)\"/>"
                    }
                }
            }
            out += "</g>"
        }
        out += "</g><g class=\"axes\" stroke=\"#444\" fill=\"none\">"
        out += "<path d=\"M\(Markup.number(leftMargin)),\(Markup.number(top)) V\(Markup.number(bottomY)) "
        out += "H\(Markup.number(rightX))\(y2 == nil ? "" : " V\(Markup.number(top))")\"/>"
        for t in xTicks {
            out += "<line x1=\"\(Markup.number(sx(t)))\" x2=\"\(Markup.number(sx(t)))\" "
            out += "y1=\"\(Markup.number(bottomY))\" y2=\"\(Markup.number(bottomY + 5))\"/>"
        }
        for t in yTicks {
            out += "<line x1=\"\(Markup.number(leftMargin - 5))\" x2=\"\(Markup.number(leftMargin))\" "
            out += "y1=\"\(Markup.number(sy(t)))\" y2=\"\(Markup.number(sy(t)))\"/>"
        }
        for t in y2Ticks {
            out += "<line x1=\"\(Markup.number(rightX))\" x2=\"\(Markup.number(rightX + 5))\" "
            out += "y1=\"\(Markup.number(sy2(t)))\" y2=\"\(Markup.number(sy2(t)))\"/>"
        }
        out += "</g><g class=\"ticks\" font-size=\"\(tickSize)\" fill=\"#333\">"
        for (t, label) in zip(xTicks, tickLabels(xTicks)) {
            out += "<text class=\"tick x\" x=\"\(Markup.number(sx(t)))\" y=\"\(Markup.number(bottomY + 18))\" "
            out += "text-anchor=\"middle\">\(label)</text>"
        }
        for (t, label) in zip(yTicks, yLabels) {
            out += "<text class=\"tick y\" x=\"\(Markup.number(leftMargin - 8))\" y=\"\(Markup.number(sy(t) + 4))\" "
            out += "text-anchor=\"end\">\(label)</text>"
        }
        for (t, label) in zip(y2Ticks, y2Labels) {
            out += "<text class=\"tick y2\" x=\"\(Markup.number(rightX + 8))\" y=\"\(Markup.number(sy2(t) + 4))\" "
            out += "text-anchor=\"start\">\(label)</text>"
        }
        out += "</g>"
        out += Self.axisLabel(x.label, x: leftMargin + plotW / 2, y: height - 8, width: plotW)
        out += Self.axisLabel(y.label, x: 15, y: top + plotH / 2, width: plotH, rotate: -90)
        if let y2 { out += Self.axisLabel(y2.label, x: width - 8, y: top + plotH / 2, width: plotH, rotate: 90) }
        return out + "</svg>"
    }

    /// The ticks of a y axis over `values`.
    private static func ticks(_ values: [Double], _ axis: Axis, most: Int) -> [Double] {
        var (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        if axis.log { return logTicks(lo, hi, maxTicks: most) }
        if axis.zero { (lo, hi) = (min(lo, 0), max(hi, 0)) }
        return readableTicks(lo, hi, maxTicks: most, integer: axis.integer)
    }

    static func axisLabel(_ text: String, x: Double, y: Double, width: Double, rotate: Int = 0) -> String {
        let at = "x=\"\(Markup.number(x))\" y=\"\(Markup.number(y))\""
        let turn =
            rotate == 0 ? at : "transform=\"translate(\(Markup.number(x)),\(Markup.number(y))) rotate(\(rotate))\""
        return "<text class=\"axis-label\" \(turn) text-anchor=\"middle\" font-size=\"\(labelSize)\" fill=\"#222\">"
            + "\(Markup.escape(Markup.fit(text, width: width, size: labelSize)))</text>"
    }

    /// The legend under the chart: one key per series that shows one.
    var legend: String {
        Legend.html(series.filter { $0.key != .hidden }.map { ($0.name, $0.color, $0.key) })
    }
}

/// HTML legends: they wrap with the page and never cover a plot.
enum Legend {
    static func html(_ keys: [(name: String, color: String, key: Chart.Key)]) -> String {
        guard keys.count > 1 || keys.contains(where: { $0.key == .lineOverBand }) else { return "" }
        var out = "<ul class=\"legend\">"
        for k in keys {
            out += "<li>" + swatch(k.color, k.key) + Markup.escape(k.name) + "</li>"
        }
        return out + "</ul>"
    }

    static func swatch(_ color: String, _ key: Chart.Key) -> String {
        var out = "<svg class=\"swatch\" width=\"26\" height=\"14\" viewBox=\"0 0 26 14\" aria-hidden=\"true\">"
        switch key {
        case .bar: out += "<rect x=\"3\" y=\"2\" width=\"20\" height=\"10\" fill=\"\(color)\"/>"
        case .band: out += "<rect x=\"1\" y=\"2\" width=\"24\" height=\"10\" fill=\"\(color)\" fill-opacity=\"0.25\"/>"
        case .lineOverBand:
            out += "<rect x=\"1\" y=\"2\" width=\"24\" height=\"10\" fill=\"\(color)\" fill-opacity=\"0.22\"/>"
            out += "<line x1=\"1\" x2=\"25\" y1=\"7\" y2=\"7\" stroke=\"\(color)\" stroke-width=\"2.2\"/>"
        case .line, .hidden:
            out += "<line x1=\"1\" x2=\"25\" y1=\"7\" y2=\"7\" stroke=\"\(color)\" stroke-width=\"2.2\"/>"
        case .dashed:
            out += "<line x1=\"1\" x2=\"25\" y1=\"7\" y2=\"7\" stroke=\"\(color)\" stroke-width=\"2\" "
            out += "stroke-dasharray=\"5 3\"/>"
        }
        return out + "</svg>"
    }
}

/// A forest plot: one named row per configuration, its differences to the baseline with
/// their intervals on a horizontal axis, a line at zero.
struct ForestPlot {
    struct Row {
        var name: String
        /// Lines under the name: "baseline", "selected on validation".
        var notes: [String]
        /// The baseline's row: a reference mark at zero, no interval.
        var reference: Bool
        /// One per series: mean, low, high (nil: not available).
        var values: [(mean: Double, low: Double, high: Double)?]
    }

    struct Series {
        var name: String
        var color: String
        /// "circle" or "diamond".
        var shape: String
    }

    var id: String
    var title: String
    var xLabel: String
    var rows: [Row]
    var series: [Series]

    func svg(width: Double, variant: String) -> String {
        let top = 8.0, bottom = 68.0
        // A row fits its name and notes; rowY[i] is its top, rowY.last the plot's bottom.
        let rowH = rows.map { max(40, 26 + 14 * Double($0.notes.count)) }
        let rowY = rowH.reduce(into: [top]) { $0.append($0.last! + $1) }
        let plotH = rowY.last! - top, height = top + plotH + bottom
        let names =
            rows.map { Markup.textWidth($0.name, size: labelSize) }
            + rows.flatMap { $0.notes.map { Markup.textWidth($0, size: tickSize - 1) } }
        let left = min((names.max() ?? 40) + 20, width * 0.4), right = 20.0
        let plotW = width - left - right
        let values = rows.flatMap { $0.values.compactMap { $0 } }.flatMap { [$0.low, $0.high, $0.mean] }
        let ticks = readableTicks(
            min(values.min() ?? -1, 0), max(values.max() ?? 1, 0), maxTicks: max(2, Int(plotW / 45))
        ) { t in
            (tickLabels(t).map { Markup.textWidth($0, size: tickSize) }.max() ?? 0) + 14 <= plotW / Double(t.count - 1)
        }
        let (x0, x1) = (ticks.first!, ticks.last!)
        let sx = { (v: Double) in left + (v - x0) / (x1 - x0) * plotW }
        let clip = "clip-\(id)-\(variant)"
        var out = "<svg class=\"chart \(variant)\" data-figure=\"\(id)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        out += "role=\"img\" data-series-count=\"\(series.count)\"><title>\(Markup.escape(title))</title>"
        out += "<defs><clipPath id=\"\(clip)\"><rect x=\"\(Markup.number(left))\" y=\"\(Markup.number(top))\" "
        out += "width=\"\(Markup.number(plotW))\" height=\"\(Markup.number(plotH))\"/></clipPath></defs>"
        // Rows: a light band on every other one, the name (and its note) on the left.
        out += "<g class=\"rows\">"
        for (i, row) in rows.enumerated() {
            if i % 2 == 0 {
                out += "<rect x=\"0\" y=\"\(Markup.number(rowY[i]))\" width=\"\(Int(width))\" "
                out += "height=\"\(Markup.number(rowH[i]))\" fill=\"#f4f4f4\"/>"
            }
            // The name and its notes centred on the row.
            let nameY = rowY[i] + rowH[i] / 2 + 4 - 7 * Double(row.notes.count)
            out += "<text class=\"row-label\" data-config=\"\(Markup.escape(row.name))\" "
            out += "x=\"\(Markup.number(left - 10))\" y=\"\(Markup.number(nameY))\" text-anchor=\"end\" "
            out += "font-size=\"\(labelSize)\" fill=\"#222\"\(row.notes.isEmpty ? "" : " font-weight=\"bold\"")>"
            out += "\(Markup.escape(Markup.fit(row.name, width: left - 14, size: labelSize)))</text>"
            for (k, note) in row.notes.enumerated() {
                out += "<text class=\"row-note\" x=\"\(Markup.number(left - 10))\" "
                out += "y=\"\(Markup.number(nameY + 14 * Double(k + 1)))\" text-anchor=\"end\" "
                out += "font-size=\"\(tickSize - 1)\" fill=\"#666\">"
                out += "\(Markup.escape(Markup.fit(note, width: left - 14, size: tickSize - 1)))</text>"
            }
        }
        out += "</g><g class=\"grid\" stroke=\"#e0e0e0\">"
        for t in ticks where t != 0 {
            out += "<line x1=\"\(Markup.number(sx(t)))\" x2=\"\(Markup.number(sx(t)))\" y1=\"\(top)\" "
            out += "y2=\"\(Markup.number(top + plotH))\"/>"
        }
        out += "</g><line class=\"zero\" x1=\"\(Markup.number(sx(0)))\" x2=\"\(Markup.number(sx(0)))\" y1=\"\(top)\" "
        out += "y2=\"\(Markup.number(top + plotH))\" stroke=\"#333\" stroke-width=\"1.2\" stroke-dasharray=\"4 3\"/>"
        out += "<g class=\"plot\" clip-path=\"url(#\(clip))\">"
        let offsets = series.indices.map { (Double($0) - Double(series.count - 1) / 2) * 10 }
        for (k, s) in series.enumerated() {
            out += "<g class=\"series\" data-name=\"\(Markup.escape(s.name))\">"
            for (i, row) in rows.enumerated() {
                let centre = rowY[i] + rowH[i] / 2, cy = centre + offsets[k]
                if row.reference {
                    if k == 0 { out += Self.mark("diamond", x: sx(0), y: centre, "#999") }
                    continue
                }
                guard k < row.values.count, let v = row.values[k] else { continue }
                out += "<line x1=\"\(Markup.number(sx(v.low)))\" x2=\"\(Markup.number(sx(v.high)))\" "
                out +=
                    "y1=\"\(Markup.number(cy))\" y2=\"\(Markup.number(cy))\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
                out += Self.mark(s.shape, x: sx(v.mean), y: cy, s.color)
            }
            out += "</g>"
        }
        let axisY = top + plotH
        out += "</g><g class=\"axes\" stroke=\"#444\"><line x1=\"\(Markup.number(left))\" "
        out += "x2=\"\(Markup.number(left + plotW))\" y1=\"\(Markup.number(axisY))\" y2=\"\(Markup.number(axisY))\"/>"
        for t in ticks {
            out += "<line x1=\"\(Markup.number(sx(t)))\" x2=\"\(Markup.number(sx(t)))\" y1=\"\(Markup.number(axisY))\" "
            out += "y2=\"\(Markup.number(axisY + 5))\"/>"
        }
        out += "</g><g class=\"ticks\" font-size=\"\(tickSize)\" fill=\"#333\">"
        for (t, label) in zip(ticks, tickLabels(ticks)) {
            out += "<text class=\"tick x\" x=\"\(Markup.number(sx(t)))\" y=\"\(Markup.number(axisY + 18))\" "
            out += "text-anchor=\"middle\">\(label)</text>"
        }
        // Which side is better, under the axis.
        out += "<text class=\"direction\" x=\"\(Markup.number(sx(0) - 6))\" y=\"\(Markup.number(axisY + 34))\" "
        out += "text-anchor=\"end\" fill=\"#2a7a3a\">← lower MAE</text>"
        out += "<text class=\"direction\" x=\"\(Markup.number(sx(0) + 6))\" y=\"\(Markup.number(axisY + 34))\" "
        out += "text-anchor=\"start\" fill=\"#a33\">higher →</text></g>"
        out += Chart.axisLabel(xLabel, x: left + plotW / 2, y: height - 8, width: plotW)
        return out + "</svg>"
    }

    private static func mark(_ shape: String, x: Double, y: Double, _ color: String) -> String {
        if shape == "diamond" {
            let p = [(x, y - 5.5), (x + 5.5, y), (x, y + 5.5), (x - 5.5, y)].map {
                "\(Markup.number($0.0)),\(Markup.number($0.1))"
            }
            return "<path d=\"M\(p.joined(separator: " L")) Z\" fill=\"\(color)\"/>"
        }
        return "<circle cx=\"\(Markup.number(x))\" cy=\"\(Markup.number(y))\" r=\"4.5\" fill=\"\(color)\"/>"
    }

    var legend: String {
        var out = "<ul class=\"legend\">"
        for s in series {
            out += "<li><svg class=\"swatch\" width=\"26\" height=\"14\" viewBox=\"0 0 26 14\" aria-hidden=\"true\">"
            out += "<line x1=\"1\" x2=\"25\" y1=\"7\" y2=\"7\" stroke=\"\(s.color)\" stroke-width=\"2\"/>"
            out += Self.mark(s.shape, x: 13, y: 7, s.color) + "</svg>\(Markup.escape(s.name))</li>"
        }
        out += "<li><svg class=\"swatch\" width=\"26\" height=\"14\" viewBox=\"0 0 26 14\" aria-hidden=\"true\">"
        out += Self.mark("diamond", x: 13, y: 7, "#999") + "</svg>baseline (reference, Δ = 0)</li>"
        return out + "</ul>"
    }
}

/// A heatmap of a square matrix of values in [−1, 1] (cosine similarities between bins),
/// with ticks on both axes and its colour scale; empty cells (nil) grey.
struct Heatmap {
    var id: String
    var title: String
    var matrix: [[Double?]]
    /// The label range the bins cover (equal-width bins): the axes in label units;
    /// nil: bin numbers.
    var range: ClosedRange<Double>?
    var axisLabel: String

    /// Blue for 1 (alike), white for 0, red for −1 (opposite).
    static func color(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "#cfcfcf" }
        let c = max(-1, min(1, v))
        let (r, g, b) =
            c >= 0
            ? (255 - c * (255 - 33), 255 - c * (255 - 102), 255 - c * (255 - 172))
            : (255 + c * (255 - 178), 255 + c * (255 - 24), 255 + c * (255 - 43))
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }

    func svg(width: Double, variant: String) -> String {
        let n = matrix.count
        guard n > 0 else { return "" }
        // Tick positions along an axis (0…1 of its length) and their labels: nice values inside
        // the bins' range (label units, or bin numbers at the bins' centres), as many as fit.
        let (lo, hi) = range.map { ($0.lowerBound, $0.upperBound) } ?? (0, Double(n - 1))
        let most = width < 500 ? 6 : 9
        var values = [Double]()
        for m in stride(from: most + 3, through: 2, by: -1) {
            values = niceTicks(lo, hi, maxTicks: m, integer: range == nil).filter { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 }
            if values.count <= most { break }
        }
        let labels = range == nil ? values.map { formatNumber($0, decimals: 0) } : tickLabels(values)
        let ticks = zip(values, labels).map { v, label in
            (at: range == nil ? (v + 0.5) / Double(n) : (v - lo) / (hi - lo), label: label)
        }
        let widest = ticks.map { Markup.textWidth($0.label, size: tickSize) }.max() ?? 10
        let left = 24 + widest + 8, top = 10.0, scaleW = 14.0, right = 16 + scaleW + 8 + 34 + 22
        let size = width - left - right
        let height = top + size + 50
        let cell = size / Double(n), grad = "scale-\(id)-\(variant)"
        var out = "<svg class=\"chart \(variant)\" data-figure=\"\(id)\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        out += "role=\"img\" data-series-count=\"1\"><title>\(Markup.escape(title))</title>"
        out += "<defs><linearGradient id=\"\(grad)\" x1=\"0\" y1=\"0\" x2=\"0\" y2=\"1\">"
        for v in stride(from: 1.0, through: -1.0, by: -0.25) {
            out += "<stop offset=\"\(formatNumber((1 - v) / 2, decimals: 3))\" stop-color=\"\(Self.color(v))\"/>"
        }
        out += "</linearGradient></defs>"
        out += "<g class=\"series\" data-name=\"cosine similarity\" shape-rendering=\"crispEdges\">"
        for (i, row) in matrix.enumerated() {
            for j in 0..<n {
                let v = j < row.count ? row[j] : nil
                out +=
                    "<rect x=\"\(Markup.number(left + Double(j) * cell))\" y=\"\(Markup.number(top + Double(i) * cell))\" "
                out += "width=\"\(Markup.number(cell + 0.3))\" height=\"\(Markup.number(cell + 0.3))\" "
                out += "fill=\"\(Self.color(v))\"/>"
            }
        }
        out += "</g><rect x=\"\(Markup.number(left))\" y=\"\(top)\" width=\"\(Markup.number(size))\" "
        out += "height=\"\(Markup.number(size))\" fill=\"none\" stroke=\"#444\"/>"
        out += "<g class=\"axes\" stroke=\"#444\">"
        for t in ticks {
            let p = t.at * size
            out += "<line x1=\"\(Markup.number(left + p))\" x2=\"\(Markup.number(left + p))\" "
            out += "y1=\"\(Markup.number(top + size))\" y2=\"\(Markup.number(top + size + 5))\"/>"
            out += "<line x1=\"\(Markup.number(left - 5))\" x2=\"\(Markup.number(left))\" "
            out += "y1=\"\(Markup.number(top + p))\" y2=\"\(Markup.number(top + p))\"/>"
        }
        out += "</g><g class=\"ticks\" font-size=\"\(tickSize)\" fill=\"#333\">"
        for t in ticks {
            let p = t.at * size
            out += "<text class=\"tick x\" x=\"\(Markup.number(left + p))\" y=\"\(Markup.number(top + size + 18))\" "
            out += "text-anchor=\"middle\">\(t.label)</text>"
            out += "<text class=\"tick y\" x=\"\(Markup.number(left - 8))\" y=\"\(Markup.number(top + p + 4))\" "
            out += "text-anchor=\"end\">\(t.label)</text>"
        }
        out += "</g>"
        // The colour scale: −1 at the bottom, 1 at the top.
        let scaleX = left + size + 16
        out += "<g class=\"colour-scale\" font-size=\"\(tickSize)\" fill=\"#333\">"
        out +=
            "<rect x=\"\(Markup.number(scaleX))\" y=\"\(top)\" width=\"\(scaleW)\" height=\"\(Markup.number(size))\" "
        out += "fill=\"url(#\(grad))\" stroke=\"#444\" stroke-width=\"0.6\"/>"
        for v in [-1.0, -0.5, 0, 0.5, 1] {
            let y = top + (1 - v) / 2 * size
            out += "<line x1=\"\(Markup.number(scaleX + scaleW))\" x2=\"\(Markup.number(scaleX + scaleW + 4))\" "
            out += "y1=\"\(Markup.number(y))\" y2=\"\(Markup.number(y))\" stroke=\"#444\"/>"
            out +=
                "<text class=\"tick scale\" x=\"\(Markup.number(scaleX + scaleW + 7))\" y=\"\(Markup.number(y + 4))\">"
            out += "\(formatNumber(v, decimals: 1))</text>"
        }
        out += "</g>"
        out += Chart.axisLabel(axisLabel, x: left + size / 2, y: height - 8, width: size)
        out += Chart.axisLabel(axisLabel, x: 15, y: top + size / 2, width: size, rotate: -90)
        out += Chart.axisLabel("cosine similarity", x: width - 10, y: top + size / 2, width: size, rotate: 90)
        return out + "</svg>"
    }
}
