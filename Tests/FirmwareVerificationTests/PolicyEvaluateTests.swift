import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `Policy.evaluate`: every rule together, and each scenario against the single rule too.
@Suite struct PolicyEvaluateTests {
    typealias F = PolicyTestFixtures
    static let examplePolicy = ProjectPaths.keysExample.appendingPathComponent("policy.yaml").path

    static let everyRuleCode: Set<CheckCode> = [
        "policy.format-not-allowed", "policy.unsigned-format", .algorithmWeak, .keyKnownTestKey, .rollbackVersion,
        .rollbackSecurityCounter, .certExpiringSoon, "policy.validity-too-short", .compatibilityDeviceType,
    ]

    @Test func everyRuleReportsEvenWhenEverythingPasses() throws {
        let input = PolicyInput(
            report: F.report(version: "1.3.0", securityCounter: 2), signingKey: try F.vectorKey("crypto/keys/p256.spki.pem"),
            context: F.context(installedVersion: "1.2.0", installedSecurityCounter: 2))
        let outcome = Policy.default.evaluate(input)
        #expect(Set(outcome.added.map(\.code)) == Self.everyRuleCode)
        #expect(outcome.added.allSatisfy { $0.status == .passed || $0.status == .skipped }, "\(outcome.added)")
        #expect(outcome.downgradedUnsafe.isEmpty)
        #expect(outcome.applied(to: input.report).verdict == .pass)
    }

    @Test func defaultPolicyRefusesAKeysExampleSignerAndKeepsGoing() throws {
        let input = PolicyInput(
            report: F.report(version: "1.0.0"), signingKey: try F.exampleKey("vendor-keys/ecdsa-p256.pub.pem"),
            context: F.context(installedVersion: "2.0.0"))
        let outcome = Policy.default.evaluate(input)
        let failed = Set(outcome.added.filter { $0.status == .failed }.map(\.code))
        #expect(failed == [.keyKnownTestKey, .rollbackVersion])
        #expect(Set(outcome.added.map(\.code)) == Self.everyRuleCode)
        #expect(outcome.applied(to: input.report).verdict == .fail)
    }

    @Test func examplePolicyWarnsForItsOwnDemoKeys() throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let input = PolicyInput(
            report: F.report(version: "1.3.0+7"), signingKey: try F.exampleKey("vendor-keys/ecdsa-p256.pub.pem"),
            context: F.context(installedVersion: "1.2.9", vendor: "acme-medical", model: "pump-x1"))
        let report = policy.evaluate(input).applied(to: input.report)
        #expect(report.warningCodes == [.keyKnownTestKey])
        #expect(report.failedCodes.isEmpty)
        #expect(report.verdict == .warn)
    }

    @Test func unsignedImageIsDowngradedOnlyForAListedFormat() throws {
        let unsigned = PolicyInput(report: F.report(format: "esp-idf", signed: false, version: nil), signingKey: nil, context: F.context())
        let strict = Policy.default.evaluate(unsigned)
        #expect(strict.downgradedUnsafe.isEmpty)
        // Exactly one failure for one problem: the format's signature.missing.
        #expect(strict.applied(to: unsigned.report).failedCodes == [.signatureMissing])

        let lab = try F.policy("version: 1\nunsignedFormatsUnsafe: [esp-idf]\n")
        let outcome = lab.evaluate(unsigned)
        #expect(outcome.downgradedUnsafe == [.signatureMissing])
        let report = outcome.applied(to: unsigned.report)
        #expect(report.failedCodes.isEmpty)
        #expect(report.warningCodes == [.signatureMissing, "policy.unsigned-format"])
        #expect(report.checks.first { $0.code == .signatureMissing }?.message.contains("accepted as unsafe") == true)
        #expect(report.verdict == .warn)
    }

    /// A scenario and what each of the nine rules must answer for it under
    /// keys-example/policy.yaml, worked out by hand from the policy text and the scenario
    /// (not by running the rules).
    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let input: PolicyInput
        let expected: [CheckCode: Check.Status]
        var testDescription: String { name }
    }

    /// Everything skipped or passed that a signed mcuboot image with no key, no certificate
    /// and no device facts gets; scenarios override the codes they are about.
    static func expecting(_ overrides: [CheckCode: Check.Status]) -> [CheckCode: Check.Status] {
        let base: [CheckCode: Check.Status] = [
            "policy.format-not-allowed": .passed,  // mcuboot is in formats: [mcuboot, esp-idf]
            "policy.unsigned-format": .passed,  // signed
            .algorithmWeak: .skipped,  // no signing key identified
            .keyKnownTestKey: .skipped,  // no key, no signer fingerprint
            .rollbackVersion: .skipped,  // no installed version on record
            .rollbackSecurityCounter: .skipped,  // no installed counter
            .certExpiringSoon: .skipped,  // no certificate
            "policy.validity-too-short": .skipped,  // no certificate
            .compatibilityDeviceType: .skipped,  // an mcuboot image declares no device types
        ]
        return base.merging(overrides) { $1 }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "rollback",
            input: PolicyInput(report: F.report(version: "0.9.0"), signingKey: nil, context: F.context(installedVersion: "1.0.0")),
            // 0.9.0 < installed 1.0.0; rollback.enforce: true.
            expected: expecting([.rollbackVersion: .failed])),
        Scenario(
            name: "procurement near expiry",
            input: PolicyInput(
                report: F.report(earliestExpiry: RFC3339.parse("2026-08-01T00:00:00Z")), signingKey: nil,
                context: F.context(procurement: true)),
            // 2026-06-01 → 2026-08-01 is 61 days: outside warnDays 30, short of procurementMinimumDays 365.
            expected: expecting([.certExpiringSoon: .passed, "policy.validity-too-short": .failed])),
        Scenario(
            name: "unsigned",
            input: PolicyInput(report: F.report(signed: false), signingKey: nil, context: F.context()),
            // unsignedFormatsUnsafe: [] — the rule does not downgrade; signature.missing stays failed.
            expected: expecting(["policy.unsigned-format": .skipped])),
        Scenario(
            name: "wrong format for vendor",
            input: PolicyInput(
                report: F.report(format: "esp-idf"), signingKey: nil, context: F.context(vendor: "acme-medical", model: "pump-x1")),
            // acme-medical pump-x1 accepts formats: [mcuboot] only.
            expected: expecting(["policy.format-not-allowed": .failed])),
    ]

    @Test(arguments: scenarios)
    func eachRuleAnswersWhatThePolicyTextSays(_ scenario: Scenario) throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let added = policy.evaluate(scenario.input).added
        // One check per rule code, no more, no fewer.
        #expect(added.map(\.code).sorted { $0.rawValue < $1.rawValue } == scenario.expected.keys.sorted { $0.rawValue < $1.rawValue })
        var got: [CheckCode: Check.Status] = [:]
        for check in added { got[check.code] = check.status }
        #expect(got == scenario.expected, "\(added)")
        #expect(added.allSatisfy { $0.subject == "fw.bin" })
        #expect(Verdict(checks: scenario.input.report.checks + added) == .fail)
    }

    @Test func procurementExpiryNamesTheDateAndTheDaysLeft() throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let scenario = try #require(Self.scenarios.first { $0.name == "procurement near expiry" })
        let added = policy.evaluate(scenario.input).added
        let short = try #require(added.first { $0.code == "policy.validity-too-short" })
        // Whole days from 2026-06-01T00:00:00Z to 2026-08-01T00:00:00Z: 30 (June) + 31 (July).
        #expect(short.detail?["daysLeft"] == "61")
        #expect(short.detail?["notAfter"] == "2026-08-01T00:00:00Z")
        #expect(short.message.contains("61 day(s)") && short.message.contains("at least 365"))
        let soon = try #require(added.first { $0.code == .certExpiringSoon })
        #expect(soon.message.contains("expires in 61 day(s)") && soon.message.contains("outside the 30-day warning window"))
    }

    // MARK: with real MCUboot images (testvectors/mcuboot, imgtool-made)

    static func verify(_ vector: String, trust: [String]) throws -> VerificationReport {
        let store = try TrustStore.load(try trust.map { try TestVectors.path("mcuboot/\($0)") })
        return try FirmwareVerifier(trust: store).report(path: TestVectors.path("mcuboot/\(vector)"), context: F.context(device: false))
    }

    @Test func securityCounterRollbackOnARealImage() throws {
        let report = try Self.verify("ecdsa-p256-seccnt7.bin", trust: ["keys/test-ecdsa-p256.pub.pem"])
        #expect(report.securityCounter == 7)
        let key = try F.vectorKey("mcuboot/keys/test-ecdsa-p256.pub.pem")
        let behind = Policy.default.evaluate(
            PolicyInput(report: report, signingKey: key, context: F.context(installedVersion: "1.0.0", installedSecurityCounter: 8)))
        #expect(behind.added.filter { $0.status == .failed }.map(\.code) == [.rollbackSecurityCounter])
        let level = Policy.default.evaluate(
            PolicyInput(report: report, signingKey: key, context: F.context(installedVersion: "1.0.0", installedSecurityCounter: 7)))
        #expect(level.added.allSatisfy { $0.status != .failed }, "\(level.added)")
    }

    @Test func versionWithBuildNumberOnARealImage() throws {
        let report = try Self.verify("ecdsa-p256-version.bin", trust: ["keys/test-ecdsa-p256.pub.pem"])
        #expect(report.version == "1.2.3+45")
        for (installed, status) in [("1.2.3+99", Check.Status.passed), ("1.2.4+0", .failed), ("1.2.2+100", .passed)] {
            let input = PolicyInput(report: report, signingKey: nil, context: F.context(installedVersion: installed))
            let checks = Policy.default.evaluate(input).added
            #expect(checks.first { $0.code == .rollbackVersion }?.status == status, "installed \(installed)")
        }
    }

    @Test func unsignedRealImagePassesAsWarningOnlyWhenAllowed() throws {
        let report = try Self.verify("unsigned.bin", trust: ["keys/test-ecdsa-p256.pub.pem"])
        #expect(report.failedCodes.contains(.signatureMissing))
        let input = PolicyInput(report: report, signingKey: nil, context: F.context(device: false))
        #expect(Policy.default.evaluate(input).applied(to: report).verdict == .fail)
        let lab = try F.policy("version: 1\nunsignedFormatsUnsafe: [mcuboot]\n")
        let applied = lab.evaluate(input).applied(to: report)
        #expect(!applied.failedCodes.contains(.signatureMissing))
        #expect(applied.warningCodes.contains(.signatureMissing))
    }
}
