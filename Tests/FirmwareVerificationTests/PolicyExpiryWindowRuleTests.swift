import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import Testing

@Suite struct PolicyExpiryWindowRuleTests {
    typealias F = PolicyTestFixtures
    static let validityCode = CheckCode("policy.validity-too-short")
    /// keys-example/pki-rsa/leaf.pem's notAfter: the earliest in its chain.
    static let leafEnd = RFC3339.parse("2036-01-01T00:00:00Z")!
    static let day: TimeInterval = 86_400

    static func input(at: Date, procurement: Bool = false, chain: Bool = true) throws -> PolicyInput {
        PolicyInput(
            report: F.report(earliestExpiry: chain ? leafEnd : nil, chain: chain ? try F.exampleChain() : nil), signingKey: nil,
            context: F.context(procurement: procurement, at: at))
    }

    @Test(arguments: [(31.0, Check.Status.passed), (30.0, .warning), (29.5, .warning), (1.0, .warning)])
    func expiringSoonWarnsInsideTheWindow(daysBefore: Double, expected: Check.Status) throws {
        let rule = ExpiryWindowRule(policy: .strict)
        let checks = rule.evaluate(try Self.input(at: Self.leafEnd.addingTimeInterval(-daysBefore * Self.day)))
        let check = try #require(checks.first { $0.code == .certExpiringSoon })
        #expect(check.status == expected, "\(check.message)")
        #expect(check.detail?["notAfter"] == "2036-01-01T00:00:00Z")
    }

    @Test func warningNamesTheCertificateAndTheDays() throws {
        let checks = ExpiryWindowRule(policy: .strict).evaluate(try Self.input(at: Self.leafEnd.addingTimeInterval(-10 * Self.day)))
        let check = try #require(checks.first { $0.code == .certExpiringSoon })
        #expect(check.message.contains("10 day(s)") && check.message.contains("fwgate EXAMPLE RSA Code Signing"))
    }

    @Test func alreadyExpiredIsLeftToCertExpired() throws {
        let checks = ExpiryWindowRule(policy: .strict).evaluate(try Self.input(at: Self.leafEnd.addingTimeInterval(Self.day)))
        #expect(checks.first { $0.code == .certExpiringSoon }?.status == .skipped)
    }

    @Test(arguments: [(366.0, Check.Status.passed), (365.0, .passed), (364.5, .failed), (30.0, .failed), (-5.0, .failed)])
    func procurementRequiresTheMinimumValidity(daysBefore: Double, expected: Check.Status) throws {
        let checks = ExpiryWindowRule(policy: .strict).evaluate(
            try Self.input(at: Self.leafEnd.addingTimeInterval(-daysBefore * Self.day), procurement: true))
        let check = try #require(checks.first { $0.code == Self.validityCode })
        #expect(check.status == expected, "\(check.message)")
        if expected == .failed { #expect(check.message.contains("expiry.procurementMinimumDays")) }
    }

    @Test func minimumValidityIsOnlyCheckedAtProcurement() throws {
        let checks = ExpiryWindowRule(policy: .strict).evaluate(try Self.input(at: Self.leafEnd.addingTimeInterval(-30 * Self.day)))
        #expect(checks.first { $0.code == Self.validityCode }?.status == .skipped)
    }

    @Test func customWindowAndZeroTurnOff() throws {
        let at = Self.leafEnd.addingTimeInterval(-60 * Self.day)
        let wide = ExpiryWindowRule(policy: ExpiryPolicy(warnDays: 90, procurementMinimumDays: 30))
        let wideChecks = wide.evaluate(try Self.input(at: at, procurement: true))
        #expect(wideChecks.first { $0.code == .certExpiringSoon }?.status == .warning)
        #expect(wideChecks.first { $0.code == Self.validityCode }?.status == .passed)
        let off = ExpiryWindowRule(policy: ExpiryPolicy(warnDays: 0, procurementMinimumDays: 0))
        #expect(off.evaluate(try Self.input(at: at, procurement: true)).allSatisfy { $0.status == .skipped })
    }

    @Test func noCertificateSkipsBoth() throws {
        let checks = ExpiryWindowRule(policy: .strict).evaluate(try Self.input(at: F.at, procurement: true, chain: false))
        #expect(checks.map(\.code) == [.certExpiringSoon, Self.validityCode])
        #expect(checks.allSatisfy { $0.status == .skipped })
    }
}
