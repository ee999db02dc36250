import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The built-in deny-list against the published sample keys themselves
/// (`../shared/conformance/known-test-keys/`): run only when `FWGATE_CONFORMANCE` is set.
@Suite(.enabled(if: Conformance.isConfigured, "set FWGATE_CONFORMANCE=../shared/conformance to run"))
struct KnownTestKeyConformanceTests {
    typealias F = PolicyTestFixtures

    struct IndexEntry: Decodable {
        struct Origin: Decodable {
            let repo: String
            let path: String
        }
        let file: String
        let spki_sha256: String
        let origin: Origin
    }

    static func folder() throws -> URL {
        try Conformance.directory().appendingPathComponent("known-test-keys")
    }

    @Test func mcubootSampleKeyFailsEvenWhenTrusted() throws {
        let path = try Self.folder().appendingPathComponent("mcuboot/root-ec-p256.pub.pem").path
        let key = try PublicKey(contentsOf: path)
        // The user put the key in the trust store, and the format verified with it.
        let report = F.report(signer: Signer(name: "root-ec-p256", keyFingerprint: key.fingerprint))
        let checks = KnownTestKeyRule().evaluate(PolicyInput(report: report, signingKey: key, context: F.context()))
        let check = try #require(checks.first)
        #expect(checks.count == 1)
        #expect(check.code == .keyKnownTestKey && check.status == .failed)
        #expect(check.message.contains("mcu-tools/mcuboot:root-ec-p256.pem"))
        #expect(check.message.contains("Zephyr"))
        #expect(Verdict(checks: checks) == .fail)
    }

    @Test func everyPublishedSampleKeyIsInTheBuiltInList() throws {
        let folder = try Self.folder()
        let index = try JSONDecoder().decode([IndexEntry].self, from: Data(contentsOf: folder.appendingPathComponent("index.json")))
        #expect(index.count == 76)
        for entry in index {
            let key = try PublicKey(contentsOf: folder.appendingPathComponent(entry.file).path)
            #expect(key.fingerprint == entry.spki_sha256, "\(entry.file)")
            let known = KnownTestKeys.lookup(fingerprint: key.fingerprint)
            #expect(known?.originRepository == entry.origin.repo, "\(entry.file) is missing from KnownTestKeyList.swift")
            #expect(known?.originPath == entry.origin.path, "\(entry.file)")
        }
    }
}
