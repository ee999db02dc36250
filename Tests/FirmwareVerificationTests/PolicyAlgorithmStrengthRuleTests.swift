import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Testing

@Suite struct PolicyAlgorithmStrengthRuleTests {
    typealias F = PolicyTestFixtures

    static func input(_ key: PublicKey?) -> PolicyInput {
        PolicyInput(report: F.report(), signingKey: key, context: F.context())
    }

    @Test(arguments: [
        ("vendor-keys/rsa2048.pub.pem", Check.Status.passed), ("vendor-keys/rsa3072.pub.pem", .passed),
        ("vendor-keys/ecdsa-p256.pub.pem", .passed), ("vendor-keys/ecdsa-p384.pub.pem", .passed), ("vendor-keys/ed25519.pub.pem", .passed),
    ])
    func defaultMinimumsAcceptTheExampleKeys(file: String, expected: Check.Status) throws {
        let checks = AlgorithmStrengthRule(policy: .strict).evaluate(Self.input(try F.exampleKey(file)))
        #expect(checks.map(\.code) == [.algorithmWeak])
        #expect(checks.first?.status == expected)
    }

    @Test func rsa1024FailsByDefaultAndNamesTheSetting() throws {
        let key = try F.vectorKey("crypto/chains/leaf-rsa1024.pem")
        let check = try #require(AlgorithmStrengthRule(policy: .strict).evaluate(Self.input(key)).first)
        #expect(check.code == .algorithmWeak && check.status == .failed)
        #expect(check.message.contains("RSA-1024") && check.message.contains("algorithms.minimumRSABits"))
    }

    @Test func warnUnsafeTurnsTheFailureIntoAWarning() throws {
        let key = try F.vectorKey("crypto/chains/leaf-rsa1024.pem")
        let policy = AlgorithmPolicy(weak: .warnUnsafe, minimumRSABits: 2048, minimumECBits: 256)
        let check = try #require(AlgorithmStrengthRule(policy: policy).evaluate(Self.input(key)).first)
        #expect(check.status == .warning)
        #expect(check.message.contains("warn-unsafe"))
    }

    @Test(arguments: [
        ("vendor-keys/ecdsa-p256.pub.pem", Check.Status.failed), ("vendor-keys/ecdsa-p384.pub.pem", .passed),
        ("vendor-keys/rsa2048.pub.pem", .failed), ("vendor-keys/rsa3072.pub.pem", .passed), ("vendor-keys/ed25519.pub.pem", .passed),
    ])
    func raisedMinimumsAreTheBoundary(file: String, expected: Check.Status) throws {
        let policy = AlgorithmPolicy(weak: .fail, minimumRSABits: 3072, minimumECBits: 384)
        let check = try #require(AlgorithmStrengthRule(policy: policy).evaluate(Self.input(try F.exampleKey(file))).first)
        #expect(check.status == expected, "\(check.message)")
    }

    @Test func noSigningKeyIsSkipped() {
        let checks = AlgorithmStrengthRule(policy: .strict).evaluate(Self.input(nil))
        #expect(checks.map(\.status) == [.skipped])
    }
}
