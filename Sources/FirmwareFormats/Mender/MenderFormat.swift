import FirmwareCrypto
import Foundation

extension FormatID {
    /// Mender artifacts, format version 3 (`mender-artifact write`).
    public static let mender: FormatID = "mender"
}

/// Mender OTA artifacts (format version 3): `fwgate verify ARTIFACT.mender --trust KEY.pem`.
/// Verified as `mender-artifact validate -k` does, and stricter:
///
/// - `manifest.sig` (RSA PKCS#1 v1.5 SHA-256, ECDSA P-256 DER or r‖s, Ed25519) over `manifest`
///   with a trusted key; a missing signature fails (stripping it is an attack);
/// - every member (`version`, the header) and every file inside each data archive matches its
///   manifest line, every line is matched, and nothing is unlisted;
/// - gzip through zlib with an output cap; no duplicate, unsafe or non-file members.
public enum MenderFormat: FirmwareFormat {
    public static let id: FormatID = .mender
    public static let name = "Mender artifact"
    public static let detects = "a tar archive whose first member is 'version' holding {\"format\": \"mender\"}"
    public static let verifies = [
        "manifest.sig over the manifest (RSA PKCS#1 v1.5 SHA-256, ECDSA P-256, Ed25519) with a trusted key; an unsigned artifact fails",
        "version, header and every payload file inside the data archives against their manifest SHA-256, streamed",
        "every manifest line matched; no member or payload file the manifest does not list (augment content is unsigned)",
        "tar and gzip bounded: no duplicate, traversing or non-file members, no compression bomb",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedEncoding, .malformedLength, .malformedUnsafePath, .malformedDuplicateEntry,
        .signatureInvalid, .signatureMissing, .keyUntrusted, .manifestEntryMismatch, .manifestMissingEntry, .manifestUnlistedEntry,
        .integrityUnverifiable,
    ]

    /// A ustar header whose first member is named `version`.
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard source.count >= 1024, let head = try? source.bytes(at: 0, length: 512) else { return false }
        let bytes = [UInt8](head)
        let name = bytes[0..<100].prefix { $0 != 0 }
        return Array(name) == Array("version".utf8) && (Array(bytes[257..<262]) == Array("ustar".utf8))
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> MenderDescription {
        try MenderParser.parse(source)
    }

    /// SHA-256 of each outer member the manifest covers directly (not the data archives, whose
    /// files are hashed as they inflate), in the pipeline's one pass.
    public static func digestRequests(for description: MenderDescription) -> [DigestRequest] {
        description.members.filter { !MenderVerifier.isDataArchive($0.name) && !MenderVerifier.unhashed.contains($0.name) }
            .map { DigestRequest(.sha256, $0.offset..<($0.offset + $0.size)) }
    }

    public static func verify(_ description: MenderDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        MenderVerifier(description: description, input: input).result()
    }
}
