import FirmwareFormats
import FirmwareVerification
import Foundation
import Testing

@Suite struct CheckCodeTests {
    /// Golden list: SIEM rules and tests depend on these strings. A rename fails here; adding a
    /// code means adding it here too.
    @Test func everyCodeIsPinned() {
        let expected = [
            "malformed.truncated", "malformed.bad-magic", "malformed.length", "malformed.duplicate-tlv",
            "malformed.tlv-placement", "malformed.encoding", "malformed.unknown-format", "malformed.missing-tlv",
            "integrity.digest-mismatch", "integrity.crc-mismatch", "integrity.checksum-mismatch", "integrity.unverifiable",
            "signature.invalid", "signature.missing", "signature.unsupported-algorithm",
            "key.untrusted", "key.hash-mismatch", "key.known-test-key",
            "cert.expired", "cert.not-yet-valid", "cert.untrusted-chain", "cert.revoked", "cert.purpose",
            "cert.crl-unavailable", "cert.expiring-soon",
            "algorithm.weak",
            "input.unreadable",
            "policy.segment-overlap", "policy.format-not-allowed", "policy.validity-too-short", "policy.unsigned-format",
            "rollback.version", "rollback.security-counter", "metadata.expired", "metadata.threshold",
            "manifest.entry-mismatch", "manifest.missing-entry",
        ]
        #expect(CheckCode.all.map(\.rawValue) == expected)
        #expect(Set(CheckCode.all).count == CheckCode.all.count)
    }

    @Test func codesAreDottedLowercase() {
        for code in CheckCode.all {
            #expect(code.rawValue.range(of: #"^[a-z]+\.[a-z0-9-]+$"#, options: .regularExpression) != nil, "\(code)")
        }
        #expect(CheckCode.certExpired.family == "cert")
    }
}

@Suite struct VerdictTests {
    let pass = Check.passed(.signatureInvalid, subject: "f", "ok")
    let warn = Check.warning(.certExpiringSoon, subject: "f", "soon")
    let fail = Check.failed(.integrityDigestMismatch, subject: "f", "bad")
    let skip = Check(.certRevoked, .skipped, subject: "f", "not checked")

    @Test func anyFailureFails() {
        #expect(Verdict(checks: [pass, warn, fail]) == .fail)
    }

    @Test func warningsWarn() {
        #expect(Verdict(checks: [pass, warn, skip]) == .warn)
    }

    @Test func allPassedPasses() {
        #expect(Verdict(checks: [pass, skip]) == .pass)
    }

    @Test func nothingVerifiedFailsClosed() {
        #expect(Verdict(checks: []) == .fail)
        #expect(Verdict(checks: [skip]) == .fail)
    }
}

@Suite struct ReportTests {
    @Test func jsonCarriesTheContractFieldsAndTheDerivedVerdict() throws {
        let report = VerificationReport(
            file: "fw.bin", sha256: "00", format: "mcuboot", signed: true, version: "1.2.3",
            signer: Signer(name: "vendor", keyFingerprint: "ab"),
            checks: [.failed(.signatureInvalid, subject: "fw.bin", "does not verify")])
        let data = try FwgateJSON.encoder().encode(report)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for key in ["schema", "file", "sha256", "format", "verdict", "signed", "version", "signer", "checks"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["schema"] as? String == "fwgate.verify/1")
        #expect(object["verdict"] as? String == "fail")
        let check = try #require((object["checks"] as? [[String: Any]])?.first)
        #expect(Set(check.keys).isSuperset(of: ["code", "status", "subject", "message"]))
        // Decoding recomputes the verdict from the checks; it is never read back.
        let decoded = try FwgateJSON.decoder().decode(VerificationReport.self, from: data)
        #expect(decoded.verdict == .fail)
        #expect(decoded.failedCodes == [.signatureInvalid])
    }

    @Test func requirePassThrowsOnlyOnFailure() throws {
        var report = VerificationReport(file: "a", sha256: nil, format: "x", signed: true, checks: [.passed(.signatureInvalid, subject: "a", "ok")])
        try report.requirePass()
        report.checks.append(.failed(.keyUntrusted, subject: "a", "unknown key"))
        #expect(throws: VerificationFailed.self) { try report.requirePass() }
    }

    @Test func rfc3339RoundTrips() throws {
        let date = try #require(RFC3339.parse("2026-06-01T00:00:00Z"))
        #expect(RFC3339.string(date) == "2026-06-01T00:00:00Z")
        #expect(RFC3339.parse("2026-06-01") == date)
        #expect(RFC3339.parse("2026-06-01T02:00:00+02:00") == date)
        #expect(RFC3339.parse("June 1st") == nil)
    }
}
