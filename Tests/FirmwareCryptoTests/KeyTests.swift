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

@Suite struct RSANumbersTests {
    @Test func rsaKeyRoundTripsThroughItsNumbers() throws {
        let vector = try #require(CryptoVectors.shared.keys.first { $0.type == "rsa" && $0.format == "spki-pem" })
        let key = try PublicKey(contentsOf: CryptoVectors.path(vector.file))
        let numbers = try #require(key.rsaNumbers)
        #expect(numbers.exponent == Data([0x01, 0x00, 0x01]))
        #expect(try PublicKey(rsaModulus: numbers.modulus, exponent: 65537) == key)
        #expect(try PublicKey(rsaModulus: numbers.modulus, exponent: 3) != key)
        #expect(throws: CryptoError.self) { try PublicKey(rsaModulus: Data(), exponent: 65537) }
    }

    /// rinv = 2^(2·bits) mod n and mdash = −n⁻¹ mod 2^32, checked against plain 64-bit
    /// arithmetic on a small odd modulus.
    @Test func montgomeryConstantsMatchArithmetic() throws {
        let n: UInt64 = 0xF123_4567_89AB_CDEF  // odd
        let modulus = withUnsafeBytes(of: n.bigEndian) { Data($0) }
        let constants = try #require(RSAMontgomery.constants(modulus: modulus, rSquaredBits: 128))
        // 2^128 mod n via repeated doubling in 128-bit arithmetic.
        var x: UInt64 = 1 % n
        for _ in 0..<128 {
            let (doubled, overflow) = x.addingReportingOverflow(x)
            x = (overflow || doubled >= n) ? doubled &- n : doubled
        }
        #expect(constants.rinv == withUnsafeBytes(of: x.bigEndian) { Data($0) })
        #expect(UInt32(truncatingIfNeeded: n) &* (0 &- constants.mdash) == 1)
        #expect(RSAMontgomery.constants(modulus: Data([0x10]), rSquaredBits: 8) == nil)  // even modulus
    }
}
