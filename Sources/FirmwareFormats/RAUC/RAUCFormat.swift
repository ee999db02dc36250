import FirmwareCrypto
import Foundation

extension FormatID {
    /// RAUC update bundles (`rauc bundle`), plain and verity formats.
    public static let rauc: FormatID = "rauc"
}

/// RAUC bundles (rauc.readthedocs.io "Bundle Formats"): a squashfs payload, then (verity) its
/// dm-verity hash tree, then a CMS SignedData and its size as an 8-byte big-endian number.
///
/// - plain: the CMS signs the payload (detached): verified over those bytes, against their
///   SHA-256 from the file's one digest pass (or streamed, for a SignerInfo without signed
///   attributes). The manifest is `manifest.raucm` inside the squashfs, read with the bounded
///   squashfs reader over the same bytes the signature covers.
/// - verity: the CMS carries the manifest; its `verity-hash`, `verity-salt` and `verity-size`
///   are checked against a hash tree recomputed over the payload, and the stored tree against
///   the computed one (`rauc info` checks only the manifest's signature).
/// Either way the signer must chain to a `--trust` root with the code-signing purpose at the
/// context time; then, and only then, each `[image.*]` of the manifest is looked up at the
/// squashfs's top level and its size and sha256 checked (an image stored uncompressed is hashed
/// in the same pass as the payload, any other streamed block by block; `rauc info` checks neither;
/// `rauc install` checks the sha256). `crypt` bundles (encrypted) are reported as not
/// verifiable, and so are images in a squashfs compressed with anything but gzip.
public enum RAUCFormat: FirmwareFormat {
    public static let id: FormatID = .rauc
    public static let name = "RAUC bundle"
    public static let detects = "squashfs magic 'hsqs' at offset 0 (then a CMS SignedData whose size is the last 8 bytes, big-endian)"
    public static let verifies = [
        "the CMS signature chained to a trusted root (code signing) at the context time",
        "plain: the signature over the whole squashfs payload, hashed in the file's one pass",
        "verity: the manifest's verity root hash and tree size against a dm-verity tree recomputed over the payload, and the stored tree",
        "once the signature (and verity tree) passed: each [image.*] of the manifest at the squashfs's top level, by size and sha256, streamed (gzip squashfs only)",
        "the trailer, payload and tree sizes against the file; the squashfs (plain: its manifest.raucm) read bounded",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedBadMagic, .malformedTruncated, .malformedLength, .malformedEncoding, .signatureInvalid, .signatureUnsupportedAlgorithm,
        .certUntrustedChain, .certExpired, .certNotYetValid, .certRevoked, .certPurpose, .certCRLUnavailable, .algorithmWeak,
        .integrityDigestMismatch, .integrityUnverifiable, .manifestEntryMismatch, .manifestMissingEntry, .malformedDuplicateEntry,
    ]
    static let maxCMS: Int64 = 4 << 20
    /// Where a plain bundle keeps its manifest (the squashfs's top level).
    static let manifestName = "manifest.raucm"

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
        var squashfs: RAUCDescription.Squashfs?
        if signedData.isDetached {
            // Plain: the manifest is a file of the squashfs the signature covers, read from the
            // same bytes (0 ..< cmsStart) the signature is checked over.
            (manifest, squashfs) = try plainManifest(source, payload: 0..<cmsStart)
        } else if let content = signedData.attachedContent {
            manifest = try RAUCManifest.parse(content)
        }
        let format = signedData.isDetached ? "plain" : (manifest?["bundle", "format"] ?? "plain")
        return RAUCDescription(
            bundleFormat: format, compatible: manifest?["update", "compatible"], bundleVersion: manifest?["update", "version"],
            build: manifest?["update", "build"],
            images: manifest?.images.map { RAUCDescription.Image(slotClass: $0.slotClass, filename: $0.values["filename"], sha256: $0.values["sha256"], size: $0.values["size"]) } ?? [],
            manifest: manifest, manifestSource: manifest == nil ? nil : (signedData.isDetached ? "squashfs" : "signature"), squashfs: squashfs,
            signedData: signedData, cmsStart: cmsStart)
    }

    /// A plain bundle's `manifest.raucm`, read from the squashfs in `payload`. A squashfs
    /// compressed with anything but gzip cannot be read: no manifest, and the reason kept.
    ///
    /// - Throws: `MalformedInput` for a malformed squashfs, a missing or oversized
    ///   `manifest.raucm`, or a manifest that does not parse.
    static func plainManifest(_ source: any ByteSource, payload: Range<Int64>) throws(MalformedInput) -> (RAUCManifest?, RAUCDescription.Squashfs) {
        let reader: SquashfsReader
        do {
            reader = try SquashfsReader.open(source, range: payload)
        } catch {
            switch error {
            case .malformed(let malformed): throw malformed.prefixed("the bundle's squashfs")
            case .unsupportedCompression(let compression):
                return (nil, RAUCDescription.Squashfs(compression: compression.description, reader: nil))
            }
        }
        let found: SquashfsFile
        do throws(MalformedInput) {
            guard let entry = try reader.entry(named: manifestName), entry.kind == .file else {
                throw MalformedInput(.malformedEncoding, at: payload.lowerBound, "a plain bundle's squashfs holds \(manifestName) at its top level; this one does not")
            }
            found = try reader.file(entry)
        } catch {
            throw error.prefixed("the bundle's squashfs")
        }
        let bytes: Data
        do {
            bytes = try reader.read(found, limit: RAUCManifest.maxSize)
        } catch {
            throw error.prefixed("the bundle's squashfs: \(manifestName)")
        }
        do {
            return (try RAUCManifest.parse(bytes), RAUCDescription.Squashfs(compression: reader.superblock.compression.description, reader: reader))
        } catch {
            throw error.prefixed(manifestName)
        }
    }

    /// Plain bundles: the payload's SHA-256 (the signed content: OpenSSL then checks the
    /// signature against it instead of reading the payload again) and the SHA-256 of each image
    /// stored as one run of uncompressed blocks (the image's digest is that range's). Both come
    /// from the pipeline's single pass over the file, beside the file's own SHA-256 (the payload's
    /// is that lane's state at the CMS; an image's runs on the other core), so a bundle is read
    /// once. Images stored otherwise are streamed through the squashfs reader when verified.
    public static func digestRequests(for description: RAUCDescription) -> [DigestRequest] {
        guard description.bundleFormat == "plain", description.signedData.verifiesWithDigest(.sha256) else { return [] }
        return [description.payloadDigest] + description.storedImages.values.map { DigestRequest(.sha256, $0) }
    }

    public static func verify(_ description: RAUCDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        RAUCVerifier(description: description, input: input).result()
    }
}

/// What `fwgate inspect BUNDLE.raucb` shows: the manifest (compatible, version, build, each
/// image with its file, size and sha256; from the squashfs for plain bundles, from the
/// signature for verity ones), the squashfs's compression, the signature's algorithms and the
/// certificates it carries.
public struct RAUCDescription: FirmwareDescription {
    public var format: FormatID { .rauc }
    /// `plain`, `verity` or `crypt`.
    public var bundleFormat: String
    public var compatible: String?
    public var bundleVersion: String?
    public var build: String?
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

    /// A certificate the signature carries (the signer's and intermediates), as `rauc info`
    /// lists its chain.
    public struct CertificateSummary: Sendable, Codable, Hashable {
        public var subject: String
        public var issuer: String
        public var notBefore: String
        public var notAfter: String
        /// SHA-256 of the SubjectPublicKeyInfo (`rauc info`'s "SPKI sha256").
        public var keyFingerprint: String
    }

    /// What was read of a plain bundle's squashfs.
    struct Squashfs: Sendable {
        /// "gzip", "xz", ...
        let compression: String
        /// The reader (nil when the compression is not one fwgate reads).
        let reader: SquashfsReader?
    }

    let manifest: RAUCManifest?
    /// "squashfs" (plain) or "signature" (verity).
    let manifestSource: String?
    let squashfs: Squashfs?
    let signedData: CMSSignedData

    init(
        bundleFormat: String, compatible: String?, bundleVersion: String?, build: String?, images: [Image], manifest: RAUCManifest?,
        manifestSource: String?, squashfs: Squashfs?, signedData: CMSSignedData, cmsStart: Int64
    ) {
        self.bundleFormat = bundleFormat
        self.compatible = compatible
        self.bundleVersion = bundleVersion
        self.build = build
        self.images = images
        self.manifest = manifest
        self.manifestSource = manifestSource
        self.squashfs = squashfs
        self.signedData = signedData
        self.cmsStart = cmsStart
    }

    /// The signed content of a plain bundle: everything before the CMS.
    var payloadDigest: DigestRequest { DigestRequest(.sha256, 0..<cmsStart) }

    /// The images (by file name) that a plain bundle's squashfs stores as one run of
    /// uncompressed blocks, and where. This runs before the signature is checked, so it is
    /// bounded: the root listed once, at most ``maxStoredImages`` distinct names looked up
    /// (others are streamed after the signature passed).
    var storedImages: [String: Range<Int64>] {
        guard let reader = squashfs?.reader, let manifest, let entries = try? reader.rootEntries() else { return [:] }
        let byName = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let names = Set(manifest.images.compactMap { $0.values["filename"] })
        var ranges: [String: Range<Int64>] = [:]
        for name in names.sorted().prefix(Self.maxStoredImages) {
            guard let entry = byName[name], entry.kind == .file, let file = try? reader.file(entry), let range = file.storedRange else { continue }
            ranges[name] = range
        }
        return ranges
    }

    /// RAUC bundles carry a handful of images; more are checked, but streamed.
    static let maxStoredImages = 64

    /// Why the manifest could not be read, when it could not.
    var manifestNote: String? {
        guard manifest == nil else { return nil }
        if let squashfs, squashfs.reader == nil {
            return "the squashfs is compressed with \(squashfs.compression), which fwgate does not decompress (only gzip): its manifest.raucm and images cannot be read"
        }
        return "the signature carries no manifest"
    }

    enum CodingKeys: String, CodingKey {
        case format, bundleFormat, compatible, bundleVersion, build, images, cmsStart, manifestSource, manifestNote, squashfsCompression, signerInfos,
            certificates
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(bundleFormat, forKey: .bundleFormat)
        try container.encodeIfPresent(compatible, forKey: .compatible)
        try container.encodeIfPresent(bundleVersion, forKey: .bundleVersion)
        try container.encodeIfPresent(build, forKey: .build)
        try container.encode(images, forKey: .images)
        try container.encode(cmsStart, forKey: .cmsStart)
        try container.encodeIfPresent(manifestSource, forKey: .manifestSource)
        try container.encodeIfPresent(manifestNote, forKey: .manifestNote)
        try container.encodeIfPresent(squashfs?.compression, forKey: .squashfsCompression)
        try container.encode(signedData.signerInfos, forKey: .signerInfos)
        try container.encode(
            signedData.embeddedCertificates.map {
                CertificateSummary(
                    subject: $0.subject, issuer: $0.issuer, notBefore: RFC3339.string($0.notBefore), notAfter: RFC3339.string($0.notAfter),
                    keyFingerprint: $0.publicKey.fingerprint)
            }, forKey: .certificates)
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
            // The payload's digest from the file's one pass when the signature can be checked
            // against it; otherwise OpenSSL streams the payload itself.
            if let digest = input.digests[description.payloadDigest] {
                content = .digest(digest)
            } else {
                content = .source(JoinedByteSource([.init(input.source, 0..<description.cmsStart)]))
            }
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
        // Only a manifest whose signature passed is compared with the payload (a failed
        // signature vouches for nothing; comparing would only repeat the finding).
        if !checks.contains(where: { $0.status == .failed }) {
            if description.bundleFormat == "verity" {
                let (verityChecks, payloadEnd) = verity()
                checks += verityChecks
                if let payloadEnd { checks += imageChecks(payload: 0..<payloadEnd) }
            } else {
                checks += imageChecks(payload: 0..<description.cmsStart)
            }
        }
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : outcome.signer, signed: true, earliestExpiry: outcome.earliestExpiry,
            signingKey: outcome.signingKey)
    }

    /// RAUC's verity format: the manifest's root hash, salt and tree size against the payload.
    /// Returns the checks and, when the payload matches, where it ends.
    func verity() -> ([Check], Int64?) {
        guard let manifest = description.manifest, let rootText = manifest["bundle", "verity-hash"], let saltText = manifest["bundle", "verity-salt"],
            let sizeText = manifest["bundle", "verity-size"], let root = Data(hexString: rootText), root.count == 32, let salt = Data(hexString: saltText),
            let treeSize = Int64(sizeText), treeSize > 0
        else {
            return ([.failed(.integrityUnverifiable, subject: subject, "a verity bundle's manifest needs verity-hash, verity-salt and verity-size in [bundle]")], nil)
        }
        let payloadEnd = description.cmsStart - treeSize
        guard payloadEnd > 0, payloadEnd % Int64(RAUCVerity.blockSize) == 0 else {
            return ([.failed(.malformedLength, subject: subject, "verity-size \(treeSize) leaves a payload of \(payloadEnd) bytes, not a positive multiple of 4096")], nil)
        }
        let result: RAUCVerity.Result
        do {
            result = try RAUCVerity.compute(input.source, payload: 0..<payloadEnd, salt: salt, treeStart: payloadEnd)
        } catch {
            return ([.failed(.integrityUnverifiable, subject: subject, "the payload could not be read: \(error)")], nil)
        }
        guard result.treeSize == treeSize else {
            return ([.failed(.malformedLength, subject: subject, "verity-size is \(treeSize); a payload of \(payloadEnd) bytes needs a tree of \(result.treeSize)")], nil)
        }
        guard result.rootHash == root else {
            return (
                [
                    .failed(
                        .integrityDigestMismatch, subject: subject,
                        "the payload's dm-verity root hash is \(result.rootHash.hexString); the signed manifest says \(rootText): the squashfs was changed")
                ], nil
            )
        }
        if let offset = result.storedMismatch {
            return ([.failed(.integrityDigestMismatch, subject: subject, "the stored hash tree differs from the payload's at offset \(offset): a device would refuse the bundle")], nil)
        }
        return ([.passed(.integrityDigestMismatch, subject: subject, "the payload's dm-verity root hash and the stored tree match the signed manifest (\(payloadEnd) bytes)")], payloadEnd)
    }

    /// Each `[image.*]` of the (now trusted) manifest against the squashfs in `payload`: the
    /// file at its top level (`manifest.missing-entry` when absent), its size and its SHA-256
    /// (`manifest.entry-mismatch`, as Mender and SWUpdate report a payload file that differs
    /// from its signed manifest), streamed a block at a time.
    func imageChecks(payload: Range<Int64>) -> [Check] {
        guard let manifest = description.manifest else {
            return [
                .failed(
                    .integrityUnverifiable, subject: subject,
                    "\(description.manifestNote ?? "the manifest could not be read"), so no image is checked against it (the signature over the payload passed)")
            ]
        }
        let images = manifest.images
        guard !images.isEmpty else { return [] }
        let reader: SquashfsReader
        if let known = description.squashfs?.reader {
            reader = known
        } else {
            do {
                reader = try SquashfsReader.open(input.source, range: payload)
            } catch {
                switch error {
                case .malformed(let malformed):
                    return [.failed(malformed.code, subject: subject, "the bundle's squashfs: \(malformed.message) (at offset \(malformed.offset.hex))")]
                case .unsupportedCompression:
                    return [
                        .failed(
                            .integrityUnverifiable, subject: subject,
                            "\(error.description): the \(images.count) image(s) the signed manifest lists cannot be checked")
                    ]
                }
            }
        }
        let byName: [String: SquashfsEntry]
        do throws(MalformedInput) {
            byName = Dictionary(try reader.rootEntries().map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        } catch {
            return [.failed(error.code, subject: subject, "the bundle's squashfs: \(error.message) (at offset \(error.offset.hex))")]
        }
        var checks: [Check] = []
        var matched = 0
        for image in images {
            let section = "[image.\(image.slotClass)]"
            guard let name = image.values["filename"], !name.isEmpty else {
                checks.append(.failed(.manifestMissingEntry, subject: subject, "\(section) names no filename"))
                continue
            }
            guard let expected = image.values["sha256"]?.lowercased(), expected.count == 64, Data(hexString: expected) != nil else {
                checks.append(.failed(.integrityUnverifiable, subject: subject, "\(section) gives no sha256 for '\(name)': nothing vouches for its content"))
                continue
            }
            let file: SquashfsFile
            do throws(MalformedInput) {
                guard let entry = byName[name] else {
                    checks.append(.failed(.manifestMissingEntry, subject: subject, "'\(name)' (\(section)) is not at the top level of the bundle's squashfs"))
                    continue
                }
                guard entry.kind == .file else {
                    checks.append(.failed(.manifestMissingEntry, subject: subject, "'\(name)' (\(section)) is in the bundle's squashfs, but not as a regular file"))
                    continue
                }
                file = try reader.file(entry)
            } catch {
                checks.append(.failed(error.code, subject: subject, "the bundle's squashfs: \(error.message) (at offset \(error.offset.hex))"))
                continue
            }
            if let sizeText = image.values["size"] {
                guard let size = Int64(sizeText), size == file.size else {
                    checks.append(
                        .failed(.manifestEntryMismatch, subject: subject, "'\(name)' has \(file.size) bytes; \(section) says size=\(sizeText): it was changed after signing"))
                    continue
                }
            }
            let digest: String
            if let range = file.storedRange, let computed = input.digests[DigestRequest(.sha256, range)] {
                // Stored as one run: hashed in the file's pass, beside the signed payload.
                digest = computed.hex
            } else {
                guard let context = try? DigestContext(.sha256) else {
                    checks.append(.failed(.integrityUnverifiable, subject: subject, "SHA-256 is not available to check '\(name)'"))
                    continue
                }
                do throws(MalformedInput) {
                    try reader.stream(file) { context.update($0) }
                } catch {
                    checks.append(.failed(error.code, subject: subject, "the bundle's squashfs: \(error.message) (at offset \(error.offset.hex))"))
                    continue
                }
                digest = context.finalize().hex
            }
            guard digest == expected else {
                checks.append(
                    .failed(.manifestEntryMismatch, subject: subject, "'\(name)' has SHA-256 \(digest); \(section) says \(expected): it was changed after signing"))
                continue
            }
            matched += 1
        }
        if matched > 0 && !checks.contains(where: { $0.code == .manifestEntryMismatch }) {
            checks.append(.passed(.manifestEntryMismatch, subject: subject, "\(matched) image(s) match the signed manifest's size and sha256"))
        }
        if !checks.contains(where: { $0.code == .manifestMissingEntry }) {
            checks.append(.passed(.manifestMissingEntry, subject: subject, "every image the manifest lists is in the bundle's squashfs"))
        }
        return checks
    }
}
