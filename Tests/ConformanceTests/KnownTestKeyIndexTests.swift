import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The built-in deny-list against the published sample keys themselves
/// (`../shared/conformance/known-test-keys/`): run only when `FWGATE_CONFORMANCE` is set. A plain
/// run pins the list's size and a sample of its fingerprints (`KnownTestKeyListTests`).
@Suite(.enabled(if: Conformance.isConfigured, "set FWGATE_CONFORMANCE=../shared/conformance to run"))
struct KnownTestKeyIndexTests {

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
