/// A stable, dotted, lowercase identifier of one kind of check (DESIGN.md "Stable check codes").
///
/// Tests and SIEM rules depend on these strings: add codes, never rename one. Every constant
/// lives in this file (generic codes) or in its format's folder (`extension CheckCode`), and
/// `CheckCodeTests` pins the full list (``all``) so that a rename fails CI.
/// A check's code names the rule; its ``Check/Status`` says how it came out, so a passed
/// signature check carries `signature.invalid` with status `passed`.
public struct CheckCode: RawRepresentable, Hashable, Sendable, Codable, Comparable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }
    public static func < (lhs: CheckCode, rhs: CheckCode) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The family: the part before the first dot (`malformed`, `cert`, ...).
    public var family: String { String(rawValue.prefix { $0 != "." }) }

    // MARK: malformed.* — the input cannot be what it claims to be

    /// The file ends before a length it declares.
    public static let malformedTruncated: CheckCode = "malformed.truncated"
    /// A magic number is wrong: the file is not of the detected or forced format.
    public static let malformedBadMagic: CheckCode = "malformed.bad-magic"
    /// A length or size field is inconsistent or overruns its container.
    public static let malformedLength: CheckCode = "malformed.length"
    /// A TLV or field that may appear once appears more than once.
    public static let malformedDuplicateTLV: CheckCode = "malformed.duplicate-tlv"
    /// A TLV sits in an area where the format forbids it.
    public static let malformedTLVPlacement: CheckCode = "malformed.tlv-placement"
    /// A certificate, key, CRL or CMS structure cannot be decoded.
    public static let malformedEncoding: CheckCode = "malformed.encoding"
    /// The format could not be recognised.
    public static let malformedUnknownFormat: CheckCode = "malformed.unknown-format"
    /// A record the format requires (e.g. MCUboot's image hash TLV) is absent.
    public static let malformedMissingTLV: CheckCode = "malformed.missing-tlv"
    /// A path from the input (an archive member's name, a TUF target path) that would leave the
    /// artifact: `..`, absolute, a backslash or NUL, or a link out of the folder.
    public static let malformedUnsafePath: CheckCode = "malformed.unsafe-path"
    /// An archive holds two members of the same name (which one a device installs would be
    /// ambiguous).
    public static let malformedDuplicateEntry: CheckCode = "malformed.duplicate-entry"

    // MARK: integrity.*

    /// A computed digest differs from the one the artifact declares.
    public static let integrityDigestMismatch: CheckCode = "integrity.digest-mismatch"
    /// A computed CRC differs from the declared one.
    public static let integrityCRCMismatch: CheckCode = "integrity.crc-mismatch"
    /// (warning; a failure when the policy says so) Bytes after the signed image that no
    /// signature or digest covers (not padding the format defines): someone could append code.
    public static let integrityUnsignedTrailingData: CheckCode = "integrity.unsigned-trailing-data"
    /// A computed simple checksum (e.g. ESP's XOR byte) differs from the declared one.
    public static let integrityChecksumMismatch: CheckCode = "integrity.checksum-mismatch"
    /// The integrity of the content cannot be checked (e.g. an encrypted image whose hash covers
    /// the plaintext): a failure, never a pass.
    public static let integrityUnverifiable: CheckCode = "integrity.unverifiable"

    // MARK: signature.*

    /// The signature does not verify (or could not be decoded as a signature).
    public static let signatureInvalid: CheckCode = "signature.invalid"
    /// No signature where one is required.
    public static let signatureMissing: CheckCode = "signature.missing"
    /// The signature uses an algorithm fwgate cannot check: a failure, never a skip.
    public static let signatureUnsupportedAlgorithm: CheckCode = "signature.unsupported-algorithm"

    // MARK: key.*

    /// The signing key is not in the trust store (or not in scope for this vendor/model).
    public static let keyUntrusted: CheckCode = "key.untrusted"
    /// A declared key hash does not match the key that is present.
    public static let keyHashMismatch: CheckCode = "key.hash-mismatch"
    /// The signer is a published test/sample key whose private half is public.
    public static let keyKnownTestKey: CheckCode = "key.known-test-key"

    // MARK: cert.*

    /// A certificate in the chain is past its notAfter at the verification time.
    public static let certExpired: CheckCode = "cert.expired"
    /// A certificate in the chain is before its notBefore at the verification time.
    public static let certNotYetValid: CheckCode = "cert.not-yet-valid"
    /// No valid path to a trusted root (missing issuer, bad signature, non-CA issuer, ...).
    public static let certUntrustedChain: CheckCode = "cert.untrusted-chain"
    /// A certificate in the chain is on a CRL.
    public static let certRevoked: CheckCode = "cert.revoked"
    /// The certificate may not be used for the requested purpose (code signing).
    public static let certPurpose: CheckCode = "cert.purpose"
    /// A CRL needed for the revocation check is missing, expired, not yet valid or badly signed.
    public static let certCRLUnavailable: CheckCode = "cert.crl-unavailable"
    /// (warning) A certificate expires inside the policy's warning window.
    public static let certExpiringSoon: CheckCode = "cert.expiring-soon"

    // MARK: algorithm.*

    /// MD5 or SHA-1 signatures, RSA below 2048 bits, EC below 256 bits (fail by default).
    public static let algorithmWeak: CheckCode = "algorithm.weak"

    // MARK: input.*

    /// The artifact could not be read (missing, unreadable, vanished during a batch).
    public static let inputUnreadable: CheckCode = "input.unreadable"

    // MARK: policy.*

    /// The artifact's format is not accepted by the policy for this vendor/model.
    public static let policyFormatNotAllowed: CheckCode = "policy.format-not-allowed"
    /// At procurement, the signer's chain stays valid for fewer days than the policy requires.
    public static let policyValidityTooShort: CheckCode = "policy.validity-too-short"
    /// Whether an unsigned image may pass: passed when signed, a warning when the policy lists
    /// the format under `unsignedFormatsUnsafe`.
    public static let policyUnsignedFormat: CheckCode = "policy.unsigned-format"

    // MARK: compatibility.*

    /// An update package's compatible device types (RAUC `compatible`, SWUpdate
    /// `hardware-compatibility`, Mender `device_type`) do not include what the policy's
    /// `compatible:` maps the device's model to.
    public static let compatibilityDeviceType: CheckCode = "compatibility.device-type"

    // MARK: rollback.*, metadata.*, manifest.*

    /// The candidate version is lower than the device's installed version.
    public static let rollbackVersion: CheckCode = "rollback.version"
    /// The candidate security counter is lower than the device's.
    public static let rollbackSecurityCounter: CheckCode = "rollback.security-counter"
    /// Signed metadata is past its expiry.
    public static let metadataExpired: CheckCode = "metadata.expired"
    /// Too few valid signatures for the metadata's threshold.
    public static let metadataThreshold: CheckCode = "metadata.threshold"
    /// A manifest entry's digest or size differs from the artifact's.
    public static let manifestEntryMismatch: CheckCode = "manifest.entry-mismatch"
    /// An artifact the manifest names is absent (or present but not named).
    public static let manifestMissingEntry: CheckCode = "manifest.missing-entry"
    /// A member of the package that the signed manifest does not list: nothing vouches for it.
    public static let manifestUnlistedEntry: CheckCode = "manifest.unlisted-entry"

    /// Every code defined in this file: the generic codes any format may report. A format's own
    /// codes live in its folder; ``all`` (FormatRegistry.swift) adds them.
    public static let generic: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedLength, .malformedDuplicateTLV, .malformedTLVPlacement,
        .malformedEncoding, .malformedUnknownFormat, .malformedMissingTLV, .malformedUnsafePath, .malformedDuplicateEntry,
        .integrityDigestMismatch, .integrityCRCMismatch, .integrityChecksumMismatch, .integrityUnverifiable,
        .integrityUnsignedTrailingData,
        .signatureInvalid, .signatureMissing, .signatureUnsupportedAlgorithm,
        .keyUntrusted, .keyHashMismatch, .keyKnownTestKey,
        .certExpired, .certNotYetValid, .certUntrustedChain, .certRevoked, .certPurpose, .certCRLUnavailable,
        .certExpiringSoon,
        .algorithmWeak,
        .inputUnreadable,
        .policyFormatNotAllowed, .policyValidityTooShort, .policyUnsignedFormat,
        .compatibilityDeviceType,
        .rollbackVersion, .rollbackSecurityCounter, .metadataExpired, .metadataThreshold,
        .manifestEntryMismatch, .manifestMissingEntry, .manifestUnlistedEntry,
    ]
}
