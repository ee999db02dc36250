import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

/// The model of `testvectors/crypto/expected.json`.
struct CryptoVectors: Decodable {
    struct Message: Decodable {
        var ascii: String?
        var hex: String?
        var repeatAscii: String?
        var count: Int?

        var bytes: Data {
            if let ascii { return Data(ascii.utf8) }
            if let hex { return Data(hexString: hex)! }
            if let repeatAscii, let count { return Data(String(repeating: repeatAscii, count: count).utf8) }
            return Data()
        }
    }

    struct DigestVector: Decodable, CustomTestStringConvertible {
        var name: String
        var source: String
        var algorithm: String
        var message: Message
        var digest: String
        var testDescription: String { name }
    }

    struct KeyVector: Decodable, CustomTestStringConvertible {
        var file: String
        var format: String
        var curve: String?
        var type: String
        var bits: Int
        var fingerprint: String
        var testDescription: String { file }
    }

    struct BadKey: Decodable, CustomTestStringConvertible {
        var file: String
        var why: String
        var testDescription: String { file }
    }

    struct SignatureVector: Decodable, CustomTestStringConvertible {
        var name: String
        var source: String?
        var key: String
        var keyFormat: String
        var curve: String?
        var scheme: String
        var hash: String?
        var pssSaltLength: SaltLength?
        var signatureEncoding: String?
        var input: String
        var messageHex: String
        var signatureHex: String
        var result: String
        var testDescription: String { name }
    }

    enum SaltLength: Decodable {
        case named(String)
        case bytes(Int)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let n = try? container.decode(Int.self) { self = .bytes(n) } else { self = .named(try container.decode(String.self)) }
        }
    }

    struct CertificateVector: Decodable, CustomTestStringConvertible {
        var file: String
        var subject: String
        var issuer: String
        var serial: String
        var notBefore: String
        var notAfter: String
        var keyType: String
        var keyBits: Int
        var curve: String?
        var signatureAlgorithm: String
        var subjectAltNames: [String]
        var keyUsage: [String]?
        var extendedKeyUsage: [String]?
        var isCA: Bool
        var pathLength: Int?
        var sha256: String
        var testDescription: String { file }
    }

    struct ChainVector: Decodable, CustomTestStringConvertible {
        var name: String
        var leaf: String
        var intermediates: [String]
        var roots: [String]
        var crls: [String]
        var crlCheck: String
        var purpose: String?
        var at: String
        var verdict: String
        var failed: [String]
        var warnings: [String]
        var opensslErrors: [String]
        var why: String?
        var testDescription: String { name }
    }

    struct CMSVector: Decodable, CustomTestStringConvertible {
        var name: String
        var file: String
        var encoding: String
        var detachedContent: String?
        var roots: [String]
        var intermediates: [String]
        var at: String
        var purpose: String?
        var verdict: String
        var failed: [String]
        var signerSubject: String?
        var why: String?
        var testDescription: String { name }
    }

    var digests: [DigestVector]
    var keys: [KeyVector]
    var badKeys: [BadKey]
    var signatures: [SignatureVector]
    var certificates: [CertificateVector]
    var chains: [ChainVector]
    var cms: [CMSVector]

    /// Loaded once. If the file is missing or undecodable the parameterised tests get no
    /// arguments, and `ExpectedFileTests` fails saying why (a crash would hide every other test).
    static let loaded: Result<CryptoVectors, any Error> = Result {
        try TestVectors.decode(CryptoVectors.self, from: "crypto/expected.json")
    }

    static var shared: CryptoVectors {
        (try? loaded.get()) ?? CryptoVectors(digests: [], keys: [], badKeys: [], signatures: [], certificates: [], chains: [], cms: [])
    }

    static func path(_ relative: String) throws -> String { try TestVectors.path("crypto/" + relative) }

    static func certificates(_ files: [String]) throws -> [Certificate] {
        try files.flatMap { try Certificate.load(contentsOf: path($0)) }
    }

    static func date(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)!
    }
}

@Suite struct ExpectedFileTests {
    @Test func expectedJSONLoadsAndListsEveryCase() throws {
        let vectors = try CryptoVectors.loaded.get()
        // What generate.sh / build_expected.py made (its closing summary line), exactly: a
        // vector that goes missing or fails to decode must not go unnoticed.
        #expect(vectors.digests.count == 31)
        #expect(vectors.keys.count == 22)
        #expect(vectors.badKeys.count == 4)
        #expect(vectors.signatures.count == 76)
        #expect(vectors.certificates.count == 23)
        #expect(vectors.chains.count == 16)
        #expect(vectors.cms.count == 8)
    }
}
