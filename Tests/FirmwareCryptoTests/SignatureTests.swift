import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

@Suite struct SignatureTests {
    static func scheme(_ vector: CryptoVectors.SignatureVector) throws -> SignatureScheme {
        let hash = vector.hash.flatMap(DigestAlgorithm.init(name:))
        switch vector.scheme {
        case "ed25519": return .ed25519
        case "rsa-pkcs1v15": return .rsaPKCS1v15(try #require(hash))
        case "ecdsa":
            return .ecdsa(try #require(hash), encoding: vector.signatureEncoding == "raw" ? .raw : .der)
        case "rsa-pss":
            let salt: PSSSaltLength
            switch vector.pssSaltLength {
            case .named("max"): salt = .maximum
            case .named("auto"): salt = .auto
            case .bytes(let n): salt = .bytes(n)
            default: salt = .digestLength
            }
            return .rsaPSS(try #require(hash), saltLength: salt)
        default:
            throw TestSupportError("unknown scheme \(vector.scheme)")
        }
    }

    @Test(arguments: CryptoVectors.shared.signatures)
    func signatureGivesTheExpectedAnswer(_ vector: CryptoVectors.SignatureVector) throws {
        let key = try PublicKey(
            contentsOf: CryptoVectors.path(vector.key), format: PublicKeyFormat(rawValue: vector.keyFormat),
            curve: vector.curve.flatMap(ECCurve.init(name:)))
        let message = try #require(Data(hexString: vector.messageHex))
        let signature = try #require(Data(hexString: vector.signatureHex))
        let input: SignedInput = vector.input == "digest" ? .digest(message) : .message(message)
        let answer = key.verify(signature: signature, over: input, scheme: try Self.scheme(vector))
        switch vector.result {
        case "valid": #expect(answer == .valid)
        case "invalid": #expect(answer == .invalid, "\(answer)")
        case "malformed":
            guard case .malformed = answer else {
                Issue.record("expected malformed, got \(answer)")
                return
            }
        default: Issue.record("unknown result \(vector.result)")
        }
    }

    @Test func aSchemeTheKeyCannotMakeIsUnsupportedNotValid() throws {
        let vector = try #require(CryptoVectors.shared.signatures.first { $0.scheme == "ed25519" && $0.result == "valid" })
        let key = try PublicKey(contentsOf: CryptoVectors.path(vector.key), format: .ed25519Raw)
        let answer = key.verify(
            signature: Data(hexString: vector.signatureHex)!, over: .message(Data(hexString: vector.messageHex)!),
            scheme: .ecdsa(.sha256, encoding: .der))
        guard case .unsupported = answer else {
            Issue.record("expected unsupported, got \(answer)")
            return
        }
        let digestAnswer = key.verify(signature: Data(count: 64), over: .digest(Data(count: 32)), scheme: .ed25519)
        guard case .unsupported = digestAnswer else {
            Issue.record("Ed25519 over a digest must be unsupported, got \(digestAnswer)")
            return
        }
    }

    @Test func aDigestOfTheWrongLengthIsMalformed() throws {
        let vector = try #require(CryptoVectors.shared.signatures.first { $0.scheme == "ecdsa" && $0.input == "digest" && $0.result == "valid" })
        let key = try PublicKey(contentsOf: CryptoVectors.path(vector.key), format: PublicKeyFormat(rawValue: vector.keyFormat))
        let answer = key.verify(signature: Data(hexString: vector.signatureHex)!, over: .digest(Data(count: 20)), scheme: .ecdsa(.sha256, encoding: .der))
        guard case .malformed = answer else {
            Issue.record("expected malformed, got \(answer)")
            return
        }
    }
}
