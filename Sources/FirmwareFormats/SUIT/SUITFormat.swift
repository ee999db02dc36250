import FirmwareCrypto
import Foundation

extension FormatID {
    /// SUIT manifests (RFC 9124 information model, draft-ietf-suit-manifest CBOR envelope).
    public static let suit: FormatID = "suit"
}

/// SUIT envelopes (draft-ietf-suit-manifest-25, RFC 9124): `fwgate verify MANIFEST.suit
/// [--payload IMAGE] --trust KEY.pem`.
///
/// - the authentication wrapper's SUIT_Digest matches the manifest (`integrity.digest-mismatch`);
/// - a COSE_Sign1 (RFC 9052) over that digest verifies with a trusted ES256, ES384 or EdDSA key
///   (`signature.*`, `key.untrusted`);
/// - each image (an integrated payload, or `--payload`) has the manifest's image digest
///   (`integrity.digest-mismatch`) and size (`manifest.entry-mismatch`);
/// - the signed manifest is deterministically encoded CBOR, with definite lengths and no
///   duplicate keys (`malformed.encoding`);
/// - the sequence number is the security counter: with `--device`, the policy's
///   `rollback.security-counter` rule compares it with the device's.
///
/// No SUIT-specific check codes: every rule has a generic code that says what failed.
public enum SUITFormat: FirmwareFormat {
    public static let id: FormatID = .suit
    public static let name = "SUIT manifest"
    public static let detects = "a CBOR map (tag 107 optional) starting with key 2 (suit-authentication-wrapper) or 1 (delegation) as a byte string"
    public static let verifies = [
        "the authentication wrapper's SUIT_Digest (SHA-256/384/512) over the manifest",
        "a COSE_Sign1 (ES256, ES384, EdDSA; alg protected) over that digest with a trusted key",
        "manifest version 1, deterministic CBOR, definite lengths, no duplicate keys, bounded depth",
        "each image's digest and size: an integrated payload or the --payload file",
        "severed members against their digests; envelope members nothing covers are reported",
        "the sequence number as the security counter (rollback.security-counter with --device)",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedLength, .malformedEncoding,
        .integrityDigestMismatch, .integrityUnverifiable, .integrityUnsignedTrailingData,
        .signatureInvalid, .signatureMissing, .signatureUnsupportedAlgorithm, .keyUntrusted,
        .manifestEntryMismatch, .manifestMissingEntry,
    ]
    public static let companionRoles: Set<Artifact.Role> = [.payload]

    /// `0xd8 0x6b` (tag 107) then a map, or a map directly, whose first key is 1 or 2 and whose
    /// first value (for key 2) is a byte string.
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard let head = try? source.bytes(at: 0, length: Int(min(source.count, 8))) else { return false }
        var bytes = [UInt8](head)
        if bytes.starts(with: [0xd8, 0x6b]) { bytes.removeFirst(2) }
        guard bytes.count >= 3, bytes[0] >> 5 == 5, bytes[0] & 0x1f != 31 else { return false }
        var index = 1
        switch bytes[0] & 0x1f {
        case 24: index = 2
        case 25: index = 3
        case 26, 27: return false
        default: break
        }
        guard bytes.count > index + 1 else { return false }
        let key = bytes[index]
        let value = bytes[index + 1]
        return (key == 0x02 || key == 0x01) && value >> 5 == 2
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> SUITDescription {
        try SUITDescription.parse(source)
    }

    /// The manifest (head included), each severed member the envelope carries, and each
    /// integrated image, with the algorithms their digests declare. A `--payload` image is
    /// hashed by the verifier (the pipeline hashes the primary file only).
    public static func digestRequests(for description: SUITDescription) -> [DigestRequest] {
        let material = description.material
        var requests: [DigestRequest] = []
        if let algorithm = description.manifestDigest.digestAlgorithm { requests.append(DigestRequest(algorithm, material.manifestRange)) }
        for element in material.severed {
            if let algorithm = element.declared.digestAlgorithm { requests.append(DigestRequest(algorithm, element.range)) }
        }
        for component in description.components {
            if let range = material.integratedImages[component.index], let algorithm = component.imageDigest?.digestAlgorithm {
                requests.append(DigestRequest(algorithm, range))
            }
        }
        return requests
    }

    public static func verify(_ description: SUITDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        SUITVerifier(description: description, input: input).verify()
    }
}
