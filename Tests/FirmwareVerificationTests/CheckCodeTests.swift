import FirmwareFormats
import FirmwareVerification
import Foundation
import Testing

@Suite struct CheckCodeTests {
    /// Golden list: SIEM rules and tests depend on these strings. A rename fails here; adding a
    /// code (generic, or in a format's folder) means adding it here too.
    @Test func everyCodeIsPinned() {
        let expected = [
            "algorithm.weak",
            "cert.crl-unavailable", "cert.expired", "cert.expiring-soon", "cert.not-yet-valid", "cert.purpose", "cert.revoked",
            "cert.untrusted-chain",
            "compatibility.device-type",
            "input.unreadable",
            "integrity.checksum-mismatch", "integrity.crc-mismatch", "integrity.digest-mismatch", "integrity.fit-unsigned-image",
            "integrity.unsigned-trailing-data",
            "integrity.unverifiable",
            "key.hash-mismatch", "key.known-test-key", "key.untrusted",
            "malformed.bad-magic", "malformed.duplicate-entry", "malformed.duplicate-tlv", "malformed.encoding", "malformed.fdt-structure", "malformed.fit-data-range",
            "malformed.fit-unit-address", "malformed.length", "malformed.missing-tlv",
            "malformed.tlv-placement", "malformed.truncated", "malformed.unknown-format", "malformed.unsafe-path",
            "manifest.entry-mismatch", "manifest.missing-entry", "manifest.unlisted-entry",
            "metadata.delegation", "metadata.expired", "metadata.threshold", "metadata.version-mismatch",
            "policy.format-not-allowed", "policy.segment-overlap", "policy.unsigned-format", "policy.validity-too-short",
            "rollback.security-counter", "rollback.version",
            "signature.fit-hashed-nodes", "signature.invalid", "signature.missing", "signature.unsupported-algorithm",
        ]
        #expect(CheckCode.all.map(\.rawValue) == expected)
        #expect(Set(CheckCode.all).count == CheckCode.all.count)
    }

    /// Every code a format declares is either generic or declared by that format alone, and
    /// every generic code has a phrase for when it passes.
    @Test func formatCodesAndPhrases() {
        #expect(CheckCode.generic.allSatisfy { CheckCode.genericPassPhrases[$0] != nil })
        #expect(CheckCode.policySegmentOverlap.passPhrase == "segments clear of the bootloader's RAM")
        #expect(CheckCode.integrityDigestMismatch.passPhrase == "digest matches")
        #expect(!CheckCode.generic.contains(.policySegmentOverlap))
        #expect(FormatRegistry.format(.espIDF)?.checkCodes.contains(.policySegmentOverlap) == true)
        #expect(FormatRegistry.format(.mcuboot)?.checkCodes.contains(.policySegmentOverlap) == false)
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
