import FirmwareFormats
import FirmwareVerification
import Testing

@Suite struct PolicyRollbackRuleTests {
    typealias F = PolicyTestFixtures
    let rule = RollbackRule(policy: .strict)

    struct VersionCase: Sendable, CustomTestStringConvertible {
        let candidate: String
        let installed: String
        let expected: Check.Status
        var testDescription: String { "\(candidate) vs installed \(installed) → \(expected.rawValue)" }
    }

    static let versionCases: [VersionCase] = [
        VersionCase(candidate: "1.2.3", installed: "1.2.3", expected: .passed),  // equal passes
        VersionCase(candidate: "1.2.2", installed: "1.2.3", expected: .failed),  // lower fails
        VersionCase(candidate: "1.2.4", installed: "1.2.3", expected: .passed),  // higher passes
        VersionCase(candidate: "1.2.3+1", installed: "1.2.3+9", expected: .passed),  // build number ignored
        VersionCase(candidate: "1.2.3+9", installed: "1.2.4+0", expected: .failed),  // ... also when it is higher
        VersionCase(candidate: "1.10.0", installed: "1.9.0", expected: .passed),  // numeric, not text order
        VersionCase(candidate: "1.9.9", installed: "2.0.0", expected: .failed),
        VersionCase(candidate: "1.2", installed: "1.2.0", expected: .passed),  // a missing component is 0
        VersionCase(candidate: "v1.2.3", installed: "1.2.3", expected: .passed),
        VersionCase(candidate: "1.2.3-rc1", installed: "1.2.0", expected: .failed),  // cannot be ordered: fail-closed
        VersionCase(candidate: "1.2.3", installed: "build-7", expected: .failed),
    ]

    @Test(arguments: versionCases)
    func versionIsComparedAsMCUbootDoes(_ scenario: VersionCase) throws {
        let input = PolicyInput(
            report: F.report(version: scenario.candidate), signingKey: nil, context: F.context(installedVersion: scenario.installed))
        let checks = rule.evaluate(input)
        let check = try #require(F.checks(checks, .rollbackVersion).first)
        #expect(check.status == scenario.expected, "\(check.message)")
        #expect(check.detail?["installed"] == scenario.installed)
        if scenario.expected == .failed { #expect(check.message.contains(scenario.candidate)) }
    }

    @Test func buildNumberIsNamedAsIgnored() throws {
        let input = PolicyInput(report: F.report(version: "1.2.3+1"), signingKey: nil, context: F.context(installedVersion: "1.2.3+9"))
        let check = try #require(rule.evaluate(input).first { $0.code == .rollbackVersion })
        #expect(check.message.contains("build numbers ignored"))
    }

    @Test(arguments: [(UInt64(5), UInt64(5), Check.Status.passed), (4, 5, .failed), (6, 5, .passed), (0, 0, .passed)])
    func securityCounterMustNotGoDown(candidate: UInt64, installed: UInt64, expected: Check.Status) throws {
        let input = PolicyInput(
            report: F.report(securityCounter: candidate), signingKey: nil, context: F.context(installedSecurityCounter: installed))
        let check = try #require(rule.evaluate(input).first { $0.code == .rollbackSecurityCounter })
        #expect(check.status == expected, "\(check.message)")
    }

    @Test func bothChecksAreReportedTogetherAndNeitherStopsTheOther() {
        let input = PolicyInput(
            report: F.report(version: "1.0.0", securityCounter: 1), signingKey: nil,
            context: F.context(installedVersion: "2.0.0", installedSecurityCounter: 3))
        let checks = rule.evaluate(input)
        #expect(checks.map(\.code) == [.rollbackVersion, .rollbackSecurityCounter])
        #expect(checks.allSatisfy { $0.status == .failed })
    }

    struct SkipCase: Sendable, CustomTestStringConvertible {
        let name: String
        let input: PolicyInput
        let policy: RollbackPolicy
        let reason: String
        var testDescription: String { name }
    }

    static let skipCases: [SkipCase] = [
        SkipCase(
            name: "no device", input: PolicyInput(report: F.report(securityCounter: 1), signingKey: nil, context: F.context(device: false)),
            policy: .strict, reason: "no device"),
        SkipCase(
            name: "device without facts", input: PolicyInput(report: F.report(securityCounter: 1), signingKey: nil, context: F.context()),
            policy: .strict, reason: "on record"),
        SkipCase(
            name: "image without version or counter",
            input: PolicyInput(
                report: F.report(version: nil, securityCounter: nil), signingKey: nil,
                context: F.context(installedVersion: "1.0.0", installedSecurityCounter: 1)),
            policy: .strict, reason: "the image carries no"),
        SkipCase(
            name: "enforcement off",
            input: PolicyInput(
                report: F.report(version: "0.1.0", securityCounter: 0), signingKey: nil,
                context: F.context(installedVersion: "9.0.0", installedSecurityCounter: 9)),
            policy: RollbackPolicy(enforce: false), reason: "rollback.enforce: false"),
    ]

    @Test(arguments: skipCases)
    func unknownFactsSkipBothChecks(_ scenario: SkipCase) {
        let checks = RollbackRule(policy: scenario.policy).evaluate(scenario.input)
        #expect(checks.count == 2)
        #expect(checks.allSatisfy { $0.status == .skipped })
        #expect(checks.allSatisfy { $0.message.contains(scenario.reason) }, "\(checks.map(\.message))")
    }
}
