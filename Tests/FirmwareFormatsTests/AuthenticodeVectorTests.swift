@testable import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// Authenticode-signed EFI images made by osslsigncode and sbsign over PE files linked by GNU ld,
/// with tampered twins, through the production session; and the PE reader's limits.
@Suite struct AuthenticodeVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("authenticode")
        #expect(vectors.count == 29)
        #expect(vectors.filter { $0.verdict != "fail" }.count == 7)
    }

    @Test(arguments: FormatVectorSuite.vectors("authenticode"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        if vector.verdict != "fail" {
            #expect(report.signer?.subject?.contains("fwgate TEST authenticode") == true)
        }
    }

    static func image(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("authenticode/\(name)")))
    }

    static func parse(_ data: Data) throws(MalformedInput) -> AuthenticodeDescription {
        try AuthenticodeFormat.parse(MemoryByteSource(data))
    }

    /// What inspect shows: the PE kind, sections, and each signature with its nested one.
    @Test func nestedDescription() throws {
        let description = try Self.parse(try Self.image("nested.efi"))
        #expect(description.image.kind == "PE32+")
        #expect(description.image.machineName == "x86-64 (0x8664)")
        #expect(description.image.subsystemName == "EFI application (10)")
        #expect(description.image.sections.map(\.name).contains(".text"))
        #expect(description.signatures.count == 1)
        let signature = try #require(description.signatures.first?.signature)
        #expect(signature.imageDigestAlgorithm == "SHA256")
        #expect(signature.signer?.contains("fwgate TEST authenticode signer") == true)
        #expect(signature.nested.count == 1)
        #expect(signature.nested.first?.imageDigestAlgorithm == "SHA384")
        #expect(signature.nested.first?.signer?.contains("ECDSA") == true)
        #expect(description.trailingBytes == 0)
    }

    @Test func pe32AndTimestampDescription() throws {
        #expect(try Self.parse(try Self.image("signed32.efi")).image.kind == "PE32")
        let stamped = try #require(try Self.parse(try Self.image("timestamped.efi")).signatures.first?.signature?.timestamp)
        #expect(stamped.time.hasPrefix("2024-"))
        #expect(stamped.authority?.contains("time-stamping") == true)
    }

    /// The signer is validated at the trusted timestamp's time, and the report says so.
    @Test func trustedTimestampMovesTheValidationTime() throws {
        let vector = try #require(FormatVectorSuite.vectors("authenticode").first { $0.file == "timestamped.efi" })
        let report = try FormatVectorSuite.report(vector)
        let expired = try #require(report.checks.first { $0.code == .certExpired })
        #expect(expired.status == .passed)
        #expect(expired.message.contains("trusted RFC 3161 timestamp"))
        let untrusted = try #require(FormatVectorSuite.vectors("authenticode").first { $0.file == "timestamped-untrusted-tsa.efi" })
        let failing = try FormatVectorSuite.report(untrusted)
        #expect(failing.checks.first { $0.code == .certExpired && $0.status == .failed }?.message.contains("is not trusted") == true)
    }

    /// The CheckSum and the security directory entry are the only header bytes the digest skips.
    @Test func digestRangesSkipOnlyChecksumAndSecurityEntry() throws {
        let data = try Self.image("signed.efi")
        let image = try PEImage.parse(MemoryByteSource(data))
        let table = try #require(image.certificateTable)
        let ranges = image.digestRanges(fileSize: Int64(data.count))
        #expect(ranges.first?.lowerBound == 0)
        #expect(ranges.last?.upperBound == table.lowerBound)
        #expect(ranges.map { $0.count }.reduce(0, +) == Int(table.lowerBound) - 12)
    }

    /// The PE checksum as imagehlp computes it: osslsigncode stored it when signing.
    @Test func checksumMatchesTheSigningTool() throws {
        let data = try Self.image("signed.efi")
        let image = try PEImage.parse(MemoryByteSource(data))
        #expect(image.storedChecksum != 0)
        var checksum = PEChecksum(checksumOffset: image.checksumOffset)
        data.withUnsafeBytes { raw in
            // In two uneven pieces: a word split across chunks still adds up.
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[0..<1001]))
            checksum.update(UnsafeRawBufferPointer(rebasing: raw[1001...]))
        }
        #expect(checksum.finalize() == image.storedChecksum)
    }

    static func field(_ data: inout Data, at offset: Int, _ value: UInt32, bytes: Int) {
        for index in 0..<bytes { data[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    static func peOffset(_ data: Data) -> Int { Int(data[0x3c]) | Int(data[0x3d]) << 8 | Int(data[0x3e]) << 16 | Int(data[0x3f]) << 24 }

    /// Each header count or size that does not fit is refused by name, never half-read.
    @Test func headerLimits() throws {
        let original = try Self.image("signed.efi")
        let pe = Self.peOffset(original)
        func code(_ edit: (inout Data) -> Void) -> CheckCode? {
            var data = original
            edit(&data)
            do {
                _ = try Self.parse(data)
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code { Self.field(&$0, at: pe + 6, 97, bytes: 2) } == .malformedLength)  // NumberOfSections
        #expect(code { Self.field(&$0, at: pe + 6, 60, bytes: 2) } == .malformedLength)  // SizeOfHeaders no longer covers the table
        #expect(code { $0 = $0.prefix(pe + 24 + 240 + 20) } == .malformedTruncated)  // section table past the end
        #expect(code { Self.field(&$0, at: pe + 20, 0xffff, bytes: 2) } == .malformedTruncated)  // SizeOfOptionalHeader
        #expect(code { Self.field(&$0, at: pe + 20, 100, bytes: 2) } == .malformedLength)  // too short for PE32+
        #expect(code { Self.field(&$0, at: pe + 24, 0x10c, bytes: 2) } == .malformedBadMagic)  // optional magic
        #expect(code { Self.field(&$0, at: pe + 24 + 108, 17, bytes: 4) } == .malformedLength)  // NumberOfRvaAndSizes
        #expect(code { Self.field(&$0, at: pe + 24 + 60, 0x7fff_ffff, bytes: 4) } == .malformedLength)  // SizeOfHeaders
        #expect(code { Self.field(&$0, at: pe + 24 + 112 + 32, 0, bytes: 4) } == .malformedLength)  // table offset 0, size kept
        #expect(code { Self.field(&$0, at: pe + 24 + 112 + 32, 0x10, bytes: 4) } == .malformedLength)  // table inside the headers
        let table = try #require(try PEImage.parse(MemoryByteSource(original)).certificateTable)
        #expect(code { Self.field(&$0, at: Int(table.lowerBound), 0xffff_fff0, bytes: 4) } == .malformedLength)  // dwLength
        #expect(code { Self.field(&$0, at: Int(table.lowerBound), 4, bytes: 4) } == .malformedLength)
        #expect(code { $0 = $0.prefix(100) } == .malformedTruncated)
        #expect(code { $0 = $0.prefix(63) } == .malformedTruncated)
    }

    /// A certificate table of nine minimal entries is more than the reader takes.
    @Test func entryCountIsBounded() throws {
        var data = try Self.image("unsigned.efi")
        let pe = Self.peOffset(data)
        while data.count % 8 != 0 { data.append(0) }
        let start = data.count
        for _ in 0..<9 { data.append(contentsOf: [16, 0, 0, 0, 0, 2, 2, 0] + [UInt8](repeating: 0, count: 8)) }
        Self.field(&data, at: pe + 24 + 112 + 32, UInt32(start), bytes: 4)
        Self.field(&data, at: pe + 24 + 112 + 36, UInt32(9 * 16), bytes: 4)
        #expect(throws: MalformedInput.self) { _ = try Self.parse(data) }
        // Eight are read, each reported as not holding a signature.
        data = data.prefix(start + 8 * 16)
        Self.field(&data, at: pe + 24 + 112 + 36, UInt32(8 * 16), bytes: 4)
        let description = try Self.parse(data)
        #expect(description.signatures.count == 8)
        #expect(description.signatures.allSatisfy { $0.signature == nil && $0.problem != nil })
    }

    /// The DER length OpenSSL reads off a signature's header.
    @Test func derLength() {
        #expect(AuthenticodeSignature.derLength(Data([0x30, 0x03, 1, 2, 3, 0, 0])) == 5)
        #expect(AuthenticodeSignature.derLength(Data([0x30, 0x82, 0x01, 0x00, 1])) == nil)
        #expect(AuthenticodeSignature.derLength(Data([0x30, 0x80, 0, 0])) == nil)
        #expect(AuthenticodeSignature.derLength(Data([0x30])) == nil)
    }
}

extension AuthenticodeVectorTests {
    /// A SignedData whose digestAlgorithms names an algorithm OpenSSL does not know: the
    /// signature is not valid, said by name (the fuzz target found OpenSSL 3.0 leaking its copy
    /// of the content on this path when it was given a memory BIO).
    @Test func unknownDigestAlgorithmIsNotValid() throws {
        let data = try Self.image("signed.efi")
        let description = try Self.parse(data)
        let entry = try #require(description.image.certificates.first)
        var der = data.subdata(in: Int(entry.offset + 8)..<Int(entry.offset + entry.length))
        der = der.prefix(try #require(AuthenticodeSignature.derLength(der)))
        let sha256OID = Data([0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01])
        let first = try #require(der.range(of: sha256OID))  // SignedData.digestAlgorithms comes first
        der[first.upperBound - 1] = 0x7f
        let signature = try AuthenticodeSignature(der: der)
        let verification = try signature.verify(roots: [], at: Date(timeIntervalSince1970: 1_780_272_000))
        #expect(verification.result.signature != .valid)
    }
}

extension AuthenticodeVectorTests {
    /// Each rule that makes a timestamp trusted, broken alone: a timestamp that is not trusted
    /// leaves the signer to be judged at the context time (where timestamped.efi's leaf has
    /// expired), so any rule that let one through would pass an expired signer.
    @Test func timestampTrustRules() throws {
        let description = try Self.parse(try Self.image("timestamped.efi"))
        let signature = try #require(description.signatures.first?.decoded)
        let timestamp = try #require(signature.timestamp)
        let root = try Certificate.load(contentsOf: try TestVectors.path("authenticode/keys/root.pem"))
        let unrelated = try Certificate.load(contentsOf: try TestVectors.path("authenticode/keys/unrelated-root.pem"))
        let at = Date(timeIntervalSince1970: 1_780_272_000)  // 2026-06-01
        let good = try timestamp.verify(over: signature.signatureValue, roots: root, intermediates: signature.embeddedCertificates, at: at)
        #expect(good.trusted, "\(good.problem ?? "")")
        // Moved onto another signature: its imprint no longer matches.
        var other = signature.signatureValue
        other[0] ^= 1
        let moved = try timestamp.verify(over: other, roots: root, intermediates: signature.embeddedCertificates, at: at)
        #expect(!moved.trusted && moved.problem?.contains("another signature") == true)
        // Its authority not trusted.
        let untrusted = try timestamp.verify(over: signature.signatureValue, roots: unrelated, intermediates: signature.embeddedCertificates, at: at)
        #expect(!untrusted.trusted && untrusted.problem?.contains("not trusted") == true)
        // A time after the verification time.
        let early = try timestamp.verify(over: signature.signatureValue, roots: root, intermediates: signature.embeddedCertificates, at: timestamp.time - 1)
        #expect(!early.trusted && early.problem?.contains("after the verification time") == true)
        // And the signer is then judged at the context time: expired.
        let verification = try signature.verify(roots: unrelated, at: at)
        #expect(verification.timestamp?.trusted == false)
        #expect(verification.validationTime == at)
    }
}
