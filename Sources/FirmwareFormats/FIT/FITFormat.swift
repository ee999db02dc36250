import FirmwareCrypto
import Foundation

extension FormatID {
    /// U-Boot Flattened Image Trees (`mkimage -f image.its [-k keys -r] image.itb`).
    public static let fit: FormatID = "fit"
}

extension CheckCode {
    /// A node under /images or /configurations has a unit address (`kernel@1`): libfdt would let
    /// it stand in for the signed node of the same base name (CVE-2021-27138).
    public static let malformedFITUnitAddress: CheckCode = "malformed.fit-unit-address"
    /// An image's data (`data-offset`/`data-position` + `data-size`) lies outside the file, or
    /// the image has no data at all.
    public static let malformedFITDataRange: CheckCode = "malformed.fit-data-range"
    /// A configuration signature verifies only over the nodes its own `hashed-nodes` lists,
    /// which leave out images the configuration boots: U-Boot before 2021 accepted it, U-Boot
    /// since (and fwgate) derive the list from the configuration and refuse it.
    public static let signatureFITHashedNodes: CheckCode = "signature.fit-hashed-nodes"
    /// An image a configuration boots has no cryptographic hash node, so no configuration
    /// signature can bind its data.
    public static let integrityFITUnsignedImage: CheckCode = "integrity.fit-unsigned-image"
}

/// U-Boot FIT images: a device tree of images (kernel, device trees, ramdisks, loadables, with
/// data embedded or after the tree) and configurations that combine them, signed per
/// configuration. Verified as U-Boot's `bootm` does with `required = "conf"` keys
/// (boot/image-fit-sig.c `fit_config_check_sig`, boot/image-fit.c `fit_image_verify`), and
/// stricter:
///
/// - the nodes a configuration signature covers are derived from the configuration (the root,
///   the configuration, every image it names with its hash nodes), never read from the
///   signer's `hashed-nodes`;
/// - every image every configuration names needs a SHA-2 hash node that matches its data;
///   every hash node of every image is checked, named or not;
/// - the default configuration (the one that boots) must carry a signature that verifies with a
///   trusted key; another configuration without one is a warning, a signature that fails
///   anywhere is a failure;
/// - no unit addresses in image or configuration names, every data range inside the file, no
///   bytes after the tree and its external data but erased flash.
public enum FITFormat: FirmwareFormat {
    public static let id: FormatID = .fit
    public static let name = "U-Boot FIT image"
    public static let detects = "FDT magic 0xd00dfeed at offset 0 and an /images node"
    public static let verifies = [
        "the device tree: header, blocks, tokens, names, depth, no duplicate nodes or properties",
        "every image's hash nodes (crc32, md5, sha1, sha256, sha384, sha512) over its data, embedded or external",
        "every configuration's signature (sha1/sha256/sha384/sha512 with rsa2048/3072/4096 PKCS#1 v1.5 or PSS, ecdsa256/384) over the nodes derived from the configuration, with a trusted key named by key-name-hint",
        "image signature nodes over the image data",
        "the default configuration is signed; every image it boots is bound by a SHA-2 hash",
        "no unit addresses (CVE-2021-27138); data inside the file; no unsigned bytes after the tree",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedTruncated, .malformedBadMagic, .malformedFDTStructure, .malformedFITUnitAddress, .malformedFITDataRange,
        .integrityDigestMismatch, .integrityCRCMismatch, .integrityUnverifiable, .integrityUnsignedTrailingData,
        .integrityFITUnsignedImage, .signatureInvalid, .signatureMissing, .signatureUnsupportedAlgorithm, .signatureFITHashedNodes,
        .keyUntrusted, .algorithmWeak, .manifestMissingEntry,
    ]
    public static let passPhrases: [CheckCode: String] = [
        .signatureFITHashedNodes: "signed nodes cover the configuration",
        .integrityFITUnsignedImage: "images bound by a hash",
    ]

    /// The FDT magic. (A plain device tree also matches; it then fails to parse as a FIT,
    /// naming the missing /images node.)
    public static func sniff(_ source: any ByteSource) -> Bool {
        guard source.count >= 4, let head = try? source.bytes(at: 0, length: 4) else { return false }
        return [UInt8](head) == [0xd0, 0x0d, 0xfe, 0xed]
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> FITDescription {
        try FITParser.parse(source)
    }

    /// Each image's SHA/MD5 hash nodes and image signatures over its data; CRC-32 and the
    /// configuration regions are computed by the verifier.
    public static func digestRequests(for description: FITDescription) -> [DigestRequest] {
        var requests: [DigestRequest] = []
        for image in description.images {
            for hash in image.hashes {
                if let algorithm = FITAlgorithms.digest(hash.algorithm) { requests.append(DigestRequest(algorithm, image.dataRange)) }
            }
            for signature in image.signatures {
                if let algorithm = FITAlgorithms.signature(signature.algorithm)?.digest {
                    requests.append(DigestRequest(algorithm, image.dataRange))
                }
            }
        }
        var seen = Set<DigestRequest>()
        return requests.filter { seen.insert($0).inserted }
    }

    public static func verify(_ description: FITDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        FITVerifier(description: description, input: input).verify()
    }
}

/// FIT's algorithm names (`algo` properties).
enum FITAlgorithms {
    static func digest(_ name: String) -> DigestAlgorithm? {
        switch name {
        case "md5": .md5
        case "sha1": .sha1
        case "sha256": .sha256
        case "sha384": .sha384
        case "sha512": .sha512
        default: nil
        }
    }

    struct SignatureAlgorithm: Equatable {
        enum Key: Equatable {
            case rsa(bits: Int)
            case ecdsa(ECCurve)
        }
        var digest: DigestAlgorithm
        var key: Key

        func matches(_ algorithm: KeyAlgorithm) -> Bool {
            switch (key, algorithm) {
            case (.rsa(let bits), .rsa(let keyBits)), (.rsa(let bits), .rsaPSS(let keyBits)): bits == keyBits
            case (.ecdsa(let curve), .ec(let keyCurve)): curve == keyCurve
            default: false
            }
        }
    }

    /// `sha256,rsa2048`, `sha384,ecdsa384`, ... (U-Boot's `image_get_checksum_algo` and
    /// `image_get_crypto_algo` tables).
    static func signature(_ name: String) -> SignatureAlgorithm? {
        let parts = name.split(separator: ",").map(String.init)
        guard parts.count == 2, let digest = digest(parts[0]), digest != .md5 else { return nil }
        switch parts[1] {
        case "rsa2048": return SignatureAlgorithm(digest: digest, key: .rsa(bits: 2048))
        case "rsa3072": return SignatureAlgorithm(digest: digest, key: .rsa(bits: 3072))
        case "rsa4096": return SignatureAlgorithm(digest: digest, key: .rsa(bits: 4096))
        case "ecdsa256": return SignatureAlgorithm(digest: digest, key: .ecdsa(.p256))
        case "ecdsa384": return SignatureAlgorithm(digest: digest, key: .ecdsa(.p384))
        case "ecdsa521": return SignatureAlgorithm(digest: digest, key: .ecdsa(.p521))
        default: return nil
        }
    }
}
