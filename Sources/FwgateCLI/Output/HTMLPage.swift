/// The frame every self-contained HTML report shares (certificate sweep, fleet posture): a
/// Content-Security-Policy that allows nothing from outside, the shared style sheet and sort
/// script, no network references. Each report writes only its `<main>` sections.
enum HTMLPage {
    /// `<!DOCTYPE>` through the opening `<main>`.
    ///
    /// - Parameters:
    ///   - escapedTitle: the `<title>` text, already escaped by the caller.
    ///   - extraStyle: style rules of the report's own, after the shared sheet.
    static func open(escapedTitle: String, extraStyle: String = "", into html: inout String) {
        html += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        html += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(SweepHTMLRenderer.contentSecurityPolicy)\">\n"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        html += "<meta name=\"color-scheme\" content=\"light\">\n"
        html += "<title>\(escapedTitle)</title>\n"
        html += "<style>\(SweepHTMLRenderer.styleSheet)\(extraStyle)</style>\n</head>\n<body>\n<main>\n"
    }

    /// The footer (HTML the caller composed and escaped), the sort script and the closing tags.
    static func close(footer: String, into html: inout String) {
        html += "<footer>\(footer)</footer>\n"
        html += "</main>\n<script>\(SweepHTMLRenderer.sortScript)</script>\n</body>\n</html>\n"
    }
}
