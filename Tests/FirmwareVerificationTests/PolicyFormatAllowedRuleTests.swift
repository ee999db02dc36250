import FirmwareFormats
import FirmwareVerification
import FwgateTestSupport
import Testing

@Suite struct PolicyFormatAllowedRuleTests {
    typealias F = PolicyTestFixtures
    static let code = CheckCode("policy.format-not-allowed")

    static func examplePolicy() throws -> Policy {
        try Policy.load(path: ProjectPaths.keysExample.appendingPathComponent("policy.yaml").path)
    }

    static func rule(_ policy: Policy) -> FormatAllowedRule {
        FormatAllowedRule(formats: policy.formats, vendors: policy.vendors)
    }

    @Test func everyFormatIsAcceptedWithoutRestrictions() {
        let rule = FormatAllowedRule(formats: nil, vendors: [])
        for format in FormatRegistry.formats.map(\.id.rawValue) {
            let input = PolicyInput(report: F.report(format: format), signingKey: nil, context: F.context(vendor: "anyone"))
            #expect(rule.evaluate(input).map(\.status) == [.passed])
        }
    }

    @Test func topLevelListRefusesOtherFormats() throws {
        let rule = FormatAllowedRule(formats: [.mcuboot], vendors: [])
        let check = try #require(rule.evaluate(PolicyInput(report: F.report(format: "esp-idf"), signingKey: nil, context: F.context())).first)
        #expect(check.code == Self.code && check.status == .failed)
        #expect(check.message.contains("esp-idf") && check.message.contains("mcuboot"))
    }

    @Test(arguments: [
        ("pump-x1", "mcuboot", Check.Status.passed), ("pump-x1", "esp-idf", .failed), ("monitor-m3", "esp-idf", .passed),
        ("monitor-m3", "mcuboot", .failed), ("PUMP-X2", "mcuboot", .passed),
    ])
    func vendorAndModelScopeTheFormats(model: String, format: String, expected: Check.Status) throws {
        let input = PolicyInput(
            report: F.report(format: format), signingKey: nil, context: F.context(vendor: "acme-medical", model: model))
        let checks = Self.rule(try Self.examplePolicy()).evaluate(input)
        #expect(checks.map(\.status) == [expected], "\(checks.map(\.message))")
    }

    @Test func unlistedVendorAcceptsNothing() throws {
        let input = PolicyInput(report: F.report(), signingKey: nil, context: F.context(vendor: "globex", model: "x"))
        let check = try #require(Self.rule(try Self.examplePolicy()).evaluate(input).first)
        #expect(check.status == .failed)
        #expect(check.message.contains("no vendors entry for vendor globex"))
    }

    @Test func everyProblemIsReported() throws {
        let policy = try F.policy(
            """
            version: 1
            formats: [esp-idf]
            vendors:
              - name: acme
                keys: [\(F.examplePath("vendor-keys/ecdsa-p256.pub.pem"))]
                formats: [esp-idf]
            """)
        let input = PolicyInput(report: F.report(format: "mcuboot"), signingKey: nil, context: F.context(vendor: "acme"))
        let checks = Self.rule(policy).evaluate(input)
        #expect(checks.count == 2)
        #expect(checks.allSatisfy { $0.code == Self.code && $0.status == .failed })
    }

    @Test func unknownFormatIsSkipped() {
        let input = PolicyInput(report: F.report(format: "unknown", signed: false), signingKey: nil, context: F.context())
        #expect(FormatAllowedRule(formats: [.mcuboot], vendors: []).evaluate(input).map(\.status) == [.skipped])
    }
}
