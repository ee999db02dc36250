import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct ChainChecksTests {
    static let at = RFC3339.parse("2026-06-01T00:00:00Z")!

    static func certificate(_ file: String) throws -> Certificate {
        try #require(try Certificate.load(contentsOf: TestVectors.path("crypto/chains/\(file)")).first)
    }

    static func validate(leaf: String, purpose: CertificatePurpose? = .codeSigning) throws -> ChainValidationResult {
        try ChainValidator.validate(
            ChainValidationRequest(
                leaf: certificate(leaf), intermediates: [certificate("intermediate.pem")], roots: [certificate("root.pem")],
                purpose: purpose, at: at))
    }

    @Test func weakAlgorithmFailsByDefaultAndWarnsOnlyWhenUnsafeIsAsked() throws {
        let result = try Self.validate(leaf: "leaf-sha1.pem")
        let strict = ChainChecks.checks(for: result, subject: "leaf", crlCheck: .none, purpose: .codeSigning, at: Self.at)
        #expect(Verdict(checks: strict) == .fail)
        #expect(strict.contains { $0.code == .algorithmWeak && $0.status == .failed })
        let lenient = ChainChecks.checks(
            for: result, subject: "leaf", crlCheck: .none, purpose: .codeSigning, at: Self.at, weakAlgorithms: .warnUnsafe)
        #expect(Verdict(checks: lenient) == .warn)
    }

    @Test func passingChainListsEveryRuleAsPassedOrSkipped() throws {
        let checks = ChainChecks.checks(
            for: try Self.validate(leaf: "leaf-valid.pem"), subject: "leaf", crlCheck: .none, purpose: .codeSigning, at: Self.at)
        #expect(Verdict(checks: checks) == .pass)
        #expect(checks.first { $0.code == .certRevoked }?.status == .skipped)
        for code in [CheckCode.certUntrustedChain, .certExpired, .certNotYetValid, .certPurpose, .algorithmWeak] {
            #expect(checks.first { $0.code == code }?.status == .passed, "\(code)")
        }
    }

    @Test func expiryInsideTheWindowWarns() throws {
        let result = try Self.validate(leaf: "leaf-valid.pem")
        let earliest = try #require(result.earliestExpiry)
        let nearEnd = earliest.addingTimeInterval(-10 * 86_400)
        let checks = ChainChecks.checks(
            for: try ChainValidator.validate(
                ChainValidationRequest(
                    leaf: Self.certificate("leaf-valid.pem"), intermediates: [Self.certificate("intermediate.pem")],
                    roots: [Self.certificate("root.pem")], purpose: .codeSigning, at: nearEnd)),
            subject: "leaf", crlCheck: .none, purpose: .codeSigning, at: nearEnd, expiryWarning: 30 * 86_400)
        #expect(Verdict(checks: checks) == .warn)
        let warning = try #require(checks.first { $0.code == .certExpiringSoon })
        #expect(warning.message.contains("10 day(s)"))
    }
}
