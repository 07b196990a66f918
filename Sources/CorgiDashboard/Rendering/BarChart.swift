/// A grouped bar chart as inline SVG, drawn on the server: it needs no script, prints, and obeys
/// a Content-Security-Policy without `unsafe-inline` (colours come from classes in the
/// stylesheet, never from `style` attributes). Labels are escaped; values are integers.
struct BarChart {
    struct Series {
        var name: String
        /// CSS class of its bars (`bar-new`, `bar-fixed`).
        var cssClass: String
        var values: [Int]
    }

    var title: String
    var labels: [String]
    var series: [Series]

    static let width = 720, height = 240, left = 40, bottom = 28, top = 12

    /// The SVG; `id` names its title for `aria-labelledby`.
    func svg(id: String) -> String {
        let maximum = max(1, series.flatMap(\.values).max() ?? 1)
        let ticks = Self.ticks(upTo: maximum)
        let top = ticks.last ?? maximum
        let plotWidth = Self.width - Self.left - 8, plotHeight = Self.height - Self.bottom - Self.top
        let groupWidth = Double(plotWidth) / Double(max(1, labels.count))
        let barWidth = max(2, (groupWidth - 6) / Double(max(1, series.count)))
        var out = #"<svg class="chart" viewBox="0 0 \#(Self.width) \#(Self.height)" role="img" aria-labelledby="\#(id)-title \#(id)-desc" xmlns="http://www.w3.org/2000/svg">"#
        out += #"<title id="\#(id)-title">\#(Self.escape(title))</title>"#
        let summary = series.map { "\($0.name): \($0.values.reduce(0, +)) in all" }.joined(separator: "; ")
        out += #"<desc id="\#(id)-desc">\#(Self.escape(summary)); the table below holds every value.</desc>"#
        for tick in ticks {
            let y = Double(Self.top) + Double(plotHeight) * (1 - Double(tick) / Double(top))
            out += #"<line class="grid" x1="\#(Self.left)" x2="\#(Self.width - 8)" y1="\#(Self.format(y))" y2="\#(Self.format(y))"/>"#
            out += #"<text class="axis" x="\#(Self.left - 6)" y="\#(Self.format(y + 4))" text-anchor="end">\#(tick)</text>"#
        }
        for (k, label) in labels.enumerated() {
            let x0 = Double(Self.left) + groupWidth * Double(k) + 3
            for (s, series) in series.enumerated() where k < series.values.count {
                let value = series.values[k]
                let h = Double(plotHeight) * Double(value) / Double(top)
                let x = x0 + barWidth * Double(s)
                out += #"<rect class="\#(Self.escape(series.cssClass))" x="\#(Self.format(x))" y="\#(Self.format(Double(Self.top) + Double(plotHeight) - h))" width="\#(Self.format(barWidth - 1))" height="\#(Self.format(h))"><title>\#(Self.escape("\(series.name), week of \(label): \(value)"))</title></rect>"#
            }
            // Every other label when they would crowd.
            if labels.count <= 13 || k % 2 == labels.count % 2 {
                out += #"<text class="axis" x="\#(Self.format(x0 + groupWidth / 2 - 3))" y="\#(Self.height - 8)" text-anchor="middle">\#(Self.escape(String(label.suffix(5))))</text>"#
            }
        }
        var legendX = Self.left
        for series in series {
            out += #"<rect class="\#(Self.escape(series.cssClass))" x="\#(legendX)" y="0" width="10" height="10"/><text class="axis" x="\#(legendX + 14)" y="9">\#(Self.escape(series.name))</text>"#
            legendX += 90
        }
        return out + "</svg>"
    }

    /// Round steps (1, 2, 5 × 10ⁿ) from 0 to at least `maximum`, at most six of them.
    static func ticks(upTo maximum: Int) -> [Int] {
        var magnitude = 1
        var step = 1
        search: while true {
            for factor in [1, 2, 5] {
                step = factor * magnitude
                if (maximum + step - 1) / step <= 5 { break search }
            }
            magnitude *= 10
        }
        return (0...((maximum + step - 1) / step)).map { $0 * step }
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}

enum HTML {
    /// Text for an element or a quoted attribute.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
