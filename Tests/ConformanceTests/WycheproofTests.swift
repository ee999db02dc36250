import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

/// Every Wycheproof ECDSA / Ed25519 / RSA PKCS#1 / RSA-PSS vector through the same
/// `PublicKey.verify` production uses. `valid` must verify; `invalid` must come back invalid or
/// malformed, never valid; `acceptable` may go either way.
@Suite(.enabled(if: Conformance.isConfigured, "set FWGATE_CONFORMANCE=../shared/conformance to run"))
struct WycheproofTests {
    static let files = [
        "ecdsa_secp256r1_sha256_test.json", "ecdsa_secp256r1_sha256_p1363_test.json",
        "ecdsa_secp384r1_sha384_test.json", "ecdsa_secp384r1_sha384_p1363_test.json",
        "ecdsa_secp521r1_sha512_test.json", "ecdsa_secp521r1_sha512_p1363_test.json",
        "ed25519_test.json",
        "rsa_signature_2048_sha256_test.json", "rsa_signature_3072_sha256_test.json",
        "rsa_pss_2048_sha256_mgf1_32_test.json", "rsa_pss_2048_sha256_mgf1_32_params_test.json",
        "rsa_pss_3072_sha256_mgf1_32_test.json", "rsa_pss_3072_sha256_mgf1_32_params_test.json",
        "rsa_pss_misc_test.json", "rsa_pss_misc_params_test.json",
    ]

    struct File: Decodable {
        var algorithm: String
        var numberOfTests: Int
        var testGroups: [Group]
    }

    struct Group: Decodable {
        var type: String
        var publicKeyDer: String?
        var sha: String?
        var mgfSha: String?
        var sLen: Int?
        var tests: [Vector]
    }

    struct Vector: Decodable {
        var tcId: Int
        var comment: String
        var msg: String
        var sig: String
        var result: String
    }

    static func digest(_ name: String?) -> DigestAlgorithm? { name.flatMap(DigestAlgorithm.init(name:)) }

    static func scheme(for group: Group) throws -> SignatureScheme {
        switch group.type {
        case "EcdsaVerify": return .ecdsa(try #require(digest(group.sha)), encoding: .der)
        case "EcdsaP1363Verify": return .ecdsa(try #require(digest(group.sha)), encoding: .raw)
        case "EddsaVerify": return .ed25519
        case "RsassaPkcs1Verify": return .rsaPKCS1v15(try #require(digest(group.sha)))
        case "RsassaPssVerify", "RsassaPssWithParametersVerify":
            return .rsaPSS(try #require(digest(group.sha)), saltLength: .bytes(try #require(group.sLen)), mgf1: digest(group.mgfSha))
        default: throw TestSupportError("unknown group type \(group.type)")
        }
    }

    @Test(arguments: files)
    func everyVectorGetsTheExpectedAnswer(_ name: String) throws {
        let url = try Conformance.directory().appendingPathComponent("wycheproof/testvectors_v1/\(name)")
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        var ran = 0
        var valid = 0
        var rejected = 0
        var acceptable = 0
        for group in file.testGroups {
            let der = try #require(group.publicKeyDer.flatMap { Data(hexString: $0) }, "\(name): group without publicKeyDer")
            let key = try PublicKey(spkiDER: der)
            let scheme = try Self.scheme(for: group)
            for vector in group.tests {
                ran += 1
                let answer = key.verify(
                    signature: try #require(Data(hexString: vector.sig)), over: .message(try #require(Data(hexString: vector.msg))),
                    scheme: scheme)
                switch vector.result {
                case "valid":
                    #expect(answer == .valid, "\(name) tcId \(vector.tcId) (\(vector.comment)): \(answer)")
                    if answer == .valid { valid += 1 }
                case "invalid":
                    #expect(answer != .valid, "\(name) tcId \(vector.tcId) (\(vector.comment)) verified but is invalid")
                    if case .unsupported = answer {
                        Issue.record("\(name) tcId \(vector.tcId): unsupported \(answer)")
                    }
                    if answer != .valid { rejected += 1 }
                default:
                    acceptable += 1
                }
            }
        }
        #expect(ran == file.numberOfTests)
        print("wycheproof \(name): \(ran) vectors, \(valid) valid verified, \(rejected) invalid rejected, \(acceptable) acceptable")
    }
}
