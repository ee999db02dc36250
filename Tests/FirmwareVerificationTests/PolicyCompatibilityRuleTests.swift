import FirmwareFormats
import FirmwareVerification
import FwgateTestSupport
import Testing

@Suite struct PolicyCompatibilityRuleTests {
    typealias F = PolicyTestFixtures
    let rule = CompatibilityRule(compatible: ["pump-x1": ["acme-pump-v2", "acme-pump-v2-rev3"]])

    static func report(_ declared: [String]?) -> VerificationReport {
        var report = F.report(format: "rauc")
        report.compatibleDevices = declared
        return report
    }

    func status(_ declared: [String]?, device: Bool = true, model: String? = "pump-x1", rule: CompatibilityRule? = nil) -> (Check.Status, String) {
        let check = (rule ?? self.rule).evaluate(PolicyInput(report: Self.report(declared), signingKey: nil, context: F.context(device: device, model: model)))[0]
        #expect(check.code == .compatibilityDeviceType)
        return (check.status, check.message)
    }

    @Test func matchingTypePasses() {
        #expect(status(["acme-pump-v2"]).0 == .passed)
        #expect(status(["other", "acme-pump-v2-rev3"]).0 == .passed)
        #expect(status(["acme-pump-v2"], model: "PUMP-X1").0 == .passed)  // models compare case-insensitively
    }

    @Test func otherTypeFailsAndSaysWhat() {
        let (result, message) = status(["acme-monitor-m3"])
        #expect(result == .failed)
        #expect(message.contains("acme-monitor-m3") && message.contains("acme-pump-v2"))
        #expect(status(["ACME-PUMP-V2"]).0 == .failed)  // compatible strings compare exactly, as RAUC does
    }

    @Test func unknownModelFailsClosed() {
        #expect(status(["acme-pump-v2"], model: nil).0 == .failed)
        #expect(status(["acme-pump-v2"], model: "vent-v9").0 == .failed)
    }

    @Test func nothingToCompareIsSkippedAndSaysWhy() {
        #expect(status(nil) == (.skipped, "the artifact declares no device types (only RAUC, SWUpdate and Mender packages do)"))
        #expect(status(["acme-pump-v2"], device: false).0 == .skipped)
        let (result, message) = status(["acme-pump-v2"], rule: CompatibilityRule(compatible: nil))
        #expect(result == .skipped)
        #expect(message.contains("compatible:"))
    }

    @Test func policyMapLoadsAndIsChecked() throws {
        let policy = try F.policy("version: 1\ncompatible:\n  Pump-X1: [acme-pump-v2]\n")
        #expect(policy.compatible == ["pump-x1": ["acme-pump-v2"]])
        #expect(policy.rules.contains { $0 is CompatibilityRule })
        #expect(Policy.default.compatible == nil)
        for bad in ["compatible:\n  pump-x1: []\n", "compatible:\n  pump-x1: [a]\n  PUMP-X1: [b]\n", "compatible: [a]\n"] {
            #expect(throws: FwgateError.self) { _ = try F.policy("version: 1\n" + bad) }
        }
    }

    /// The device types the reference tools wrote into real packages reach the report.
    @Test(arguments: [("mender", "rsa-signed.mender"), ("rauc", "verity.raucb")])
    func realPackagesDeclareTheirTypes(folder: String, file: String) throws {
        let vector = try #require(FormatVectorSuite.vectors(folder).first { $0.file == file })
        let report = try FormatVectorSuite.report(vector)
        #expect(report.compatibleDevices == ["acme-pump-v2"])
    }
}
