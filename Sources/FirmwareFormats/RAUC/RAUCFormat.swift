import FirmwareCrypto
import Foundation

extension FormatID {
    /// RAUC update bundles (`rauc bundle`), plain and verity formats.
    public static let rauc: FormatID = "rauc"
}

/// RAUC bundles (rauc.readthedocs.io "Bundle Formats"): a squashfs payload, then (verity) its
/// dm-verity hash tree, then a CMS SignedData and its size as an 8-byte big-endian number.
///
/// - plain: the CMS signs the payload (detached): verified over those bytes, streamed.
/// - verity: the CMS carries the manifest; its `verity-hash`, `verity-salt` and `verity-size`
///   are checked against a hash tree recomputed over the payload, and the stored tree against
///   the computed one (`rauc info` checks only the manifest's signature).
/// Either way the signer must chain to a `--trust` root with the code-signing purpose at the
/// context time. `crypt` bundles (encrypted) are reported as not verifiable.
public enum RAUCFormat: FirmwareFormat {
    public static let id: FormatID = .rauc
    public static let name = "RAUC bundle"
    public static let detects = "squashfs magic 'hsqs' at offset 0 (then a CMS SignedData whose size is the last 8 bytes, big-endian)"
    public static let verifies = [
        "the CMS signature chained to a trusted root (code signing) at the context time",
        "plain: the signature over the whole squashfs payload, streamed",
        "verity: the manifest's verity root hash and tree size against a dm-verity tree recomputed over the payload, and the stored tree",
        "the trailer, payload and tree sizes against the file",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedBadMagic, .malformedTruncated, .malformedLength, .malformedEncoding, .signatureInvalid, .signatureUnsupportedAlgorithm,
        .certUntrustedChain, .certExpired, .certNotYetValid, .certRevoked, .certPurpose, .certCRLUnavailable, .algorithmWeak,
        .integrityDigestMismatch, .integrityUnverifiable,
    ]
    static let maxCMS: Int64 = 4 << 20

    /// A squashfs image ('hsqs'): a bundle's payload comes first, so any squashfs given alone
    /// is judged as a bundle (and a bare file system fails as one without a signature trailer).
    public static func sniff(_ source: any ByteSource) -> Bool {
        source.count > 4096 + 8 && (try? source.bytes(at: 0, length: 4)) == Data("hsqs".utf8)
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> RAUCDescription {
        guard source.count >= 8 + 4096 else { throw MalformedInput(.malformedTruncated, at: 0, "too short for a RAUC bundle") }
        var reader = ByteReader(source)
        guard try reader.take(4, what: "squashfs magic") == Data("hsqs".utf8) else {
            throw MalformedInput(.malformedBadMagic, at: 0, "a RAUC bundle starts with a squashfs image ('hsqs')")
        }
        try reader.seek(to: source.count - 8, what: "CMS size")
        let trailer = try reader.u64be("CMS size")
        // Checked as the unsigned number it is before it becomes a length.
        guard trailer > 0, trailer <= UInt64(maxCMS), Int64(trailer) <= source.count - 8 - 4096 else {
            throw MalformedInput(.malformedLength, at: source.count - 8, "the trailer gives a CMS of \(trailer) bytes, which does not fit the bundle (\(source.count) bytes)")
        }
        let cmsSize = Int64(trailer)
        let cmsStart = source.count - 8 - cmsSize
        try reader.seek(to: cmsStart, what: "CMS")
        let cms = try reader.take(Int(cmsSize), what: "CMS")
        let signedData: CMSSignedData
        do {
            signedData = try CMSSignedData(bytes: cms)
        } catch {
            throw MalformedInput(.malformedEncoding, at: cmsStart, "the bundle's signature is not CMS SignedData: \(error.reason)")
        }
        var manifest: RAUCManifest?
        if let content = signedData.attachedContent { manifest = try RAUCManifest.parse(content) }
        let format = signedData.isDetached ? "plain" : (manifest?["bundle", "format"] ?? "plain")
        return RAUCDescription(
            bundleFormat: format, compatible: manifest?["update", "compatible"], bundleVersion: manifest?["update", "version"],
            images: manifest?.images.map { RAUCDescription.Image(slotClass: $0.slotClass, filename: $0.values["filename"], sha256: $0.values["sha256"], size: $0.values["size"]) } ?? [],
            manifest: manifest, signedData: signedData, cmsStart: cmsStart)
    }

    public static func digestRequests(for description: RAUCDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: RAUCDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        RAUCVerifier(description: description, input: input).result()
    }
}

/// What `fwgate inspect BUNDLE.raucb` shows.
public struct RAUCDescription: FirmwareDescription {
    public var format: FormatID { .rauc }
    /// `plain`, `verity` or `crypt`.
    public var bundleFormat: String
    public var compatible: String?
    public var bundleVersion: String?
    public var images: [Image]
    /// Where the CMS starts (the payload and tree lie before it).
    public var cmsStart: Int64
    public var version: String? { bundleVersion }
    public var securityCounter: UInt64? { nil }
    public var compatibleDevices: [String]? { compatible.map { [$0] } }

    public struct Image: Sendable, Codable, Hashable {
        public var slotClass: String
        public var filename: String?
        public var sha256: String?
        public var size: String?
    }

    let manifest: RAUCManifest?
    let signedData: CMSSignedData

    init(
        bundleFormat: String, compatible: String?, bundleVersion: String?, images: [Image], manifest: RAUCManifest?, signedData: CMSSignedData,
        cmsStart: Int64
    ) {
        self.bundleFormat = bundleFormat
        self.compatible = compatible
        self.bundleVersion = bundleVersion
        self.images = images
        self.manifest = manifest
        self.signedData = signedData
        self.cmsStart = cmsStart
    }

    enum CodingKeys: String, CodingKey { case format, bundleFormat, compatible, bundleVersion, images, cmsStart, manifestNote }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(bundleFormat, forKey: .bundleFormat)
        try container.encodeIfPresent(compatible, forKey: .compatible)
        try container.encodeIfPresent(bundleVersion, forKey: .bundleVersion)
        try container.encode(images, forKey: .images)
        try container.encode(cmsStart, forKey: .cmsStart)
        if manifest == nil {
            try container.encode("a plain bundle keeps its manifest inside the squashfs, which this fwgate does not read; the signature covers it", forKey: .manifestNote)
        }
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a RAUC description is made by parsing, not decoded"))
    }
}

/// The rules of a RAUC bundle.
struct RAUCVerifier {
    let description: RAUCDescription
    let input: FormatVerificationInput
    var subject: String { input.path }

    func result() -> FormatVerificationResult {
        let content: CMSSignedData.Content?
        switch description.bundleFormat {
        case "plain":
            // An attached CMS signs only the manifest it carries; without verity parameters
            // nothing would bind the squashfs to it.
            guard description.signedData.isDetached else {
                return FormatVerificationResult(
                    checks: [
                        .failed(
                            .integrityUnverifiable, subject: subject,
                            "the signature carries a manifest without verity parameters: it signs the manifest, not the squashfs, so nothing covers the payload")
                    ], signed: true)
            }
            content = .source(JoinedByteSource([.init(input.source, 0..<description.cmsStart)]))
        case "verity":
            content = nil
        default:
            return FormatVerificationResult(
                checks: [.failed(.integrityUnverifiable, subject: subject, "bundle format '\(description.bundleFormat)' is not one fwgate verifies (plain, verity)")],
                signed: true)
        }
        let outcome = CMSChecks.outcome(
            description.signedData, content: content, input: input, subject: subject,
            trustHint: "a RAUC bundle is trusted through certificates: pass the keyring's root CA with --trust")
        var checks = outcome.checks
        if description.bundleFormat == "verity" { checks += verity() }
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : outcome.signer, signed: true, earliestExpiry: outcome.earliestExpiry,
            signingKey: outcome.signingKey)
    }

    /// RAUC's verity format: the manifest's root hash, salt and tree size against the payload.
    func verity() -> [Check] {
        guard let manifest = description.manifest, let rootText = manifest["bundle", "verity-hash"], let saltText = manifest["bundle", "verity-salt"],
            let sizeText = manifest["bundle", "verity-size"], let root = Data(hexString: rootText), root.count == 32, let salt = Data(hexString: saltText),
            let treeSize = Int64(sizeText), treeSize > 0
        else {
            return [.failed(.integrityUnverifiable, subject: subject, "a verity bundle's manifest needs verity-hash, verity-salt and verity-size in [bundle]")]
        }
        let payloadEnd = description.cmsStart - treeSize
        guard payloadEnd > 0, payloadEnd % Int64(RAUCVerity.blockSize) == 0 else {
            return [.failed(.malformedLength, subject: subject, "verity-size \(treeSize) leaves a payload of \(payloadEnd) bytes, not a positive multiple of 4096")]
        }
        let result: RAUCVerity.Result
        do {
            result = try RAUCVerity.compute(input.source, payload: 0..<payloadEnd, salt: salt, treeStart: payloadEnd)
        } catch {
            return [.failed(.integrityUnverifiable, subject: subject, "the payload could not be read: \(error)")]
        }
        guard result.treeSize == treeSize else {
            return [.failed(.malformedLength, subject: subject, "verity-size is \(treeSize); a payload of \(payloadEnd) bytes needs a tree of \(result.treeSize)")]
        }
        guard result.rootHash == root else {
            return [.failed(.integrityDigestMismatch, subject: subject, "the payload's dm-verity root hash is \(result.rootHash.hexString); the signed manifest says \(rootText): the squashfs was changed")]
        }
        if let offset = result.storedMismatch {
            return [.failed(.integrityDigestMismatch, subject: subject, "the stored hash tree differs from the payload's at offset \(offset): a device would refuse the bundle")]
        }
        return [.passed(.integrityDigestMismatch, subject: subject, "the payload's dm-verity root hash and the stored tree match the signed manifest (\(payloadEnd) bytes)")]
    }
}
