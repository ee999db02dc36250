import FirmwareFormats
import Foundation

/// The risk register's ranking and its plain-words next steps.
///
/// A finding's score is the base score of its code plus ``ephiWeight`` when the device stores or
/// transmits ePHI (HIPAA §164.308(a)(1)(ii)(A): the risk analysis weighs what a compromise would
/// expose). So a failing signature on an ePHI pump (90 + 10) outranks a known-test-key warning on
/// a lab analyser (40). Severity follows the score: critical ≥ 85, high ≥ 60, medium ≥ 35, else low.
public enum FleetRisk {
    /// Added to every finding of a device that stores or transmits ePHI.
    public static let ephiWeight = 10

    // Posture codes: findings about the device rather than one check.
    public static let neverVerified = "posture.never-verified"
    public static let stale = "posture.stale"
    public static let supportEnded = "posture.support-ended"
    public static let ephiWithoutBAA = "posture.ephi-without-baa"
    public static let signerExpired = "posture.signer-expired"
    public static let signerExpiring = "posture.signer-expiring"

    /// The base score of a failed check.
    public static func failedScore(_ code: String) -> Int {
        switch code {
        case CheckCode.signatureInvalid.rawValue, CheckCode.integrityDigestMismatch.rawValue, CheckCode.keyUntrusted.rawValue,
            CheckCode.keyHashMismatch.rawValue, CheckCode.certRevoked.rawValue, CheckCode.certUntrustedChain.rawValue,
            CheckCode.manifestEntryMismatch.rawValue:
            return 90
        case CheckCode.signatureMissing.rawValue, CheckCode.policyUnsignedFormat.rawValue, CheckCode.integrityCRCMismatch.rawValue,
            CheckCode.integrityChecksumMismatch.rawValue, CheckCode.signatureUnsupportedAlgorithm.rawValue:
            return 80
        case _ where code.hasPrefix("malformed."):
            return 80
        case CheckCode.rollbackVersion.rawValue, CheckCode.rollbackSecurityCounter.rawValue, CheckCode.algorithmWeak.rawValue:
            return 70
        default:
            return 60
        }
    }

    /// The base score of a warning.
    public static func warningScore(_ code: String) -> Int {
        switch code {
        case CheckCode.keyKnownTestKey.rawValue: 40
        case CheckCode.certExpiringSoon.rawValue, CheckCode.integrityUnsignedTrailingData.rawValue: 30
        default: 20
        }
    }

    /// The base score of a posture code.
    public static func postureScore(_ code: String) -> Int {
        switch code {
        case signerExpired: 60
        case supportEnded: 50
        case ephiWithoutBAA: 45
        case neverVerified: 35
        case stale, signerExpiring: 30
        default: 20
        }
    }

    /// What to do about a failed check, in plain words.
    public static func nextStep(failed code: String, entryID: Int64) -> String {
        switch code {
        case CheckCode.integrityDigestMismatch.rawValue, CheckCode.integrityCRCMismatch.rawValue, CheckCode.integrityChecksumMismatch.rawValue:
            return "Do not install this image: its contents do not match its own digest (corrupted or tampered). Quarantine the file and get a fresh copy from the vendor."
        case CheckCode.signatureInvalid.rawValue:
            return "Do not install this image: its signature does not verify. Quarantine the file, get it from the vendor again and ask the vendor to confirm its signing key."
        case CheckCode.keyUntrusted.rawValue, CheckCode.keyHashMismatch.rawValue:
            return "Do not install this image: it is signed by a key your policy does not trust. Ask the vendor which key signs this model; add it to the policy only once the vendor confirms it."
        case CheckCode.signatureMissing.rawValue, CheckCode.policyUnsignedFormat.rawValue:
            return "Unsigned firmware: nothing proves who made it. Ask the vendor for a signed release; until then keep the device on a restricted network segment."
        case CheckCode.signatureUnsupportedAlgorithm.rawValue:
            return "The signature uses an algorithm fwgate cannot check, so it counts as unverified. Ask the vendor for a release signed with a standard algorithm."
        case CheckCode.rollbackVersion.rawValue, CheckCode.rollbackSecurityCounter.rawValue:
            return "Do not install this image: it is older than what the device runs, and a downgrade can reopen fixed vulnerabilities. Use the current or a newer release."
        case CheckCode.certExpired.rawValue, CheckCode.certNotYetValid.rawValue:
            return "A certificate in the signing chain is not valid at this time. Ask the vendor for the image signed under a current certificate."
        case CheckCode.certRevoked.rawValue:
            return "The signer's certificate was revoked. Do not install; contact the vendor's security team."
        case CheckCode.certUntrustedChain.rawValue:
            return "The signer's certificate does not chain to a root your policy trusts. Confirm the vendor's signing CA before trusting it."
        case CheckCode.algorithmWeak.rawValue:
            return "Signed with an algorithm too weak to rely on. Ask the vendor for a release signed with RSA-2048 or stronger, ECDSA or Ed25519, and SHA-256 or better."
        case _ where code.hasPrefix("malformed."):
            return "The file is not a valid image. Do not install it; get it from the vendor again."
        case _ where code.hasPrefix("manifest."):
            return "The update package does not match its signed manifest. Do not install it; get it from the vendor again."
        default:
            return "Do not install this image until the failed check \(code) is resolved (details: fwgate inventory show \(entryID))."
        }
    }

    /// What to do about a warning, in plain words.
    public static func nextStep(warning code: String, entryID: Int64) -> String {
        switch code {
        case CheckCode.keyKnownTestKey.rawValue:
            return "Signed with a publicly known test key: anyone can sign an image this device would accept. Ask the vendor for production-signed firmware and whether the device enforces it."
        case CheckCode.certExpiringSoon.rawValue:
            return "A signing certificate expires soon. Ask the vendor for its next signing certificate before updates stop."
        case CheckCode.integrityUnsignedTrailingData.rawValue:
            return "The image carries data after its signed part. Ask the vendor what it is; it is not covered by the signature."
        default:
            return "Review the warning \(code) (details: fwgate inventory show \(entryID))."
        }
    }
}
