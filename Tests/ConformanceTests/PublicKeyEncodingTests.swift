import Foundation
import FwgateTestSupport
import Testing

@testable import FirmwareCrypto

/// `PublicKey(spkiDER:)` re-encodes a key with OpenSSL's ASN.1 templates (`i2d_X509_PUBKEY`), not
/// its provider encoders (`i2d_PUBKEY`), which cost a tenth of a small verify (issue 10). The
/// DER is what a key's fingerprint, the trust store and the known-test-key list go by, so the
/// two must agree on every key, and reject the same bytes: every Wycheproof key (EC on three
/// curves in their test groups, Ed25519, RSA, RSA-PSS with and without parameters), every
/// published test key fwgate lists, every public key in testvectors/ and keys-example/, an EC
/// key with explicit curve parameters, and damaged keys.
@Suite(.enabled(if: Conformance.isConfigured, "set FWGATE_CONFORMANCE=../shared/conformance to run"))
struct PublicKeyEncodingTests {
    static func expectSameEncoding(_ der: Data, _ what: String) {
        let templates = (try? PublicKey(spkiDER: der))?.spkiDER
        let providers = PublicKey.providerEncodedSPKI(der)
        #expect(templates == providers, "\(what): \(templates?.hexString ?? "rejected") vs \(providers?.hexString ?? "rejected")")
    }

    struct WycheproofFile: Decodable {
        struct Group: Decodable { var publicKeyDer: String? }
        var testGroups: [Group]
    }

    @Test func wycheproofKeysEncodeAlike() throws {
        var keys = 0
        for name in WycheproofTests.files {
            let url = try Conformance.directory().appendingPathComponent("wycheproof/testvectors_v1/\(name)")
            let file = try JSONDecoder().decode(WycheproofFile.self, from: Data(contentsOf: url))
            for group in file.testGroups {
                let der = try #require(group.publicKeyDer.flatMap { Data(hexString: $0) })
                Self.expectSameEncoding(der, name)
                keys += 1
            }
        }
        #expect(keys > 1000)
    }

    /// Every `PUBLIC KEY` PEM block under a folder, as DER.
    static func publicKeys(under folder: URL) throws -> [(String, Data)] {
        var found: [(String, Data)] = []
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "pem", let bytes = try? Data(contentsOf: url), PEM.looksLikePEM(bytes) else { continue }
            for block in (try? PEM.decode(bytes)) ?? [] where block.label == "PUBLIC KEY" {
                found.append((url.lastPathComponent, block.der))
            }
        }
        return found
    }

    @Test func publishedProjectAndExampleKeysEncodeAlike() throws {
        let keys =
            try Self.publicKeys(under: Conformance.directory().appendingPathComponent("known-test-keys"))
            + Self.publicKeys(under: ProjectPaths.testVectors) + Self.publicKeys(under: ProjectPaths.keysExample)
        #expect(keys.count > 100)
        for (name, der) in keys { Self.expectSameEncoding(der, name) }
    }

    /// `openssl ecparam -name prime256v1 -param_enc explicit -genkey | openssl ec -pubout`:
    /// the curve written out as parameters instead of named.
    @Test func anExplicitParameterECKeyEncodesAlike() throws {
        let key = try ReferenceTool.runData(
            "sh", ["-c", "openssl ecparam -name prime256v1 -param_enc explicit -genkey | openssl ec -pubout -outform DER 2>/dev/null"])
        #expect(key.count > 200)
        Self.expectSameEncoding(key, "explicit-parameter P-256 key")
    }

    /// Cut, flipped and padded keys: both paths reject exactly the same ones.
    @Test func damagedKeysAreRejectedAlike() throws {
        let good = try #require(Self.publicKeys(under: ProjectPaths.keysExample).first?.1)
        var damaged: [Data] = [Data(), good + Data([0]), Data(good.dropLast())]
        for index in stride(from: 0, to: good.count, by: 3) {
            var flipped = good
            flipped[flipped.startIndex + index] ^= 0x41
            damaged.append(flipped)
        }
        for (index, der) in damaged.enumerated() { Self.expectSameEncoding(der, "damaged key \(index)") }
    }
}
