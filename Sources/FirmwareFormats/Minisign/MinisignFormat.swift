import FirmwareCrypto
import Foundation

extension FormatID {
    /// minisign detached signatures (`minisign -S -m FILE` writes `FILE.minisig`).
    public static let minisign: FormatID = "minisign"
}

/// minisign detached signatures (minisign doc "Signature format"): `fwgate verify FILE
/// --signature FILE.minisig --trust minisign.pub`. Verified as `minisign -V` does, and stricter:
///
/// - the signature's key id must be a trusted key's (key.untrusted otherwise);
/// - the Ed25519 signature over the file's BLAKE2b-512 (algorithm `ED`, the default) or over the
///   file itself (legacy `Ed`) must verify;
/// - the global signature over the signature and the trusted comment must verify (minisign
///   refuses without it too): the trusted comment (often a timestamp and file name) is signed.
public enum MinisignFormat: FirmwareFormat {
    public static let id: FormatID = .minisign
    public static let name = "minisign signature"
    public static let detects = "a --signature file: 'untrusted comment:', a base64 line of 74 bytes starting 'Ed' or 'ED', 'trusted comment:'"
    public static let verifies = [
        "the key id names a trusted minisign key",
        "Ed25519 over the file's BLAKE2b-512 (ED) or over the file (legacy Ed, files up to 256 MiB)",
        "the global signature over the signature and the trusted comment",
    ]
    public static let checkCodes: [CheckCode] = [
        .malformedEncoding, .malformedTruncated, .signatureInvalid, .keyUntrusted, .integrityUnverifiable,
    ]
    public static let parsedPart: ParsedPart = .companion(.signature)
    public static let companionRoles: Set<Artifact.Role> = [.signature]

    public static func sniff(_ source: any ByteSource) -> Bool {
        let lines = SignatureText.headLines(source)
        guard lines.count >= 4 else { return false }
        return lines[0].hasPrefix(SignatureText.untrusted) && lines[2].hasPrefix(SignatureText.trusted)
            && (SignatureText.base64(lines[1])?.count == 74)
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> MinisignDescription {
        try MinisignDescription.parse(source)
    }

    /// BLAKE2b-512 of the whole file for prehashed signatures (the legacy ones read the file).
    public static func digestRequests(for description: MinisignDescription) -> [DigestRequest] {
        description.prehashed ? [.wholeFile(.blake2b512)] : []
    }

    public static func verify(_ description: MinisignDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        let subject = input.artifact.companion(.signature) ?? input.path
        guard let key = input.trustedKeys.first(where: { $0.keyID == description.keyIDBytes }) else {
            let ids = input.trustedKeys.compactMap { trusted in trusted.keyID.map { "'\(trusted.name)' \($0.minisignKeyID)" } }
            return FormatVerificationResult(
                checks: [
                    .failed(
                        .keyUntrusted, subject: subject,
                        "signed by minisign key \(description.keyID), which is not trusted (trusted minisign keys: \(ids.isEmpty ? "none" : ids.joined(separator: ", ")))")
                ],
                signed: true)
        }
        var checks: [Check] = [.passed(.keyUntrusted, subject: subject, "key id \(description.keyID) is trusted key '\(key.name)'")]
        let message: Data
        if description.prehashed {
            guard let digest = input.wholeFileDigest(.blake2b512) else {
                return FormatVerificationResult(
                    checks: checks + [.failed(.integrityUnverifiable, subject: subject, "the BLAKE2b-512 of \(input.path) was not computed")], signed: true)
            }
            message = digest.bytes
        } else {
            do {
                message = try SignatureText.wholeFile(input.source, path: input.path)
            } catch {
                return FormatVerificationResult(checks: checks + [error.check], signed: true)
            }
        }
        let what = description.prehashed ? "the BLAKE2b-512 of \(input.path)" : input.path
        switch key.key.verify(signature: description.signature, over: .message(message), scheme: .ed25519) {
        case .valid:
            checks.append(.passed(.signatureInvalid, subject: subject, "Ed25519 signature over \(what) verifies with '\(key.name)'"))
        default:
            checks.append(
                .failed(
                    .signatureInvalid, subject: subject,
                    "Ed25519 signature over \(what) does not verify with trusted key '\(key.name)': the file or the signature was changed"))
        }
        switch key.key.verify(signature: description.globalSignature, over: .message(description.signature + Data(description.trustedComment.utf8)), scheme: .ed25519) {
        case .valid:
            checks.append(.passed(.signatureInvalid, subject: "\(subject): trusted comment", "the trusted comment '\(description.trustedComment)' is signed"))
        default:
            checks.append(
                .failed(
                    .signatureInvalid, subject: "\(subject): trusted comment",
                    "the global signature over the trusted comment does not verify: the comment '\(description.trustedComment)' was changed"))
        }
        let failed = checks.contains { $0.status == .failed }
        return FormatVerificationResult(
            checks: checks, signer: failed ? nil : Signer(name: key.name, keyFingerprint: key.fingerprint), signed: true,
            signingKey: key.key)
    }
}

/// What `fwgate inspect --signature` shows of a .minisig file.
public struct MinisignDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .minisign }
    /// `ED` (prehashed BLAKE2b-512) or `Ed` (legacy, the file itself).
    public var algorithm: String
    /// The key id as minisign prints it (upper-case hex of the little-endian number).
    public var keyID: String
    public var untrustedComment: String
    /// Signed by the global signature.
    public var trustedComment: String
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }

    var keyIDBytes: Data
    var signature: Data
    var globalSignature: Data
    var prehashed: Bool { algorithm == "ED" }

    enum CodingKeys: String, CodingKey { case format, algorithm, keyID, untrustedComment, trustedComment }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(algorithm, forKey: .algorithm)
        try container.encode(keyID, forKey: .keyID)
        try container.encode(untrustedComment, forKey: .untrustedComment)
        try container.encode(trustedComment, forKey: .trustedComment)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a minisign description is made by parsing, not decoded"))
    }

    init(algorithm: String, keyIDBytes: Data, untrustedComment: String, trustedComment: String, signature: Data, globalSignature: Data) {
        self.algorithm = algorithm
        self.keyIDBytes = keyIDBytes
        self.keyID = keyIDBytes.minisignKeyID
        self.untrustedComment = untrustedComment
        self.trustedComment = trustedComment
        self.signature = signature
        self.globalSignature = globalSignature
    }

    /// Four lines: untrusted comment, base64(algorithm ‖ key id ‖ signature), trusted comment,
    /// base64(global signature).
    static func parse(_ source: any ByteSource) throws(MalformedInput) -> MinisignDescription {
        guard let lines = SignatureText.lines(source, limit: 65536) else {
            throw MalformedInput(.malformedEncoding, at: 0, "a minisign signature is a small text file; this one is larger than 64 KiB or not UTF-8")
        }
        guard lines.count >= 4 else {
            throw MalformedInput(.malformedTruncated, at: 0, "a minisign signature has 4 lines; this one has \(lines.count)")
        }
        guard lines[0].hasPrefix(SignatureText.untrusted) else {
            throw MalformedInput(.malformedEncoding, at: 0, "line 1 does not start with '\(SignatureText.untrusted)'")
        }
        guard let blob = SignatureText.base64(lines[1]), blob.count == 74, ["Ed", "ED"].contains(String(decoding: blob.prefix(2), as: UTF8.self)) else {
            throw MalformedInput(.malformedEncoding, at: 0, "line 2 is not the base64 of 'Ed' or 'ED', an 8-byte key id and a 64-byte signature")
        }
        guard lines[2].hasPrefix(SignatureText.trusted) else {
            throw MalformedInput(.malformedEncoding, at: 0, "line 3 does not start with '\(SignatureText.trusted)'")
        }
        guard let global = SignatureText.base64(lines[3]), global.count == 64 else {
            throw MalformedInput(.malformedEncoding, at: 0, "line 4 is not the base64 of a 64-byte global signature")
        }
        return MinisignDescription(
            algorithm: String(decoding: blob.prefix(2), as: UTF8.self), keyIDBytes: blob.subdata(in: 2..<10),
            untrustedComment: String(lines[0].dropFirst(SignatureText.untrusted.count)).trimmingCharacters(in: .whitespaces),
            trustedComment: String(lines[2].dropFirst(SignatureText.trusted.count)), signature: blob.subdata(in: 10..<74),
            globalSignature: global)
    }
}

extension Data {
    /// minisign's way of printing a key id: the 8 bytes as a little-endian number, upper-case hex.
    public var minisignKeyID: String { reversed().map { String($0, radix: 16, uppercase: true).leftPadded2 }.joined() }
}

extension String {
    fileprivate var leftPadded2: String { count < 2 ? "0" + self : self }
}
