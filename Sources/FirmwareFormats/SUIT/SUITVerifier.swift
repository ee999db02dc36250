import FirmwareCrypto
import Foundation

/// The rules of a SUIT envelope (draft-ietf-suit-manifest-25), one function each, in the order
/// a Manifest Processor applies them (§8.3, §6.2): the manifest digest, the authentication
/// blocks over that digest, the severed members' digests, each image's digest and size, and
/// bytes nothing covers.
struct SUITVerifier {
    let description: SUITDescription
    let input: FormatVerificationInput

    var subject: String { input.path }

    func verify() -> FormatVerificationResult {
        var checks = manifestDigest()
        let authentication = self.authentication()
        checks += authentication.checks
        checks += severedMembers()
        checks += images()
        checks += uncovered()
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : authentication.signer, signed: !description.authentication.isEmpty,
            signingKey: authentication.key)
    }

    /// §8.3: "The SUIT_Digest is computed over the bstr-wrapped SUIT_Manifest that is present in
    /// the SUIT_Envelope at the suit-manifest key." A manifest edited after signing fails here
    /// (the signature covers the digest, not the manifest itself).
    func manifestDigest() -> [Check] {
        let declared = description.manifestDigest
        let what = "\(subject): suit-manifest"
        guard let algorithm = declared.digestAlgorithm else {
            return [.failed(.integrityUnverifiable, subject: what, "the authentication wrapper's digest uses \(declared.algorithm), which fwgate does not compute")]
        }
        guard let computed = input.digests[DigestRequest(algorithm, description.material.manifestRange)] else {
            return [.failed(.integrityUnverifiable, subject: what, "the \(algorithm) of the manifest was not computed")]
        }
        guard computed.matches(declared.bytes) else {
            return [
                .failed(
                    .integrityDigestMismatch, subject: what,
                    "the manifest's \(algorithm) is \(computed.hex), but the authentication wrapper declares \(declared.value): the manifest was changed after it was signed",
                    detail: ["computed": computed.hex, "declared": declared.value])
            ]
        }
        return [.passed(.integrityDigestMismatch, subject: what, "the manifest's \(algorithm) matches the authentication wrapper's SUIT_Digest")]
    }

    struct Authentication {
        var checks: [Check]
        var signer: Signer?
        var key: PublicKey?
    }

    /// §8.3: each authentication block signs the SUIT_Digest as a detached payload; the
    /// Manifest Processor requires one. RFC 9052 §4.4 builds what is signed; RFC 9052 §3.1
    /// requires `alg` to be protected.
    func authentication() -> Authentication {
        let material = description.material
        let what = "\(subject): suit-authentication-wrapper"
        if material.signatures.isEmpty {
            if let other = material.otherBlocks.first {
                return Authentication(
                    checks: [
                        .failed(
                            .signatureUnsupportedAlgorithm, subject: what,
                            "authentication block \(other.index + 1) is a \(other.structure); fwgate verifies COSE_Sign1 only")
                    ])
            }
            return Authentication(checks: [.failed(.signatureMissing, subject: what, "the authentication wrapper holds the manifest digest but no signature")])
        }
        var failures: [Check] = []
        for (index, cose) in material.signatures {
            let block = "\(what): COSE_Sign1 (block \(index + 1))"
            let algorithm: COSESign1.Algorithm
            switch cose.algorithm {
            case .supported(let known):
                algorithm = known
            case .unsupported(let name):
                failures.append(.failed(.signatureUnsupportedAlgorithm, subject: block, "signed with \(name); fwgate verifies ES256, ES384 and EdDSA"))
                continue
            case .unprotectedOnly(let name):
                failures.append(
                    .failed(
                        .signatureInvalid, subject: block,
                        "the algorithm (\(name)) is only in the unprotected header, where anyone can change it: RFC 9052 §3.1 requires it to be protected"))
                continue
            case .absent:
                failures.append(.failed(.signatureInvalid, subject: block, "the COSE headers name no algorithm"))
                continue
            }
            guard cose.critical.isEmpty else {
                failures.append(
                    .failed(
                        .signatureUnsupportedAlgorithm, subject: block,
                        "the protected 'crit' header lists \(cose.critical.joined(separator: ", ")), which fwgate does not understand (RFC 9052 §3.1: such a message is rejected)"))
                continue
            }
            if let attached = cose.payload, attached != material.digestPayload {
                failures.append(.failed(.signatureInvalid, subject: block, "the COSE payload is attached and is not the manifest's SUIT_Digest"))
                continue
            }
            let plausible = input.trustedKeys.filter { algorithm.accepts($0.key.algorithm) }
            if plausible.isEmpty {
                let kinds = input.trustedKeys.map { "'\($0.name)' \($0.key.algorithm)" }
                failures.append(
                    .failed(
                        .keyUntrusted, subject: block,
                        "signed with \(algorithm), and no trusted key is of that type (trusted: \(kinds.isEmpty ? "none" : kinds.joined(separator: ", ")))"))
                continue
            }
            var malformed: String?
            for key in plausible {
                switch cose.verify(with: key.key, detached: material.digestPayload) {
                case .valid:
                    return Authentication(
                        checks: [
                            .passed(.keyUntrusted, subject: block, "verified by trusted key '\(key.name)'"),
                            .passed(.signatureInvalid, subject: block, "\(algorithm) signature over the manifest's SUIT_Digest verifies with '\(key.name)'"),
                        ],
                        signer: Signer(name: key.name, keyFingerprint: key.fingerprint), key: key.key)
                case .malformed(let reason):
                    malformed = reason
                default:
                    continue
                }
            }
            let names = plausible.map { "'\($0.name)'" }.joined(separator: ", ")
            failures.append(
                .failed(
                    .signatureInvalid, subject: block,
                    "the \(algorithm) signature verifies with none of the trusted key(s) \(names)\(malformed.map { " (\($0))" } ?? ""): the manifest digest or the signature was changed, or another key signed it"
                ))
        }
        return Authentication(checks: failures)
    }

    /// §8.4.3 (severable members): a severed element in the envelope must match the digest
    /// the manifest keeps in its place.
    func severedMembers() -> [Check] {
        description.material.severed.map { element in
            let what = "\(subject): \(element.name)"
            guard let algorithm = element.declared.digestAlgorithm else {
                return .failed(.integrityUnverifiable, subject: what, "its digest uses \(element.declared.algorithm), which fwgate does not compute")
            }
            guard let computed = input.digests[DigestRequest(algorithm, element.range)] else {
                return .failed(.integrityUnverifiable, subject: what, "its \(algorithm) was not computed")
            }
            guard computed.matches(element.declared.bytes) else {
                return .failed(
                    .integrityDigestMismatch, subject: what,
                    "the severed element's \(algorithm) is \(computed.hex), but the manifest declares \(element.declared.value)")
            }
            return .passed(.integrityDigestMismatch, subject: what, "the severed element matches the manifest's \(algorithm)")
        }
    }

    /// §8.4.8.6 and §8.4.8.7: each image must have the digest (suit-parameter-image-digest) and
    /// the size (suit-parameter-image-size) the manifest gives. The image is the integrated
    /// payload the component names, or the --payload file.
    func images() -> [Check] {
        var checks: [Check] = []
        let companion = input.companions[.payload]
        let companionPath = input.artifact.companion(.payload) ?? "--payload"
        let withImages = description.components.filter { $0.imageDigest != nil }
        // The --payload file is the image of the one component no integrated payload holds.
        let external = withImages.filter { description.material.integratedImages[$0.index] == nil }
        var companionUsed = false
        if withImages.isEmpty {
            checks.append(
                .failed(
                    .manifestMissingEntry, subject: "\(subject): suit-common",
                    "the manifest gives no component an image digest (suit-parameter-image-digest): there is no image to check"))
        }
        for component in withImages {
            guard let declared = component.imageDigest else { continue }
            let what = "\(subject): component \(component.index) [\(component.identifier.joined(separator: ", "))]"
            let computed: Hashed
            if let range = description.material.integratedImages[component.index] {
                let from = "integrated payload \(component.integratedPayload ?? "")"
                if let algorithm = declared.digestAlgorithm, let digest = input.digests[DigestRequest(algorithm, range)] {
                    computed = .success((digest, Int64(range.count), from))
                } else {
                    computed = .failure(unverifiable(declared, what: what))
                }
            } else if let companion, external.count == 1 {
                companionUsed = true
                if let algorithm = declared.digestAlgorithm {
                    do throws(CryptoError) {
                        // Streamed in chunks (the payload is never loaded whole): the digest
                        // pipeline hashes the primary file only, so the companion is hashed here.
                        computed = .success((try Digest.hash(companion, using: algorithm), companion.count, companionPath))
                    } catch {
                        computed = .failure(Check.failed(.integrityUnverifiable, subject: what, "\(companionPath) could not be hashed: \(error.reason)"))
                    }
                } else {
                    computed = .failure(unverifiable(declared, what: what))
                }
            } else {
                let reason =
                    external.count > 1
                    ? "\(external.count) components have images outside the envelope; fwgate takes one --payload"
                    : "no --payload was given and no integrated payload holds it\(component.uri.map { " (its URI is \($0))" } ?? "")"
                checks.append(.failed(.manifestMissingEntry, subject: what, "the image is not here: \(reason)"))
                continue
            }
            switch computed {
            case .failure(let check):
                checks.append(check)
            case .success(let (digest, size, from)):
                if let expected = component.imageSize {
                    if UInt64(size) == expected {
                        checks.append(.passed(.manifestEntryMismatch, subject: what, "\(from) is \(size) bytes, as suit-parameter-image-size says"))
                    } else {
                        checks.append(
                            .failed(
                                .manifestEntryMismatch, subject: what, "\(from) is \(size) bytes, but suit-parameter-image-size is \(expected)",
                                detail: ["size": String(size), "declared": String(expected)]))
                    }
                }
                if digest.matches(declared.bytes) {
                    checks.append(.passed(.integrityDigestMismatch, subject: what, "\(from) matches suit-parameter-image-digest (\(digest.algorithm))"))
                } else {
                    checks.append(
                        .failed(
                            .integrityDigestMismatch, subject: what,
                            "the \(digest.algorithm) of \(from) is \(digest.hex), but suit-parameter-image-digest is \(declared.value): the payload was changed",
                            detail: ["computed": digest.hex, "declared": declared.value]))
                }
            }
        }
        if companion != nil, !companionUsed {
            checks.append(
                .failed(
                    .manifestMissingEntry, subject: companionPath,
                    "the manifest names no image outside the envelope, so nothing vouches for this --payload file"))
        }
        return checks
    }

    private enum Hashed {
        case success((digest: Digest, size: Int64, from: String))
        case failure(Check)
    }

    private func unverifiable(_ declared: SUITDigestValue, what: String) -> Check {
        .failed(.integrityUnverifiable, subject: what, "suit-parameter-image-digest uses \(declared.algorithm), which fwgate does not compute")
    }

    /// Envelope members no signature or digest covers (a delegation chain, unknown members, an
    /// integrated payload no component names): reported, since anything could be put there.
    func uncovered() -> [Check] {
        description.material.uncovered.map { member in
            .warning(
                .integrityUnsignedTrailingData, subject: "\(subject): \(member.key)",
                "envelope member \(member.key) (\(member.range.count) bytes at \(member.range.lowerBound.hex)) is covered by no digest or signature")
        }
    }
}
