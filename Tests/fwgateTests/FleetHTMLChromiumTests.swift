import Foundation
import FwgateTestSupport
import Testing

/// `inventory report --format html` as a reader sees it: the page rendered by Debian's headless
/// Chromium (`--dump-dom`, after the page's script ran), over ``FleetFixture``'s inventory plus
/// one device whose id and location are HTML.
@Suite struct FleetHTMLChromiumTests {
    static let chromium: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    static let hostileID = "<script>alert(1)</script>"

    /// Renders `file` in headless Chromium and returns the DOM after scripts ran.
    static func dumpDOM(_ file: URL, scratch: URL) throws -> String {
        let profile = scratch.appendingPathComponent("chromium-profile")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(chromium))
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--user-data-dir=\(profile.path)", "--dump-dom", file.absoluteString,
        ]
        let out = scratch.appendingPathComponent("dom.html")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try handle.close()
        #expect(process.terminationStatus == 0)
        return try String(contentsOf: out, encoding: .utf8)
    }

    /// The text a reader sees in an HTML fragment: tags dropped, the five entities decoded,
    /// white space collapsed.
    static func text(_ html: String) -> String {
        var out = ""
        var inTag = false
        for character in html {
            if character == "<" { inTag = true; out += " "; continue }
            if character == ">" { inTag = false; continue }
            if !inTag { out.append(character) }
        }
        out = out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The rows (`<tr …>…</tr>`) of the section whose heading is `heading`.
    static func rows(_ dom: String, section heading: String) -> [String] {
        guard let start = dom.range(of: "<h2>\(heading)</h2>"), let end = dom.range(of: "</section>", range: start.upperBound..<dom.endIndex) else {
            return []
        }
        let body = dom[start.upperBound..<end.lowerBound]
        return body.components(separatedBy: "<tr").dropFirst().map { "<tr" + $0 }
    }

    @Test(.enabled(if: chromium != nil, "chromium is not installed (apt-get install chromium; .ci/run installs it)"))
    func chromiumShowsEveryDeviceWithPostureAndFindings() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let csv = built.directory.appendingPathComponent("hostile.csv")
        try Data("id,make,model,location,storesEPHI\n\"\(Self.hostileID)\",evil & co,<img src=x onerror=alert(2)>,\"'quoted' \"\"lab\"\"\",no\n".utf8).write(to: csv)
        let imported = try BinaryRunner.run(["devices", "import", csv.path, "--db", built.database])
        #expect(imported.status == 0, "\(imported.stderr)")

        let page = built.directory.appendingPathComponent("fleet.html")
        let at = ISO8601DateFormatter().string(from: built.at)
        let result = try BinaryRunner.run(["inventory", "report", "--format", "html", "--output", page.path, "--at", at, "--db", built.database])
        #expect(result.status == 0, "\(result.stderr)")
        let source = try String(contentsOf: page, encoding: .utf8)

        // Nothing from outside: no URL, no fetchable attribute, one inline script.
        for forbidden in ["http:", "https:", "url(", "@import", "<link", "<iframe", "<object", "<embed", "<img"] {
            #expect(!source.contains(forbidden), "the page contains \(forbidden)")
        }
        #expect(source.range(of: #"<[^>]*\s(src|href|xlink:href|action)\s*="#, options: .regularExpression) == nil)
        #expect(source.components(separatedBy: "<script").count == 2)
        #expect(source.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(source.contains("&lt;img src=x onerror=alert(2)&gt;"))
        #expect(source.contains("&#39;quoted&#39; &quot;lab&quot;"))

        let dom = try Self.dumpDOM(page, scratch: built.directory)
        // The page's script ran (the policy allowed it by hash): it marks sortable headings.
        #expect(dom.contains("sortable\" tabindex=\"0\"") || dom.contains("class=\"num sortable\""))
        // The hostile strings stayed text: still one script element, no img element.
        #expect(dom.components(separatedBy: "<script").count == 2)
        #expect(!dom.contains("<img"))

        let deviceRows = Self.rows(dom, section: "Devices").map(Self.text)
        let expected: [(String, String, [String])] = [
            ("pump-icu-01", "warn", ["key.known-test-key"]), ("pump-icu-02", "warn", ["key.known-test-key"]),
            ("pump-ward-03", "fail", ["integrity.digest-mismatch", "key.known-test-key"]),
            ("pump-ward-04", "fail", ["rollback.version"]), ("pump-ward-05", "fail", ["key.untrusted"]),
            ("monitor-or-01", "warn", ["key.known-test-key"]), ("monitor-or-02", "fail", ["signature.missing"]),
            ("vent-icu-07", "fail", ["signature.invalid"]), ("lab-analyser-01", "warn", ["key.known-test-key"]),
            ("xray-02", "stale", []), ("pump-legacy-09", "never verified", []), (Self.hostileID, "never verified", []),
        ]
        #expect(deviceRows.count == expected.count + 1)  // the heading row
        let register = Self.rows(dom, section: "Risk register").map(Self.text)
        for (device, posture, codes) in expected {
            let row = deviceRows.first { $0.hasPrefix(device + " ") }
            #expect(row != nil, "no row for \(device)")
            #expect(row?.contains(" \(posture) ") == true, "\(device): \(row ?? "")")
            for code in codes { #expect(row?.contains(code) == true, "\(device) lacks \(code): \(row ?? "")") }
            // Each of its findings is in the register, with the device and a next step.
            for code in codes {
                #expect(register.contains { $0.contains(" \(device) \(code) ") && $0.contains("entry #") }, "\(device) \(code) not in the register")
            }
        }
        #expect(register.contains { $0.contains(" xray-02 posture.stale ") && $0.contains("Verify this device's firmware again") })
        #expect(register.contains { $0.contains(" pump-legacy-09 posture.never-verified ") })
        // Ranked: the ePHI ventilator's failing signature before the lab analyser's warning.
        let vent = try #require(register.firstIndex { $0.contains(" vent-icu-07 signature.invalid ") })
        let lab = try #require(register.firstIndex { $0.contains(" lab-analyser-01 key.known-test-key ") })
        #expect(vent < lab)
        #expect(register[vent].contains("CRITICAL") || register[vent].contains("critical"))

        // The summary tiles a reader sees first.
        let tilesStart = try #require(dom.range(of: "<div class=\"tiles\">"))
        let tiles = Self.text(String(dom[tilesStart.lowerBound...].prefix(2_000)))
        #expect(tiles.hasPrefix("5 fail 1 stale 4 warn 2 never verified 0 pass"), "\(tiles)")
    }
}
