/// What a passed check is called in human output. A code names the rule by its failure
/// (`integrity.digest-mismatch`), which reads wrongly next to "passed": people see "digest
/// matches" instead. JSON keeps the code.
extension CheckCode {
    /// The phrases of the generic codes in `CheckCode.swift`; a format adds its own codes'
    /// phrases with ``FirmwareFormat/passPhrases``.
    public static let genericPassPhrases: [CheckCode: String] = [
        .malformedTruncated: "lengths within the file",
        .malformedBadMagic: "magic numbers correct",
        .malformedLength: "length fields consistent",
        .malformedDuplicateTLV: "no duplicate TLVs",
        .malformedTLVPlacement: "TLVs where allowed",
        .malformedEncoding: "encodings decode",
        .malformedUnsafePath: "paths stay inside the artifact",
        .malformedDuplicateEntry: "no duplicate members",
        .malformedUnknownFormat: "format recognised",
        .malformedMissingTLV: "required TLVs present",
        .integrityDigestMismatch: "digest matches",
        .integrityCRCMismatch: "CRC matches",
        .integrityChecksumMismatch: "checksum matches",
        .integrityUnverifiable: "integrity checkable",
        .integrityUnsignedTrailingData: "no unsigned trailing data",
        .signatureInvalid: "signature valid",
        .signatureMissing: "signature present",
        .signatureUnsupportedAlgorithm: "signature algorithm supported",
        .keyUntrusted: "signing key trusted",
        .keyHashMismatch: "key hash matches",
        .keyKnownTestKey: "not a known test key",
        .certExpired: "certificates in date",
        .certNotYetValid: "certificates already valid",
        .certUntrustedChain: "chain to a trusted root",
        .certRevoked: "not revoked",
        .certPurpose: "purpose allowed",
        .certCRLUnavailable: "CRLs available",
        .certExpiringSoon: "not expiring soon",
        .algorithmWeak: "algorithms strong enough",
        .inputUnreadable: "input readable",
        .policyFormatNotAllowed: "format allowed",
        .policyValidityTooShort: "validity long enough",
        .policyUnsignedFormat: "signed (or unsigned allowed)",
        .compatibilityDeviceType: "made for this device type",
        .rollbackVersion: "no version rollback",
        .rollbackSecurityCounter: "no security-counter rollback",
        .metadataExpired: "metadata current",
        .metadataThreshold: "signature threshold met",
        .manifestEntryMismatch: "manifest entries match",
        .manifestMissingEntry: "manifest complete",
        .manifestUnlistedEntry: "every member listed",
    ]

    /// The phrase for this code when its check passed: the generic table, then the registered
    /// formats', then the code itself.
    public var passPhrase: String {
        if let phrase = Self.genericPassPhrases[self] { return phrase }
        for format in FormatRegistry.formats {
            if let phrase = format.passPhrases[self] { return phrase }
        }
        return rawValue
    }
}
