import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct TrustStoreTests {
    @Test func onlySelfSignedCertificatesBecomeAnchors() throws {
        let store = try TrustStore.load([
            TestVectors.path("crypto/chains/root.pem"), TestVectors.path("crypto/chains/intermediate.pem"),
            TestVectors.path("crypto/keys/p256.spki.pem"), TestVectors.path("crypto/chains/intermediate.crl.pem"),
        ])
        #expect(store.roots.map(\.subject) == (try Certificate.load(contentsOf: TestVectors.path("crypto/chains/root.pem"))).map(\.subject))
        #expect(store.intermediates.count == 1)
        #expect(store.keys.map(\.name) == ["p256"])
        #expect(store.crls.count == 1)
    }

    @Test func anIntermediateGivenAsTrustDoesNotAnchorAChain() throws {
        // With only the intermediate loaded through --trust, a leaf it issued must not validate.
        let store = try TrustStore.load([TestVectors.path("crypto/chains/intermediate.pem")])
        let leaf = try #require(try Certificate.load(contentsOf: TestVectors.path("crypto/chains/leaf-valid.pem")).first)
        let result = try ChainValidator.validate(
            ChainValidationRequest(
                leaf: leaf, intermediates: store.intermediates, roots: store.roots, at: RFC3339.parse("2026-06-01T00:00:00Z")!))
        #expect(!result.isValid)
    }

    @Test func privateKeysAndGarbageAreRefusedNamingTheFile() throws {
        for file in ["crypto/keys/garbage.bin", "mcuboot/keys/test-ecdsa-p256.priv.pem"] {
            let path = try TestVectors.path(file)
            do {
                _ = try TrustStore.load([path])
                Issue.record("\(file) was accepted as trust material")
            } catch {
                #expect(error.reason.hasPrefix(path))
            }
        }
        #expect(throws: FwgateError.self) { try TrustStore.load(["no/such/trust.pem"]) }
    }
}
