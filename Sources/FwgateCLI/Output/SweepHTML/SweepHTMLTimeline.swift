import FirmwareFormats
import FirmwareVerification
import Foundation

/// The timeline of expiries by ISO week: bins, axis and the inline SVG.
extension SweepHTMLRenderer {
    // MARK: - Timeline

    static func timelineSection(_ result: SweepResult, into html: inout String) {
        html += "<section class=\"chart\">\n<h2>Expiries per week</h2>\n"
        guard let timeline = Timeline(result.certificates, at: result.at) else {
            html += "<p class=\"empty\">No certificates were found, so there is nothing to chart.</p>\n</section>\n"
            return
        }
        html += timelineSVG(timeline)
        var caption = "One bar per ISO week (Monday to Sunday, UTC) by notAfter; each certificate counts once, "
        caption += "however many places it was found in. The dashed line is the sweep time."
        if let earlier = timeline.earlier {
            caption += " Bar “earlier”: \(plural(earlier.total, "certificate")) expiring before \(day(weekStart: timeline.firstWeek))."
        }
        if let later = timeline.later {
            let end = day(weekStart: timeline.lastWeek + 1, offset: -1)
            caption += " Bar “later”: \(plural(later.total, "certificate")) expiring after \(end)."
        }
        html += "<p class=\"caption\">\(caption)</p>\n</section>\n"
    }

    /// Certificates counted per ISO week of notAfter, inside a window of at most ``maxWeeks`` weeks
    /// that always holds the sweep week; the rest are summed in `earlier` and `later`.
    struct Timeline: Equatable {
        /// Certificates of one bar, per bucket.
        struct Bin: Equatable {
            var counts: [Int] = Array(repeating: 0, count: ExpiryBucket.allCases.count)
            var total: Int { counts.reduce(0, +) }
            mutating func add(_ bucket: ExpiryBucket) { counts[rank(bucket)] += 1 }
        }

        /// Week number (``ISOWeek/index(of:)``) of the first and last bar.
        var firstWeek: Int
        var lastWeek: Int
        /// One bin per week from `firstWeek` through `lastWeek`.
        var weeks: [Bin]
        var earlier: Bin?
        var later: Bin?
        /// The sweep time and its week (always inside `firstWeek...lastWeek`).
        var sweepTime: Date
        var sweepWeek: Int

        /// Bins `certificates` by the week of their notAfter.
        ///
        /// - Parameters:
        ///   - certificates: What to count, each once.
        ///   - at: The sweep time; its week is always inside the window.
        ///   - maxWeeks: The longest window; up to ``SweepHTMLRenderer/weeksBeforeSweep`` of it
        ///     before the sweep week, more when nothing lies after.
        /// - Returns: Nil when there are no certificates.
        init?(_ certificates: [SweptCertificate], at: Date, maxWeeks: Int = SweepHTMLRenderer.maxWeeks) {
            let indices = certificates.map { ISOWeek.index(of: $0.notAfter) }
            guard let earliest = indices.min(), let latest = indices.max() else { return nil }
            let sweepWeek = ISOWeek.index(of: at)
            var first = min(earliest, sweepWeek)
            var last = max(latest, sweepWeek)
            if last - first + 1 > maxWeeks {
                first = max(first, sweepWeek - min(SweepHTMLRenderer.weeksBeforeSweep, maxWeeks - 1))
                last = min(last, first + maxWeeks - 1)
                first = max(min(earliest, sweepWeek), last - maxWeeks + 1)
            }
            self.firstWeek = first
            self.lastWeek = last
            self.sweepTime = at
            self.sweepWeek = sweepWeek
            weeks = Array(repeating: Bin(), count: last - first + 1)
            for (certificate, week) in zip(certificates, indices) {
                if week < first {
                    var bin = earlier ?? Bin()
                    bin.add(certificate.bucket)
                    earlier = bin
                } else if week > last {
                    var bin = later ?? Bin()
                    bin.add(certificate.bucket)
                    later = bin
                } else {
                    weeks[week - first].add(certificate.bucket)
                }
            }
        }
    }

    static func timelineSVG(_ timeline: Timeline) -> String {
        let width = 1200.0, left = 52.0, right = 14.0, top = 34.0, plotHeight = 230.0, bottom = 46.0
        let baseline = top + plotHeight
        let leading = timeline.earlier == nil ? 0 : 1
        let slots = timeline.weeks.count + leading + (timeline.later == nil ? 0 : 1)
        let slot = (width - left - right) / Double(slots)
        let barWidth = max(1, slot * (slot > 6 ? 0.78 : 0.9))
        let peak = (timeline.weeks + [timeline.earlier, timeline.later].compactMap { $0 }).map(\.total).max() ?? 0
        let step = tickStep(peak)
        let axisTop = max(step, (peak + step - 1) / step * step)
        func y(_ value: Int) -> Double { baseline - Double(value) / Double(axisTop) * plotHeight }
        func x(_ slotIndex: Int) -> Double { left + Double(slotIndex) * slot }
        func line(
            _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, _ stroke: String, dashes: String? = nil, width: String? = nil
        ) -> String {
            var attributes = ["x1": n(x1), "y1": n(y1), "x2": n(x2), "y2": n(y2), "stroke": stroke]
            attributes["stroke-dasharray"] = dashes
            attributes["stroke-width"] = width
            return element("line", attributes)
        }

        func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, _ fill: String, _ extra: [String: String] = [:]) -> String {
            element("rect", ["x": n(x), "y": n(y), "width": n(width), "height": n(height), "fill": fill].merging(extra) { $1 })
        }

        let viewBox = "0 0 \(n(width)) \(n(baseline + bottom))"
        var svg = element("svg", ["class": "timeline", "viewBox": viewBox, "role": "img", "aria-labelledby": "timeline-title"], open: true)
        let first = "\(day(weekStart: timeline.firstWeek)) (\(ISOWeek.name(timeline.firstWeek)))"
        let last = "\(day(weekStart: timeline.lastWeek + 1, offset: -1)) (\(ISOWeek.name(timeline.lastWeek)))"
        svg += "\n" + element("title", ["id": "timeline-title"], text: "Certificates expiring per week, from \(first) to \(last)") + "\n"

        // The past, shaded, from the first week's bar to the sweep time.
        let sweepFraction = ISOWeek.fraction(of: timeline.sweepWeek, at: timeline.sweepTime)
        let sweepX = x(leading + timeline.sweepWeek - timeline.firstWeek) + sweepFraction * slot
        if sweepX > x(leading) {
            svg += rect(x(leading), top, sweepX - x(leading), plotHeight, "#f1f2f4", ["class": "past"]) + "\n"
        }

        // Count axis and grid.
        svg += element("g", ["class": "axis", "font-size": "12", "fill": "#5f6368"], open: true) + "\n"
        for tick in stride(from: 0, through: axisTop, by: step) {
            svg += line(left, y(tick), width - right, y(tick), tick == 0 ? "#5f6368" : "#dde0e4")
            svg += element("text", ["x": n(left - 8), "y": n(y(tick) + 4), "text-anchor": "end"], text: String(tick)) + "\n"
        }
        let middle = n(top + plotHeight / 2)
        svg += element(
            "text", ["x": "14", "y": middle, "transform": "rotate(-90 14 \(middle))", "text-anchor": "middle"], text: "certificates")
        svg += "\n</g>\n"

        // Bars: a transparent full-height target carries the tooltip; segments stack by bucket.
        func bar(_ bin: Timeline.Bin, slotIndex: Int, attribute: (String, String), tooltip: String) {
            svg += element("g", ["class": "bar", attribute.0: attribute.1], open: true) + element("title", [:], text: tooltip)
            svg += rect(x(slotIndex), top, slot, plotHeight, "#000", ["fill-opacity": "0"])
            var base = 0
            for (bucket, count) in zip(ExpiryBucket.allCases, bin.counts) where count > 0 {
                let bx = x(slotIndex) + (slot - barWidth) / 2
                svg += rect(bx, y(base + count), barWidth, y(base) - y(base + count), color(bucket))
                base += count
            }
            svg += "</g>\n"
        }
        if let earlier = timeline.earlier {
            let tooltip = "Before \(day(weekStart: timeline.firstWeek)): \(summary(earlier))"
            bar(earlier, slotIndex: 0, attribute: ("data-range", "earlier"), tooltip: tooltip)
            svg += line(x(1), top, x(1), baseline + 6, "#9aa0a6", dashes: "2 3") + "\n"
        }
        for (offset, bin) in timeline.weeks.enumerated() {
            let week = timeline.firstWeek + offset
            let tooltip = "\(ISOWeek.name(week)), \(day(weekStart: week)) to \(day(weekStart: week + 1, offset: -1)): \(summary(bin))"
            bar(bin, slotIndex: leading + offset, attribute: ("data-week", ISOWeek.name(week)), tooltip: tooltip)
        }
        if let later = timeline.later {
            let tooltip = "After \(day(weekStart: timeline.lastWeek + 1, offset: -1)): \(summary(later))"
            bar(later, slotIndex: slots - 1, attribute: ("data-range", "later"), tooltip: tooltip)
            svg += line(x(slots - 1), top, x(slots - 1), baseline + 6, "#9aa0a6", dashes: "2 3") + "\n"
        }

        // The sweep time, over the bars (thin, so the sweep week's bar still reads as one).
        let anchor = sweepX < left + 80 ? "start" : (sweepX > width - right - 80 ? "end" : "middle")
        svg += element("g", ["class": "sweep"], open: true)
        svg += element("title", [:], text: "Sweep time \(RFC3339.string(timeline.sweepTime))")
        svg += line(sweepX, top - 10, sweepX, baseline, "#1b1f24", dashes: "5 3", width: "1.5")
        let sweepDay = String(RFC3339.string(timeline.sweepTime).prefix(10))
        svg += element(
            "text", ["x": n(sweepX), "y": n(top - 16), "font-size": "12", "font-weight": "600", "fill": "#1b1f24", "text-anchor": anchor],
            text: "sweep \(sweepDay)")
        svg += "</g>\n"

        // Week labels: every few weeks, on the sweep week's phase and clear of "earlier"/"later";
        // the year under the first label and wherever it changes.
        let every = labelInterval(timeline.weeks.count)
        var overflow: [(center: Double, label: String)] = []
        if timeline.earlier != nil { overflow.append((x(0) + slot / 2, "earlier")) }
        if timeline.later != nil { overflow.append((x(slots - 1) + slot / 2, "later")) }
        svg += element("g", ["class": "labels", "font-size": "12", "fill": "#3c4043", "text-anchor": "middle"], open: true) + "\n"
        var lastYear: Int?
        for offset in 0..<timeline.weeks.count {
            let week = timeline.firstWeek + offset
            let center = x(leading + offset) + slot / 2
            guard (week - timeline.sweepWeek) % every == 0, !overflow.contains(where: { abs($0.center - center) < 48 }) else { continue }
            let monday = ISOWeek.monday(week)
            svg += line(center, baseline, center, baseline + 4, "#5f6368")
            svg += element("text", ["x": n(center), "y": n(baseline + 17)], text: "\(monday.day) \(monthNames[monday.month - 1])")
            if lastYear != monday.year {
                svg += element("text", ["x": n(center), "y": n(baseline + 32), "font-weight": "600"], text: String(monday.year))
                lastYear = monday.year
            }
            svg += "\n"
        }
        for (center, label) in overflow {
            svg += element("text", ["x": n(center), "y": n(baseline + 17), "font-style": "italic"], text: label) + "\n"
        }
        svg += "</g>\n</svg>\n"
        return svg
    }

    /// One element: `<name a="v">` when `open`, `<name a="v">text</name>` with text, else `<name a="v"/>`.
    /// Attributes come out sorted by name (so the output does not depend on dictionary order);
    /// values and text are escaped.
    static func element(_ name: String, _ attributes: [String: String], text: String? = nil, open: Bool = false) -> String {
        var tag = "<" + name
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { tag += " \(key)=\"\(escape(value))\"" }
        if let text { return tag + ">" + escape(text) + "</\(name)>" }
        return tag + (open ? ">" : "/>")
    }

    /// "3 certificates: 1 critical, 2 warning" or "no certificates".
    static func summary(_ bin: Timeline.Bin) -> String {
        guard bin.total > 0 else { return "no certificates" }
        let parts = zip(ExpiryBucket.allCases, bin.counts).filter { $0.1 > 0 }.map { "\($0.1) \($0.0.rawValue)" }
        return "\(plural(bin.total, "certificate")): \(parts.joined(separator: ", "))"
    }

    /// 1, 2, 5, 10, 20, 50, … so that the axis has at most five steps above zero.
    static func tickStep(_ peak: Int) -> Int {
        var magnitude = 1
        while true {
            for multiple in [1, 2, 5] where (peak + multiple * magnitude - 1) / (multiple * magnitude) <= 5 {
                return multiple * magnitude
            }
            magnitude *= 10
        }
    }

    /// Label every week for short ranges, every 2, 4, 8 or 13 weeks for longer ones (≤ ~14 labels).
    static func labelInterval(_ weeks: Int) -> Int {
        [1, 2, 4, 8, 13].first { (weeks + $0 - 1) / $0 <= 14 } ?? 26
    }

}
