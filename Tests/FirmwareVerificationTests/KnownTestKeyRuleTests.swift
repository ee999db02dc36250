import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The deny-list built into fwgate, with fwgate's own keys-example keys (always available: the
/// data is in the project).
@Suite struct KnownTestKeyRuleTests {
    typealias F = PolicyTestFixtures

    /// Every keys-example key whose private key is committed, as the generator lists them.
    static let exampleFiles = [
        "vendor-keys/ecdsa-p256.pub.pem", "vendor-keys/ecdsa-p384.pub.pem", "vendor-keys/ed25519.pub.pem",
        "vendor-keys/rsa2048.pub.pem", "vendor-keys/rsa3072.pub.pem", "pki-ecdsa/leaf.pem", "pki-ecdsa/revoked-leaf.pem",
        "pki-rsa/leaf.pem", "pki-rsa/revoked-leaf.pem",
    ]

    @Test(arguments: exampleFiles)
    func everyKeysExampleKeyIsListedWithItsOrigin(_ file: String) throws {
        let key = try F.exampleKey(file)
        let known = try #require(KnownTestKeys.lookup(fingerprint: key.fingerprint), "\(file) \(key.fingerprint)")
        #expect(known.originRepository == "fwgate keys-example")
        #expect(known.originPath == "keys-example/\(file)")
        #expect(known.why.contains("committed"))
    }

    @Test(arguments: exampleFiles)
    func anArtifactSignedByAKeysExampleKeyFails(_ file: String) throws {
        let key = try F.exampleKey(file)
        let input = PolicyInput(report: F.report(), signingKey: key, context: F.context())
        let checks = KnownTestKeyRule().evaluate(input)
        let check = try #require(checks.first)
        #expect(checks.count == 1)
        #expect(check.code == .keyKnownTestKey && check.status == .failed)
        #expect(check.message.contains("fwgate keys-example:keys-example/\(file)"))
        #expect(check.detail?["fingerprint"] == key.fingerprint)
    }

    @Test func allowUnsafeTurnsItIntoAWarning() throws {
        let key = try F.exampleKey("vendor-keys/ecdsa-p256.pub.pem")
        let input = PolicyInput(report: F.report(), signingKey: key, context: F.context())
        let checks = KnownTestKeyRule(allowUnsafe: [key.fingerprint.uppercased()]).evaluate(input)
        #expect(checks.map(\.status) == [.warning])
        #expect(checks.first?.message.contains("knownTestKeys.allowUnsafe") == true)
    }

    @Test func allowingOneKeyDoesNotAllowAnother() throws {
        let allowed = try F.exampleKey("vendor-keys/ecdsa-p256.pub.pem")
        let input = PolicyInput(report: F.report(), signingKey: try F.exampleKey("vendor-keys/ed25519.pub.pem"), context: F.context())
        #expect(KnownTestKeyRule(allowUnsafe: [allowed.fingerprint]).evaluate(input).map(\.status) == [.failed])
    }

    @Test func everyCertificateInTheChainIsChecked() throws {
        // A bare-key signer that is fine, but a chain whose leaf is a keys-example certificate.
        let chain = try F.exampleChain("pki-ecdsa")
        let input = PolicyInput(
            report: F.report(chain: chain), signingKey: try F.vectorKey("crypto/keys/p256.spki.pem"), context: F.context())
        let checks = KnownTestKeyRule().evaluate(input)
        #expect(checks.map(\.status) == [.failed])
        #expect(checks.first?.message.contains("CN=fwgate EXAMPLE ECDSA Code Signing") == true)
    }

    @Test func signerFingerprintAloneIsEnough() throws {
        let key = try F.exampleKey("vendor-keys/rsa3072.pub.pem")
        let report = F.report(signer: Signer(name: "acme/rsa3072", keyFingerprint: key.fingerprint))
        let checks = KnownTestKeyRule().evaluate(PolicyInput(report: report, signingKey: nil, context: F.context()))
        #expect(checks.map(\.status) == [.failed])
        #expect(checks.first?.message.contains("'acme/rsa3072'") == true)
    }

    @Test func anUnlistedKeyPasses() throws {
        let input = PolicyInput(report: F.report(), signingKey: try F.vectorKey("crypto/keys/p384.spki.pem"), context: F.context())
        #expect(KnownTestKeyRule().evaluate(input).map(\.status) == [.passed])
    }

    @Test func noKeyIsSkipped() {
        let input = PolicyInput(report: F.report(signed: false), signingKey: nil, context: F.context())
        #expect(KnownTestKeyRule().evaluate(input).map(\.status) == [.skipped])
    }

    @Test func lookupNormalisesAndListIsWellFormed() throws {
        let entry = try #require(KnownTestKeys.all.first)
        let colons = stride(from: 0, to: 64, by: 2).map { i -> String in
            let start = entry.spkiSHA256.index(entry.spkiSHA256.startIndex, offsetBy: i)
            return String(entry.spkiSHA256[start..<entry.spkiSHA256.index(start, offsetBy: 2)]).uppercased()
        }.joined(separator: ":")
        #expect(KnownTestKeys.lookup(fingerprint: colons) == entry)
        #expect(KnownTestKeys.lookup(fingerprint: String(repeating: "0", count: 64)) == nil)
        #expect(Set(KnownTestKeys.all.map(\.spkiSHA256)).count == KnownTestKeys.all.count)
        for known in KnownTestKeys.all {
            #expect(known.spkiSHA256.count == 64 && known.spkiSHA256.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(known.origin)")
            #expect(!known.originRepository.isEmpty && !known.originPath.isEmpty && !known.why.isEmpty)
        }
    }
}
