// Inline SVG charts for `dir-dist report`: bars, lines and intervals on shared axes, a
// forest plot and a heatmap. Hand-written markup rather than a package: the HTML DSL
// among the mirrored packages (Plot) has no SVG elements, and these are a few dozen
// tags with one escape function. Every series is a <g class="series"> and every axis
// title a <text class="axis-label">, which the browser test counts.
import Foundation

enum Markup {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ v: Double) -> String { String(format: "%.2f", v) }

    static let palette = [
        "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]
}

struct Chart {
    enum Kind { case bars, line, intervals }

    struct Series {
        var name: String
        var kind: Kind
        /// x, y, and for intervals the low and high ends.
        var points: [(x: Double, y: Double, low: Double, high: Double)]
        var color: String

        init(_ name: String, _ kind: Kind, _ xy: [(Double, Double)], color: String) {
            self.name = name
            self.kind = kind
            points = xy.map { ($0.0, $0.1, $0.1, $0.1) }
            self.color = color
        }
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    let width = 720.0, height = 320.0
    private let left = 64.0, right = 16.0, top = 28.0, bottom = 44.0

    init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series.filter { !$0.points.isEmpty }
    }

    var svg: String {
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.flatMap { [$0.low, $0.high] } }
        guard let x0 = xs.min(), let x1 = xs.max(), var y0 = ys.min(), var y1 = ys.max() else { return "" }
        if series.contains(where: { $0.kind == .bars }) { y0 = min(y0, 0) }
        if y1 == y0 { (y0, y1) = (y0 - 1, y1 + 1) }
        let pad = series.contains(where: { $0.kind == .bars }) ? (x1 - x0) / Double(max(xs.count, 2)) : 0
        let (plotW, plotH) = (width - left - right, height - top - bottom)
        let sx = { (x: Double) in self.left + (x - (x0 - pad)) / max(x1 - x0 + 2 * pad, 1e-12) * plotW }
        let sy = { (y: Double) in self.top + (1 - (y - y0) / (y1 - y0)) * plotH }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
        out += "height=\"\(Int(height))\" role=\"img\" data-series-count=\"\(series.count)\">"
        out += "<title>\(Markup.escape(title))</title>"
        out += axes(x0: x0, x1: x1, y0: y0, y1: y1, sx: sx, sy: sy)
        let barWidth = max(1, plotW / Double(max(xs.count, 1)) * 0.8)
        for s in series {
            out += "<g class=\"series\" data-name=\"\(Markup.escape(s.name))\">"
            switch s.kind {
            case .bars:
                for p in s.points {
                    let top = sy(max(p.y, 0)), h = abs(sy(p.y) - sy(0))
                    out += "<rect x=\"\(Markup.number(sx(p.x) - barWidth / 2))\" y=\"\(Markup.number(top))\" "
                    out += "width=\"\(Markup.number(barWidth))\" height=\"\(Markup.number(h))\" fill=\"\(s.color)\" "
                    out += "fill-opacity=\"0.35\"/>"
                }
            case .line:
                let d = s.points.enumerated().map {
                    "\($0 == 0 ? "M" : "L")\(Markup.number(sx($1.x))),\(Markup.number(sy($1.y)))"
                }
                out +=
                    "<path d=\"\(d.joined(separator: " "))\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.8\"/>"
            case .intervals:
                for p in s.points {
                    out += "<line x1=\"\(Markup.number(sx(p.x)))\" x2=\"\(Markup.number(sx(p.x)))\" "
                    out +=
                        "y1=\"\(Markup.number(sy(p.low)))\" y2=\"\(Markup.number(sy(p.high)))\" stroke=\"\(s.color)\"/>"
                    out +=
                        "<circle cx=\"\(Markup.number(sx(p.x)))\" cy=\"\(Markup.number(sy(p.y)))\" r=\"3\" fill=\"\(s.color)\"/>"
                }
            }
            out += "</g>"
        }
        return out + legend() + "</svg>"
    }

    private func axes(
        x0: Double, x1: Double, y0: Double, y1: Double, sx: (Double) -> Double, sy: (Double) -> Double
    ) -> String {
        var out = "<g class=\"axes\" stroke=\"#444\" font-size=\"11\">"
        out += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\"/>"
        out += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\"/>"
        for k in 0...4 {
            let y = y0 + (y1 - y0) * Double(k) / 4, x = x0 + (x1 - x0) * Double(k) / 4
            out += "<text x=\"\(left - 6)\" y=\"\(Markup.number(sy(y) + 4))\" text-anchor=\"end\" stroke=\"none\">"
            out += "\(Self.tick(y))</text>"
            out += "<text x=\"\(Markup.number(sx(x)))\" y=\"\(height - bottom + 14)\" text-anchor=\"middle\" "
            out += "stroke=\"none\">\(Self.tick(x))</text>"
        }
        out += "</g><text class=\"axis-label\" x=\"\(left + (width - left - right) / 2)\" y=\"\(height - 6)\" "
        out += "text-anchor=\"middle\" font-size=\"12\">\(Markup.escape(xLabel))</text>"
        out +=
            "<text class=\"axis-label\" transform=\"translate(14,\(top + (height - top - bottom) / 2)) rotate(-90)\" "
        out += "text-anchor=\"middle\" font-size=\"12\">\(Markup.escape(yLabel))</text>"
        out += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape(title))</text>"
        return out
    }

    private func legend() -> String {
        guard series.count > 1 else { return "" }
        var out = "<g class=\"legend\" font-size=\"11\">"
        for (i, s) in series.prefix(12).enumerated() {
            let y = top + 4 + Double(i) * 14
            out += "<rect x=\"\(width - right - 190)\" y=\"\(y)\" width=\"10\" height=\"10\" fill=\"\(s.color)\"/>"
            out +=
                "<text x=\"\(width - right - 176)\" y=\"\(y + 9)\">\(Markup.escape(String(s.name.prefix(32))))</text>"
        }
        return out + "</g>"
    }

    static func tick(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 1000 || a < 0.01 { return String(format: "%.2g", v) }
        return String(format: a >= 10 ? "%.0f" : "%.2f", v)
    }
}

/// A heatmap of a square matrix with values in [−1, 1] (cosine similarities), one
/// series: the cells. Rows and columns are bins.
func heatmapSVG(_ matrix: [[Double?]], title: String, axis: String) -> String {
    let n = matrix.count, size = 320.0, cell = size / Double(max(n, 1)), left = 48.0, top = 28.0
    var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(size + left + 20)) \(Int(size + top + 40))\" "
    out += "width=\"\(Int(size + left + 20))\" height=\"\(Int(size + top + 40))\" role=\"img\" data-series-count=\"1\">"
    out += "<title>\(Markup.escape(title))</title>"
    out += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(Markup.escape(title))</text>"
    out += "<g class=\"series\" data-name=\"cosine similarity\">"
    for (i, row) in matrix.enumerated() {
        for (j, v) in row.enumerated() {
            let c = v.map { max(-1, min(1, $0)) }
            let color =
                c.map {
                    "rgb(\(Int(255 * (1 - max($0, 0)))),\(Int(255 * (1 - abs($0)))),\(Int(255 * (1 + min($0, 0)))))"
                } ?? "#eee"
            out += "<rect x=\(quote(left + Double(j) * cell)) y=\(quote(top + Double(i) * cell)) "
            out += "width=\(quote(cell)) height=\(quote(cell)) fill=\"\(color)\"/>"
        }
    }
    out += "</g><text class=\"axis-label\" x=\"\(left + size / 2)\" y=\"\(top + size + 28)\" text-anchor=\"middle\" "
    out += "font-size=\"12\">\(Markup.escape(axis))</text>"
    out +=
        "<text class=\"axis-label\" transform=\"translate(16,\(top + size / 2)) rotate(-90)\" text-anchor=\"middle\" "
    out += "font-size=\"12\">\(Markup.escape(axis))</text>"
    return out + "</svg>"
}

private func quote(_ v: Double) -> String { "\"\(Markup.number(v))\"" }
