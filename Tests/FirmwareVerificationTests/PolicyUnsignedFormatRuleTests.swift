import FirmwareFormats
import FirmwareVerification
import Testing

@Suite struct PolicyUnsignedFormatRuleTests {
    typealias F = PolicyTestFixtures
    static let code = CheckCode("policy.unsigned-format")

    @Test func signedImagePasses() {
        let rule = UnsignedFormatRule(unsafeFormats: [])
        let input = PolicyInput(report: F.report(signed: true), signingKey: nil, context: F.context())
        #expect(rule.evaluate(input).map(\.status) == [.passed])
        #expect(rule.downgrades(input).isEmpty)
    }

    @Test func unsignedImageStaysFailedUnlessItsFormatIsListed() throws {
        let input = PolicyInput(report: F.report(format: "esp-idf", signed: false), signingKey: nil, context: F.context())
        let strict = UnsignedFormatRule(unsafeFormats: [])
        // signature.missing already fails the report; the rule only explains the way out.
        let note = try #require(strict.evaluate(input).first)
        #expect(note.code == Self.code && note.status == .skipped)
        #expect(note.message.contains("unsignedFormatsUnsafe"))
        #expect(Verdict(checks: input.report.checks + strict.evaluate(input)) == .fail)
        #expect(strict.downgrades(input).isEmpty)

        let lenient = UnsignedFormatRule(unsafeFormats: [.espIDF])
        #expect(lenient.evaluate(input).map(\.status) == [.warning])
        #expect(lenient.downgrades(input) == [.signatureMissing])
    }

    @Test func listingAnotherFormatDoesNotHelp() {
        let input = PolicyInput(report: F.report(format: "mcuboot", signed: false), signingKey: nil, context: F.context())
        let rule = UnsignedFormatRule(unsafeFormats: [.espIDF])
        #expect(rule.evaluate(input).map(\.status) == [.skipped])
        #expect(rule.downgrades(input).isEmpty)
    }

    @Test func unparsableFileIsSkipped() {
        let report = F.report(signed: false, checks: [.failed(.malformedTruncated, subject: "fw.bin", "ends early")])
        let rule = UnsignedFormatRule(unsafeFormats: [.mcuboot])
        let input = PolicyInput(report: report, signingKey: nil, context: F.context())
        #expect(rule.evaluate(input).map(\.status) == [.skipped])
        #expect(rule.downgrades(input).isEmpty)
    }
}
