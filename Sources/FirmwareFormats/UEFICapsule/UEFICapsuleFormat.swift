import FirmwareCrypto
import Foundation

extension FormatID {
    /// UEFI FMP capsules (`mkeficapsule`, EDK II GenerateCapsule).
    public static let uefiCapsule: FormatID = "uefi-capsule"
}

/// UEFI firmware-management capsules (UEFI 2.10 §23.3): `fwgate verify FILE.capsule --trust
/// SIGNER.pem`. Each payload item's EFI_FIRMWARE_IMAGE_AUTHENTICATION is verified as EDK II's
/// FmpAuthenticationLibPkcs7 and U-Boot's efi_capsule_authenticate do: the PKCS#7 signature in
/// WIN_CERTIFICATE_UEFI_GUID over the image payload followed by the 8-byte monotonic count,
/// chained to a trusted certificate, at the context time. Stricter: unsigned items, embedded
/// drivers (code no signature covers), SHA-1/MD5 digests and bytes after the capsule fail.
public enum UEFICapsuleFormat: FirmwareFormat {
    public static let id: FormatID = .uefiCapsule
    public static let name = "UEFI FMP capsule"
    public static let detects = "EFI_FIRMWARE_MANAGEMENT_CAPSULE_ID_GUID (6dcbd5ed-e82d-4c44-bda1-7194199ad92a) at offset 0"
    public static let verifies = [
        "capsule, FMP and image headers: sizes and item offsets inside the capsule",
        "each item's PKCS#7 (WIN_CERTIFICATE_UEFI_GUID) over payload + monotonic count, chained to a trusted certificate at the context time",
        "no unsigned item, no embedded driver or vendor code, no SHA-1/MD5 digest, nothing after CapsuleImageSize",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedBadMagic, .malformedTruncated, .malformedLength, .malformedEncoding, .signatureInvalid, .signatureMissing,
        .signatureUnsupportedAlgorithm, .certUntrustedChain, .certExpired, .certNotYetValid, .certRevoked, .certPurpose,
        .certCRLUnavailable, .algorithmWeak, .integrityUnsignedTrailingData, .integrityUnverifiable,
    ]

    public static func sniff(_ source: any ByteSource) -> Bool {
        (try? source.bytes(at: 0, length: 16)) == UEFIGUID.fmpCapsule
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> UEFICapsuleDescription {
        try UEFICapsuleParser.parse(source)
    }

    /// None: OpenSSL hashes each payload while it verifies (CMS_verify over the joined bytes).
    public static func digestRequests(for description: UEFICapsuleDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: UEFICapsuleDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        UEFICapsuleVerifier(description: description, input: input).result()
    }
}

/// The rules of a capsule, one function each.
struct UEFICapsuleVerifier {
    let description: UEFICapsuleDescription
    let input: FormatVerificationInput
    var subject: String { input.path }

    func result() -> FormatVerificationResult {
        var checks: [Check] = []
        var signer: Signer?
        var key: PublicKey?
        var expiry: Date?
        if description.embeddedDrivers > 0 {
            checks.append(
                .failed(
                    .integrityUnverifiable, subject: subject,
                    "the capsule embeds \(description.embeddedDrivers) UEFI driver(s): firmware would run code that no signature covers"))
        }
        for (index, item) in description.items.enumerated() {
            if item.vendorCodeSize > 0 {
                // UEFI 2.10 §23.3: vendor code follows the image and is handed to the FMP driver;
                // the image authentication covers the image only.
                checks.append(
                    .failed(
                        .integrityUnverifiable, subject: subject,
                        "payload item \(index) carries \(item.vendorCodeSize) bytes of vendor code after its image, which no signature covers"))
            }
            let outcome = itemChecks(item, index: index)
            checks += outcome.checks
            signer = signer ?? outcome.signer
            key = key ?? outcome.key
            expiry = [expiry, outcome.expiry].compactMap { $0 }.min()
        }
        checks.append(trailingBytes())
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : signer, signed: description.items.contains(where: \.authenticated), earliestExpiry: expiry,
            signingKey: key)
    }

    /// UEFI 2.10 §23.3.3: the PKCS#7 signs the image payload followed by MonotonicCount.
    func itemChecks(_ item: UEFICapsuleItem, index: Int) -> (checks: [Check], signer: Signer?, key: PublicKey?, expiry: Date?) {
        let itemSubject = description.items.count == 1 ? subject : "\(subject): item \(index)"
        guard item.authenticated else {
            return ([.failed(.signatureMissing, subject: itemSubject, "payload item \(index) (image type \(item.imageTypeID)) carries no EFI_FIRMWARE_IMAGE_AUTHENTICATION: it is unsigned")], nil, nil, nil)
        }
        guard let der = item.signature else {
            return ([.failed(.signatureUnsupportedAlgorithm, subject: itemSubject, "the image authentication's CertType \(item.certType ?? "?") is not EFI_CERT_TYPE_PKCS7_GUID")], nil, nil, nil)
        }
        let signed: CMSSignedData
        do {
            signed = try CMSSignedData(bytes: der)
        } catch {
            return ([.failed(.malformedEncoding, subject: itemSubject, "the image authentication's CertData is not PKCS#7 SignedData: \(error.reason)")], nil, nil, nil)
        }
        let count = item.imageStart..<(item.imageStart + 8)
        let content = JoinedByteSource([.init(input.source, item.payloadRange), .init(input.source, count)])
        // No purpose is asked of the chain: UEFI capsule signers (EDK II's and U-Boot's test
        // certificates among them) usually carry no extendedKeyUsage, and neither EDK II nor
        // U-Boot requires one. ``signerPurpose(_:subject:)`` still refuses a signer whose
        // extendedKeyUsage names other purposes only.
        var outcome = CMSChecks.outcome(
            signed, content: .source(content), input: input, subject: itemSubject, purpose: nil,
            trustHint: "a capsule is trusted through its signer's certificate: pass it, or its root CA, with --trust")
        outcome.checks.removeAll { $0.code == .certPurpose && $0.status == .skipped }
        if let leaf = outcome.signerCertificate {
            let purpose = signerPurpose(leaf, subject: itemSubject)
            outcome.checks.append(purpose)
            if purpose.status == .failed { outcome.signer = nil }
        }
        return (outcome.checks, outcome.signer, outcome.signingKey, outcome.earliestExpiry)
    }

    /// A signer certificate whose extendedKeyUsage lists purposes, none of them code signing
    /// (or anyExtendedKeyUsage), was issued for something else (a TLS server, e-mail).
    func signerPurpose(_ leaf: Certificate, subject: String) -> Check {
        guard let usages = leaf.info.extendedKeyUsage else {
            return .passed(.certPurpose, subject: subject, "the signer certificate has no extendedKeyUsage (UEFI capsule signers commonly have none; EDK II and U-Boot require none)")
        }
        if usages.contains("codeSigning") || usages.contains("anyExtendedKeyUsage") {
            return .passed(.certPurpose, subject: subject, "the signer certificate allows code signing")
        }
        return .failed(
            .certPurpose, subject: subject, "the signer certificate's extendedKeyUsage is \(usages.joined(separator: ", ")): it was not issued for code signing")
    }

    /// Bytes after CapsuleImageSize are not part of the capsule and nothing covers them.
    func trailingBytes() -> Check {
        guard description.trailingBytes > 0 else {
            return .passed(.integrityUnsignedTrailingData, subject: subject, "nothing follows the capsule (CapsuleImageSize \(description.capsuleImageSize))")
        }
        return .failed(
            .integrityUnsignedTrailingData, subject: subject,
            "\(description.trailingBytes) byte(s) follow CapsuleImageSize (\(description.capsuleImageSize)): no signature covers them")
    }
}
