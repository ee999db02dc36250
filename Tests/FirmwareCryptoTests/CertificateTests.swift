import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

@Suite struct CertificateTests {
    @Test(arguments: CryptoVectors.shared.certificates)
    func certificateIsDescribedAsOpenSSLPrintsIt(_ vector: CryptoVectors.CertificateVector) throws {
        let certificate = try #require(try Certificate.load(contentsOf: CryptoVectors.path(vector.file)).first)
        let info = certificate.info
        #expect(info.subject == vector.subject)
        #expect(info.issuer == vector.issuer)
        #expect(info.serial == vector.serial)
        #expect(info.notBefore == CryptoVectors.date(vector.notBefore))
        #expect(info.notAfter == CryptoVectors.date(vector.notAfter))
        #expect(info.keyType == vector.keyType)
        #expect(info.keyBits == vector.keyBits)
        #expect(info.curve == vector.curve)
        #expect(info.signatureAlgorithm == vector.signatureAlgorithm)
        #expect(info.subjectAltNames == vector.subjectAltNames)
        #expect(info.keyUsage.map(Set.init) == vector.keyUsage.map(Set.init))
        // expected.json writes [] for "no extension".
        #expect((info.extendedKeyUsage ?? []) == (vector.extendedKeyUsage ?? []))
        #expect(info.isCA == vector.isCA)
        #expect(info.pathLength == vector.pathLength)
        #expect(info.sha256 == vector.sha256)
    }

    @Test(arguments: ["keys/garbage.bin", "keys/empty.pem", "keys/truncated.pem", "keys/wrong-type.pem"])
    func nonCertificateFilesAreClearErrors(_ file: String) throws {
        let path = try CryptoVectors.path(file)
        do {
            _ = try Certificate.load(contentsOf: path)
            Issue.record("\(file) loaded as a certificate")
        } catch {
            #expect(error.code == .malformedInput)
            #expect(error.reason.hasPrefix(path))
        }
    }

    @Test func pemBundleYieldsEveryCertificateInOrder() throws {
        let root = try CryptoVectors.certificates(["chains/root.pem"])
        let intermediate = try CryptoVectors.certificates(["chains/intermediate.pem"])
        let bundle = Data((root + intermediate).map { String(decoding: pem($0.der), as: UTF8.self) }.joined().utf8)
        let parsed = try Certificate.parseAll(bundle)
        #expect(parsed == root + intermediate)
    }

    private func pem(_ der: Data) -> Data {
        let body = der.base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return Data("-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n".utf8)
    }
}
