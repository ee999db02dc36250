import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The built-in deny-list, pinned in a plain run (no `FWGATE_CONFORMANCE` needed): its size and
/// a sample of fingerprints computed outside fwgate, so that emptying or corrupting
/// `KnownTestKeyList.swift` fails here and not only in the conformance run.
@Suite struct KnownTestKeyListTests {
    /// 76 entries of `../shared/conformance/known-test-keys/index.json` plus fwgate's 9
    /// keys-example keys (5 vendor keys, 4 PKI leaves).
    @Test func listHoldsEveryPublishedKeyAndTheKeysExampleKeys() {
        #expect(KnownTestKeys.all.count == 85)
        #expect(KnownTestKeys.all.filter { $0.originRepository != "fwgate keys-example" }.count == 76)
        #expect(KnownTestKeys.all.filter { $0.originRepository == "fwgate keys-example" }.count == 9)
    }

    struct Sample: Sendable, CustomTestStringConvertible {
        let fingerprint: String
        let repository: String
        let path: String
        let algorithm: String
        var testDescription: String { "\(repository):\(path)" }
    }

    /// Fingerprints computed when this test was written, from the files in
    /// `../shared/conformance/known-test-keys/` (the upstream file is named in each sample):
    /// `openssl pkey -pubin -in FILE -outform DER | sha256sum` for public keys, and
    /// `openssl x509 -in FILE -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum` for
    /// certificates.
    static let samples: [Sample] = [
        // mcuboot/root-rsa-2048.pub.pem (upstream root-rsa-2048.pem, the Zephyr default)
        Sample(
            fingerprint: "a14bcb1bf9bb821146ba32838217e476f5412621320534ffe490a1890c994660", repository: "mcu-tools/mcuboot",
            path: "root-rsa-2048.pem", algorithm: "RSA-2048"),
        // mcuboot/root-ed25519-unknown.pub.pem
        Sample(
            fingerprint: "b1d87d60173352b9a4808979790fc699fb4c4f83b49cf1970edd96ff4adc36a6", repository: "mcu-tools/mcuboot",
            path: "root-ed25519-unknown.pem", algorithm: "Ed25519"),
        // esptool/rsa_secure_boot_signing_pubkey4.pem
        Sample(
            fingerprint: "2cf2f4c0243f8ce6e73cba224730dd0308d18c8e285226859e0185be9e9577c8", repository: "espressif/esptool",
            path: "test/secure_images/rsa_secure_boot_signing_pubkey4.pem", algorithm: "RSA-3072"),
        // esp-idf/efuse-secure_boot_signing_key_ecdsa_nistp256.pub.pem
        Sample(
            fingerprint: "1d058d14ef56f5304a06547c0085a202e128b33e5d6ba87b86fccd23056170a4", repository: "espressif/esp-idf",
            path: "examples/system/efuse/test/secure_boot_signing_key_ecdsa_nistp256.pem", algorithm: "EC P-256"),
        // edk2/Pkcs7Sign-TestCert.cert.pem (a certificate)
        Sample(
            fingerprint: "bcb3bd0b79cf516d886f731cb5b740edac45726bb14f2982b95b1c78c8c6469b", repository: "tianocore/edk2",
            path: "BaseTools/Source/Python/Pkcs7Sign/TestCert.pub.pem", algorithm: "RSA-2048"),
        // rauc/rauc-test-xku-codeSigning-rauc.cert.pem (a certificate)
        Sample(
            fingerprint: "02e2d5f7ab36b26d88f9af1a543a1bc61c4b24c276d0ec5cc63fd9e39a5576a2", repository: "rauc/rauc",
            path: "test/openssl-ca/dev/xku-codeSigning-rauc.cert.pem", algorithm: "RSA-2048"),
        // u-boot/binman-test-fit-dummy-rsa4096.cert.pem (a certificate)
        Sample(
            fingerprint: "dfe7bb28f4dd6401d095332287653869932133725ac54e76ea56dd58338f5e36", repository: "u-boot/u-boot",
            path: "tools/binman/test/fit/dummy-rsa4096.crt", algorithm: "RSA-4096"),
    ]

    @Test(arguments: samples)
    func publishedSampleKeyIsListedWithItsOrigin(_ sample: Sample) throws {
        let known = try #require(KnownTestKeys.lookup(fingerprint: sample.fingerprint), "\(sample.path) is missing from the deny-list")
        #expect(known.spkiSHA256 == sample.fingerprint)
        #expect(known.originRepository == sample.repository)
        #expect(known.originPath == sample.path)
        #expect(known.algorithm == sample.algorithm)
    }

    /// MCUboot's in-tree root-ec-p256.pem (Zephyr's default ECDSA-P256 key), identified by the
    /// fingerprint alone as a report names its signer: it fails even though the user trusted it.
    /// Fingerprint: `openssl pkey -pubin -in mcuboot/root-ec-p256.pub.pem -outform DER | sha256sum`
    /// over `../shared/conformance/known-test-keys/`, when this test was written.
    @Test func mcubootSampleKeyFailsEvenWhenTrusted() throws {
        let fingerprint = "e30466f6b8470c1f29070b17f1e2d3e94d445e3f608087fdc711e4382bb538b6"
        let report = PolicyTestFixtures.report(signer: Signer(name: "root-ec-p256", keyFingerprint: fingerprint))
        let checks = KnownTestKeyRule().evaluate(PolicyInput(report: report, signingKey: nil, context: PolicyTestFixtures.context()))
        let check = try #require(checks.first)
        #expect(checks.count == 1)
        #expect(check.code == .keyKnownTestKey && check.status == .failed)
        #expect(check.message.contains("mcu-tools/mcuboot:root-ec-p256.pem"))
        #expect(check.message.contains("Zephyr"))
        #expect(Verdict(checks: checks) == .fail)
    }
}
