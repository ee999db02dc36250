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
        .rollbackSecurityCounter, .certExpiringSoon, "policy.validity-too-short",
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

    struct Scenario: Sendable, CustomTestStringConvertible {
        let name: String
        let input: PolicyInput
        var testDescription: String { name }
    }

    static let scenarios: [Scenario] = [
        Scenario(
            name: "rollback",
            input: PolicyInput(report: F.report(version: "0.9.0"), signingKey: nil, context: F.context(installedVersion: "1.0.0"))),
        Scenario(
            name: "procurement near expiry",
            input: PolicyInput(
                report: F.report(earliestExpiry: RFC3339.parse("2026-08-01T00:00:00Z")), signingKey: nil,
                context: F.context(procurement: true))),
        Scenario(name: "unsigned", input: PolicyInput(report: F.report(signed: false), signingKey: nil, context: F.context())),
        Scenario(
            name: "wrong format for vendor",
            input: PolicyInput(
                report: F.report(format: "esp-idf"), signingKey: nil, context: F.context(vendor: "acme-medical", model: "pump-x1"))),
    ]

    @Test(arguments: scenarios)
    func compositeReportsExactlyWhatEachRuleReports(_ scenario: Scenario) throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let composite = policy.evaluate(scenario.input).added
        let single = policy.rules.flatMap { $0.evaluate(scenario.input) }
        #expect(composite == single)
        let rollback = RollbackRule(policy: policy.rollback).evaluate(scenario.input)
        #expect(composite.filter { $0.code.family == "rollback" } == rollback)
        let expiry = ExpiryWindowRule(policy: policy.expiry).evaluate(scenario.input)
        #expect(composite.filter { $0.code == .certExpiringSoon || $0.code == "policy.validity-too-short" } == expiry)
        #expect(Verdict(checks: scenario.input.report.checks + composite) == .fail)
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
