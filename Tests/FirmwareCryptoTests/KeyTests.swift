import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

@Suite struct KeyTests {
    @Test(arguments: CryptoVectors.shared.keys)
    func keyLoadsWithFingerprintTypeAndSize(_ vector: CryptoVectors.KeyVector) throws {
        let format = try #require(PublicKeyFormat(rawValue: vector.format))
        let key = try PublicKey(
            contentsOf: CryptoVectors.path(vector.file), format: format, curve: vector.curve.flatMap(ECCurve.init(name:)))
        #expect(key.fingerprint == vector.fingerprint)
        #expect(key.algorithm.family == vector.type)
        #expect(key.algorithm.bits == vector.bits)
        if let curve = vector.curve { #expect(key.algorithm.curve?.rawValue == curve) }
        // PEM/DER/certificate files are also found without a format hint.
        if ![.ed25519Raw, .ecPointRaw].contains(format) {
            #expect(try PublicKey(contentsOf: CryptoVectors.path(vector.file)).fingerprint == vector.fingerprint)
        }
    }

    @Test(arguments: CryptoVectors.shared.badKeys)
    func badKeyFileIsAClearErrorNamingTheFile(_ vector: CryptoVectors.BadKey) throws {
        let path = try CryptoVectors.path(vector.file)
        do {
            _ = try PublicKey(contentsOf: path)
            Issue.record("\(vector.file) loaded as a key (\(vector.why))")
        } catch {
            #expect(error.code == .malformedInput)
            #expect(error.reason.hasPrefix(path))
        }
    }

    @Test func rawKeysOfTheWrongLengthAreRefused() {
        #expect(throws: CryptoError(.malformedInput, "")) { try PublicKey(rawEd25519: Data(count: 31)) }
        #expect(throws: CryptoError(.malformedInput, "")) { try PublicKey(rawECPoint: Data([4] + Array(repeating: 1, count: 64)), curve: .p384) }
        // A point that is not on the curve.
        #expect(throws: CryptoError(.malformedInput, "")) { try PublicKey(rawECPoint: Data([4] + Array(repeating: 1, count: 64)), curve: .p256) }
    }

    @Test func privateKeyPEMIsRefusedWithAHint() throws {
        let pem = """
            -----BEGIN PRIVATE KEY-----
            MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpgqEr0ryzsLERJxWmXs2kZcDusAxyuf2B
            -----END PRIVATE KEY-----
            """
        do {
            _ = try PublicKey(bytes: Data(pem.utf8))
            Issue.record("a private key was accepted")
        } catch {
            #expect(error.code == .malformedInput)
        }
    }

    @Test func weakKeySizes() {
        #expect(KeyAlgorithm.rsa(bits: 1024).isWeak)
        #expect(!KeyAlgorithm.rsa(bits: 2048).isWeak)
        #expect(KeyAlgorithm.ec(curve: .p192).isWeak)
        #expect(!KeyAlgorithm.ec(curve: .p256).isWeak)
        #expect(!KeyAlgorithm.ed25519.isWeak)
    }
}
