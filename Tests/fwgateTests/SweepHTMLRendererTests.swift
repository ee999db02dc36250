import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
@testable import FwgateCLI
import Foundation
import FwgateTestSupport
import Testing

@Suite struct SweepHTMLRendererTests {
    /// A Wednesday, so the sweep line sits inside its week.
    static let at = RFC3339.parse("2026-06-03T06:00:00Z")!

    /// A swept certificate with literal days left and bucket (whole days from ``at``, rounded
    /// down; buckets with the default 7/30-day windows), worked out by hand, not by the
    /// production ``ExpiryWindows``.
    static func certificate(
        _ subject: String, issuer: String = "CN=Example Hospital Device CA,O=Example Hospital", serial: String,
        notAfter: String, daysLeft: Int, bucket: ExpiryBucket, _ locations: [SweepLocation]
    ) -> SweptCertificate {
        let end = RFC3339.parse(notAfter)!
        let sha256 = (try? Digest.hash(Data((subject + serial).utf8), using: .sha256).hex) ?? ""
        return SweptCertificate(
            subject: subject, issuer: issuer, serial: serial, sha256: sha256,
            notBefore: end.addingTimeInterval(-365 * 86_400), notAfter: end, daysLeft: daysLeft, bucket: bucket,
            locations: locations)
    }

    static func tls(_ endpoint: String, _ device: String) -> SweepLocation {
        SweepLocation(endpoint: endpoint, device: device, kind: "tls")
    }

    static func file(_ path: String, _ device: String? = nil, kind: String = "file") -> SweepLocation {
        SweepLocation(path: path, device: device, kind: kind)
    }

    /// The example of `docs/sweep-report-example.html`: a small hospital network, one hostile device.
    static let sample: SweepResult = {
        let vendorCA = "CN=Infusia Update Signing CA 2,O=Infusia Medical"
        let certificates = [
            certificate(
                "CN=pacs-gw-01.radiology.example.org", serial: "3f9a2c", notAfter: "2024-03-01T12:00:00Z", daysLeft: -824, bucket: .expired,
                [tls("10.20.8.4:443", "pacs-gw-01")]),
            certificate(
                "CN=pump-0142.icu.example.org", serial: "0a1b2c3d4e5f60718293", notAfter: "2026-05-20T23:59:59Z", daysLeft: -14, bucket: .expired,
                [tls("10.20.4.42:8443", "pump-0142")]),
            certificate(
                "CN=central-station-3.cardio.example.org", serial: "71c3", notAfter: "2026-04-30T09:15:00Z", daysLeft: -34, bucket: .expired,
                [tls("10.20.6.3:443", "monitor-cs-3"), file("certs/cardio/central-station-3.pem", "monitor-cs-3")]),
            certificate(
                "CN=infusion-gw.nephro.example.org", serial: "2c41", notAfter: "2026-06-01T18:00:00Z", daysLeft: -2, bucket: .expired,
                [tls("10.20.3.1:443", "infusion-gw")]),
            certificate(
                "CN=<script>alert(\"pwned\")</script>,O=Unknown", issuer: "CN=<img src=x onerror=alert(1)>",
                serial: "deadbeef", notAfter: "2026-06-05T23:59:59Z", daysLeft: 2, bucket: .critical, [tls("10.20.4.17:443", "ventilator-icu-07")]),
            certificate(
                "CN=Infusia Update Signer 2024,O=Infusia Medical", issuer: vendorCA, serial: "1001",
                notAfter: "2026-06-08T00:00:00Z", daysLeft: 4, bucket: .critical,
                [
                    file("trust/infusia/signer-2024.pem", kind: "trust-store"),
                    file("firmware/infusia-7.4.2.bin", "pump-0142", kind: "artifact"),
                ]),
            certificate(
                "CN=dialysis-01.nephro.example.org", serial: "88f0", notAfter: "2026-06-12T00:00:00Z", daysLeft: 8, bucket: .warning,
                [tls("10.20.7.8:443", "dialysis-01")]),
            certificate(
                "CN=wlan-radius.example.org", serial: "6e02", notAfter: "2026-06-21T10:00:00Z", daysLeft: 18, bucket: .warning,
                [file("certs/network/radius.pem")]),
            certificate(
                "CN=monitor-0311.ward4.example.org", serial: "4410", notAfter: "2026-06-28T00:00:00Z", daysLeft: 24, bucket: .warning,
                [tls("10.20.5.11:443", "monitor-0311")]),
            certificate(
                "CN=monitor-0312.ward4.example.org", serial: "4411", notAfter: "2026-07-01T00:00:00Z", daysLeft: 27, bucket: .warning,
                [tls("10.20.5.12:443", "monitor-0312")]),
            certificate(
                "CN=Example Hospital Device CA,O=Example Hospital", issuer: "CN=Example Hospital Root CA,O=Example Hospital",
                serial: "02", notAfter: "2026-09-14T00:00:00Z", daysLeft: 102, bucket: .ok, [file("trust/hospital/device-ca.pem", kind: "trust-store")]),
            certificate(
                "CN=lab-analyzer-2.lab.example.org", serial: "9c", notAfter: "2026-08-03T00:00:00Z", daysLeft: 60, bucket: .ok,
                [tls("10.20.9.2:443", "lab-analyzer-2")]),
            certificate(
                "CN=lab-analyzer-3.lab.example.org", serial: "9d", notAfter: "2026-08-04T00:00:00Z", daysLeft: 61, bucket: .ok,
                [tls("10.20.9.3:443", "lab-analyzer-3")]),
            certificate(
                "CN=ventilator-icu-02.icu.example.org", serial: "5501", notAfter: "2026-11-20T00:00:00Z", daysLeft: 169, bucket: .ok,
                [tls("10.20.4.2:443", "ventilator-icu-02")]),
            certificate(
                "CN=Cardiovue Firmware Signing,O=Cardiovue", issuer: "CN=Cardiovue Root,O=Cardiovue", serial: "77aa01",
                notAfter: "2027-01-31T00:00:00Z", daysLeft: 241, bucket: .ok, [file("trust/cardiovue/fw-signing.pem", kind: "trust-store")]),
            certificate(
                "CN=pump-0143.icu.example.org", serial: "0a1b2c3d4e5f60718294", notAfter: "2027-03-01T00:00:00Z", daysLeft: 270, bucket: .ok,
                [tls("10.20.4.43:8443", "pump-0143")]),
            certificate(
                "CN=pump-0144.icu.example.org", serial: "0a1b2c3d4e5f60718295", notAfter: "2027-03-02T00:00:00Z", daysLeft: 271, bucket: .ok,
                [tls("10.20.4.44:8443", "pump-0144")]),
            certificate(
                "CN=Infusia Update Signer 2026,O=Infusia Medical", issuer: vendorCA, serial: "1002",
                notAfter: "2027-06-30T00:00:00Z", daysLeft: 391, bucket: .ok, [file("trust/infusia/signer-2026.pem", kind: "trust-store")]),
            certificate(
                "CN=INF-7-00A1B2 IDevID,O=Infusia Medical", issuer: vendorCA, serial: "5d0c9e2b",
                notAfter: "9999-12-31T23:59:59Z", daysLeft: 2_912_289, bucket: .ok, [tls("10.20.4.42:8443", "pump-0142")]),
        ]
        return SweepResult(
            at: at, certificates: certificates,
            unreadable: [
                SweepUnreadable(path: "10.20.7.9:443", reason: "TLS handshake failed: connection refused", device: "dialysis-02"),
                SweepUnreadable(path: "certs/old/backup.p12", reason: "not PEM or DER (PKCS#12 is not read)", device: nil),
            ],
            crls: [
                SweptCRL(
                    issuer: "CN=Example Hospital Device CA,O=Example Hospital",
                    lastUpdate: RFC3339.parse("2026-05-01T00:00:00Z"), nextUpdate: RFC3339.parse("2026-05-31T00:00:00Z"),
                    daysLeft: -4, bucket: .expired, path: "trust/hospital/device-ca.crl"),
                SweptCRL(
                    issuer: vendorCA, lastUpdate: RFC3339.parse("2026-05-15T00:00:00Z"),
                    nextUpdate: RFC3339.parse("2026-08-15T00:00:00Z"), daysLeft: 72, bucket: .ok,
                    path: "trust/infusia/signing-ca-2.crl"),
            ],
            devices: [
                DeviceSignerExpiry(
                    device: "pump-0142", updatesPossibleUntil: RFC3339.parse("2027-06-30T00:00:00Z"), daysLeft: 391,
                    bucket: .ok, note: "Infusia Update Signer 2026"),
                DeviceSignerExpiry(
                    device: "monitor-0311", updatesPossibleUntil: RFC3339.parse("2026-06-08T00:00:00Z"), daysLeft: 4,
                    bucket: .critical, note: "only Infusia Update Signer 2024 is trusted for this model"),
                DeviceSignerExpiry(
                    device: "lab-analyzer-2", updatesPossibleUntil: nil, daysLeft: nil, bucket: nil,
                    note: "raw public keys only"),
            ])
    }()

    /// `tbody` rows' `data-v` of the days-left cells, in document order.
    static func daysColumn(_ html: String) -> [Int] {
        let table = html.components(separatedBy: "<table class=\"sortable certificates\">")[1]
            .components(separatedBy: "</table>")[0]
        return table.components(separatedBy: "<td class=\"num days\" data-v=\"").dropFirst().map {
            Int($0.prefix { $0 != "\"" })!
        }
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func escapingCoversTheFiveCharactersAndHiddenOnes() {
        #expect(SweepHTMLRenderer.escape(#"a&b<c>d"e'f"#) == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
        #expect(SweepHTMLRenderer.escape("evil\u{202E}gpj.exe\u{0}") == "evil\\u{202E}gpj.exe\\u{0}")
        #expect(SweepHTMLRenderer.escape("Zürich Süd 病院") == "Zürich Süd 病院")
    }

    @Test func attackerTextComesOutEscapedEverywhere() {
        let hostile = "<script>alert('x')</script>"
        let result = SweepResult(
            at: Self.at,
            certificates: [
                Self.certificate(
                    hostile, issuer: "\"><img src=x onerror=alert(1)>", serial: "<b>", notAfter: "2026-06-10T00:00:00Z", daysLeft: 6, bucket: .critical,
                    [SweepLocation(path: "</td><script>", device: "<svg onload=alert(1)>", kind: "<i>")])
            ],
            unreadable: [SweepUnreadable(path: "<iframe>", reason: "<object>", device: "<embed>")],
            crls: [SweptCRL(issuer: "<style>", lastUpdate: nil, nextUpdate: nil, daysLeft: nil, bucket: .expired, path: "<link>")],
            devices: [DeviceSignerExpiry(device: "<form>", updatesPossibleUntil: nil, daysLeft: nil, bucket: nil, note: "<a href=x>")])
        let html = SweepHTMLRenderer.render(result, title: "<title>")

        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        for tag in ["<img", "<iframe", "<object", "<embed", "<link", "<form", "<a ", "<i>", "<svg onload"] {
            #expect(!html.contains(tag), "\(tag) leaked")
        }
        #expect(Self.occurrences(of: "<script", in: html) == 1)  // the sorting script
        #expect(Self.occurrences(of: "<style", in: html) == 1)
        #expect(html.contains("<code title=\"SHA-256 ") && html.contains("&lt;b&gt;</code>"))
        #expect(html.contains("<h1>&lt;title&gt;</h1>"))
    }

    @Test func pageReferencesNothingOutsideItself() throws {
        let html = SweepHTMLRenderer.render(Self.sample)
        for needle in ["http://", "https://", "url(", "@import", "<link", "<img", "<iframe", "<object", "<embed", "<use"] {
            #expect(!html.contains(needle), "\(needle)")
        }
        // No element has a resource attribute (the sample's hostile issuer mentions `src=` as text).
        #expect(!html.contains(/<[a-zA-Z][^>]*\s(src|href|xlink:href|srcset|action|poster|data)\s*=/))
        #expect(html.contains("content=\"default-src 'none';"))
        // The policy lets exactly the page's own script run.
        let script = try #require(html.components(separatedBy: "<script>").last?.components(separatedBy: "</script>").first)
        let digest = try Digest.hash(Data(script.utf8), using: .sha256)
        #expect(html.contains("script-src 'sha256-\(digest.bytes.base64EncodedString())';"))
        #expect(script == SweepHTMLRenderer.sortScript)
    }

    @Test func headerShowsSweepTimeCountsAndUnreadable() {
        let html = SweepHTMLRenderer.render(Self.sample)
        #expect(html.contains("Swept at <time datetime=\"2026-06-03T06:00:00Z\">2026-06-03T06:00:00Z</time>"))
        #expect(html.contains("<span class=\"badge expired\"><b>4</b> expired</span>"))
        #expect(html.contains("<span class=\"badge critical\"><b>2</b> critical</span>"))
        #expect(html.contains("<span class=\"badge warning\"><b>4</b> warning</span>"))
        #expect(html.contains("<span class=\"badge ok\"><b>9</b> ok</span>"))
        #expect(html.contains("<span class=\"badge unreadable\"><b>2</b> unreadable</span>"))
        #expect(html.contains("Action needed."))
        for heading in ["Certificate revocation lists", "Update signers per device", "Could not be read"] {
            #expect(html.contains("<h2>\(heading)</h2>"))
        }
    }

    @Test func oneBarPerWeekFromEarliestToLatestExpiry() throws {
        // Sweep week 2026-W23; expiries from W21 (expired) to W30.
        let certificates = [
            Self.certificate("CN=a", serial: "01", notAfter: "2026-05-18T00:00:00Z", daysLeft: -17, bucket: .expired, [Self.file("a.pem")]),
            Self.certificate("CN=b", serial: "02", notAfter: "2026-07-26T23:00:00Z", daysLeft: 53, bucket: .ok, [Self.file("b.pem")]),
            Self.certificate("CN=c", serial: "03", notAfter: "2026-07-20T00:00:00Z", daysLeft: 46, bucket: .ok, [Self.file("c.pem")]),
            Self.certificate("CN=d", serial: "04", notAfter: "2026-06-04T00:00:00Z", daysLeft: 0, bucket: .critical, [Self.file("d.pem")]),
        ]
        let html = SweepHTMLRenderer.render(SweepResult(at: Self.at, certificates: certificates, unreadable: []))
        let weeks = html.components(separatedBy: "data-week=\"").dropFirst().map { String($0.prefix(8)) }
        #expect(weeks == (21...30).map { "2026-W\($0)" })
        #expect(!html.contains("data-range="))

        let timeline = try #require(SweepHTMLRenderer.Timeline(certificates, at: Self.at))
        #expect(timeline.weeks.map(\.total) == [1, 0, 1, 0, 0, 0, 0, 0, 0, 2])
        #expect(timeline.weeks[2].counts == [0, 1, 0, 0])  // expired, critical, warning, ok
    }

    @Test func longRangesKeep104WeeksAroundTheSweepAndSumTheRest() throws {
        let timeline = try #require(SweepHTMLRenderer.Timeline(Self.sample.certificates, at: Self.at))
        #expect(timeline.weeks.count == 104)
        #expect(timeline.firstWeek == timeline.sweepWeek - 26)
        #expect(ISOWeek.name(timeline.sweepWeek) == "2026-W23")
        #expect(timeline.earlier?.counts == [1, 0, 0, 0])
        #expect(timeline.later?.counts == [0, 0, 0, 1])
        let total = timeline.weeks.map(\.total).reduce(0, +) + (timeline.earlier?.total ?? 0) + (timeline.later?.total ?? 0)
        #expect(total == Self.sample.certificates.count)

        let html = SweepHTMLRenderer.render(Self.sample)
        #expect(Self.occurrences(of: "data-week=\"", in: html) == 104)
        #expect(Self.occurrences(of: "data-range=\"earlier\"", in: html) == 1)
        #expect(Self.occurrences(of: "data-range=\"later\"", in: html) == 1)
    }

    @Test func windowSlidesBackWhenTheFutureIsShort() throws {
        // Expired three years ago, last expiry next week: the window ends there and reaches back.
        let certificates = [
            Self.certificate("CN=old", serial: "01", notAfter: "2023-06-01T00:00:00Z", daysLeft: -1099, bucket: .expired, [Self.file("old.pem")]),
            Self.certificate("CN=soon", serial: "02", notAfter: "2026-06-10T00:00:00Z", daysLeft: 6, bucket: .critical, [Self.file("soon.pem")]),
        ]
        let timeline = try #require(SweepHTMLRenderer.Timeline(certificates, at: Self.at))
        #expect(timeline.weeks.count == 104)
        #expect(timeline.lastWeek == timeline.sweepWeek + 1)
        #expect(timeline.earlier?.total == 1)
        #expect(timeline.later == nil)
    }

    @Test func tableIsSortedByDaysLeftWhateverTheInputOrder() {
        let html = SweepHTMLRenderer.render(Self.sample)
        let days = Self.daysColumn(html)
        #expect(days.count == Self.sample.certificates.count)
        #expect(days == days.sorted())
        // Worked out by hand from the sample's notAfter times and 2026-06-03T06:00:00Z.
        #expect(days == [-824, -34, -14, -2, 2, 4, 8, 18, 24, 27, 60, 61, 102, 169, 241, 270, 271, 391, 2_912_289])
        #expect(html.contains("<th data-type=\"num\" aria-sort=\"ascending\" class=\"num\">Days left</th>"))

        var shuffled = Self.sample
        shuffled.certificates.reverse()
        shuffled.unreadable.reverse()
        shuffled.crls.reverse()
        shuffled.devices.reverse()
        #expect(SweepHTMLRenderer.render(shuffled) == html)
    }

    @Test func emptyResultRendersAPageWithoutChartOrSections() {
        let html = SweepHTMLRenderer.render(SweepResult(at: Self.at, certificates: [], unreadable: []))
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.contains("No certificates were found"))
        #expect(!html.contains("<svg"))
        #expect(!html.contains("<table"))
        #expect(html.contains("<span class=\"badge ok zero\"><b>0</b> ok</span>"))
        #expect(html.contains("Nothing is expired or inside a warning window."))

        let unreadableOnly = SweepResult(at: Self.at, certificates: [], unreadable: [SweepUnreadable(path: "a.pem", reason: "empty")])
        #expect(
            SweepHTMLRenderer.render(unreadableOnly).contains(
                "Nothing that was read is expired or inside a warning window. 1 item could not be read: see below."))
    }

    @Test(arguments: [
        ("2026-01-01T00:00:00Z", "2026-W01"), ("2027-01-01T00:00:00Z", "2026-W53"), ("2024-12-30T00:00:00Z", "2025-W01"),
        ("2026-06-07T23:59:59Z", "2026-W23"), ("2026-06-08T00:00:00Z", "2026-W24"), ("1969-12-31T00:00:00Z", "1970-W01"),
        ("9999-12-31T23:59:59Z", "9999-W52"),
    ])
    func isoWeekNames(_ time: String, _ expected: String) {
        #expect(ISOWeek.name(ISOWeek.index(of: RFC3339.parse(time)!)) == expected)
    }

    @Test func axisStepsAreOneTwoFive() {
        #expect([0, 1, 5, 6, 10, 11, 25, 26, 60, 1_000].map(SweepHTMLRenderer.tickStep) == [1, 1, 1, 2, 2, 5, 5, 10, 20, 200])
    }

    /// `docs/sweep-report-example.html` is the rendering of ``sample`` (and the source of
    /// `docs/sweep-report-example.png`, made by `scripts/render-sweep-html.sh`). Set
    /// `FWGATE_WRITE_SWEEP_EXAMPLE=1` to rewrite it after changing the renderer.
    @Test func docsExampleIsTheRenderingOfTheSample() throws {
        let url = ProjectPaths.root.appendingPathComponent("docs/sweep-report-example.html")
        let html = SweepHTMLRenderer.render(Self.sample)
        if ProcessInfo.processInfo.environment["FWGATE_WRITE_SWEEP_EXAMPLE"] == "1" {
            // Recording: write and review the diff; comparing with what was just written proves nothing.
            try Data(html.utf8).write(to: url)
            return
        }
        #expect(try String(contentsOf: url, encoding: .utf8) == html, "run with FWGATE_WRITE_SWEEP_EXAMPLE=1 to update")
    }
}
