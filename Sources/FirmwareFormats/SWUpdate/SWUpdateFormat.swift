import FirmwareCrypto
import Foundation

extension FormatID {
    /// SWUpdate packages (`.swu`): a cpio archive led by sw-description.
    public static let swupdate: FormatID = "swupdate"
}

/// SWUpdate packages (sbabic/swupdate, doc "Update images from verified source"):
/// `fwgate verify PACKAGE.swu --trust ROOT.pem` (CMS) or `--trust KEY.pem` (RSA).
///
/// - sw-description.sig over sw-description: CMS chained to a `--trust` root with the
///   code-signing purpose at the context time, or RSA PKCS#1 v1.5 / PSS with SHA-256 by a
///   trusted key; an unsigned package fails;
/// - every image, file and script sw-description lists is in the archive and matches its
///   `sha256` (required of each); no member is unlisted;
/// - the cpio archive bounded: sw-description first, no duplicate, unsafe or non-file
///   members, nothing after the trailer, crc-format checksums.
public enum SWUpdateFormat: FirmwareFormat {
    public static let id: FormatID = .swupdate
    public static let name = "SWUpdate package"
    public static let detects = "a cpio archive (newc 070701 or crc 070702) with a member named sw-description"
    public static let verifies = [
        "sw-description.sig over sw-description: CMS to a trusted root (code signing), or RSA PKCS#1 v1.5 / PSS SHA-256 with a trusted key",
        "every listed image, file and script present with a matching sha256; no unlisted member",
        "cpio bounded: sw-description first, no duplicate, traversing or non-file members, nothing after the trailer, crc checksums",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedBadMagic, .malformedTruncated, .malformedEncoding, .malformedLength, .malformedUnsafePath, .malformedDuplicateEntry,
        .signatureInvalid, .signatureMissing, .signatureUnsupportedAlgorithm, .keyUntrusted, .certUntrustedChain, .certExpired,
        .certNotYetValid, .certRevoked, .certPurpose, .certCRLUnavailable, .algorithmWeak, .manifestEntryMismatch,
        .manifestMissingEntry, .manifestUnlistedEntry, .integrityUnverifiable, .integrityChecksumMismatch,
    ]

    /// cpio magic at 0 and a member named sw-description among the first 8 (the parser then
    /// insists that it comes first).
    public static func sniff(_ source: any ByteSource) -> Bool {
        var offset: Int64 = 0
        for _ in 0..<8 {
            guard offset + 110 <= source.count, let header = try? source.bytes(at: offset, length: 110) else { return false }
            let magic = String(decoding: header.prefix(6), as: UTF8.self)
            guard magic == "070701" || magic == "070702",
                let size = Int64(String(decoding: header.dropFirst(54).prefix(8), as: UTF8.self), radix: 16),
                let nameSize = Int64(String(decoding: header.dropFirst(94).prefix(8), as: UTF8.self), radix: 16), nameSize >= 1, nameSize <= 4096,
                let name = try? source.bytes(at: offset + 110, length: Int(min(nameSize, source.count - offset - 110)))
            else { return false }
            if name == Data("sw-description\0".utf8) { return true }
            offset = CpioArchive.align4(CpioArchive.align4(offset + 110 + nameSize) + size)
        }
        return false
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> SWUpdateDescription {
        try SWUpdateParser.parse(source)
    }

    /// SHA-256 of every member but sw-description and its signature, in the pipeline's one pass.
    public static func digestRequests(for description: SWUpdateDescription) -> [DigestRequest] {
        description.members.dropFirst(description.signed ? 2 : 1).map { DigestRequest(.sha256, $0.dataRange) }
    }

    public static func verify(_ description: SWUpdateDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        SWUpdateVerifier(description: description, input: input).result()
    }
}
