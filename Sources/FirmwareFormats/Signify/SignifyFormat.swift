import FirmwareCrypto
import Foundation

extension FormatID {
    /// OpenBSD signify detached signatures (`signify -S -s KEY.sec -m FILE` writes `FILE.sig`).
    public static let signify: FormatID = "signify"
}

/// signify detached signatures (signify(1); OpenBSD usr.bin/signify `struct sig`): `fwgate verify
/// FILE --signature FILE.sig --trust KEY.pub`. Verified as `signify -V` does: the key number must
/// be a trusted key's, and the Ed25519 signature over the file must verify. signify signs the
/// file itself (pure Ed25519), so files up to 256 MiB are checked; embedded signatures
/// (`signify -e`, the message after the signature) are refused: give the message as the file.
public enum SignifyFormat: FirmwareFormat {
    public static let id: FormatID = .signify
    public static let name = "signify signature"
    public static let detects = "a --signature file: 'untrusted comment:' and one base64 line of 74 bytes starting 'Ed', nothing after"
    public static let verifies = [
        "the key number names a trusted signify key",
        "Ed25519 over the file (files up to 256 MiB)",
    ]
    public static let checkCodes: [CheckCode] = [.malformedEncoding, .malformedTruncated, .signatureInvalid, .keyUntrusted, .integrityUnverifiable]
    public static let parsedPart: ParsedPart = .companion(.signature)
    public static let companionRoles: Set<Artifact.Role> = [.signature]

    public static func sniff(_ source: any ByteSource) -> Bool {
        let lines = SignatureText.headLines(source)
        guard lines.count >= 2 else { return false }
        let blob = SignatureText.base64(lines[1])
        return lines[0].hasPrefix(SignatureText.untrusted) && blob?.count == 74 && blob?.prefix(2) == Data("Ed".utf8)
            && !(lines.count > 2 && lines[2].hasPrefix(SignatureText.trusted))
    }

    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> SignifyDescription {
        let lines = SignatureText.headLines(source)
        guard lines.count >= 2, lines[0].hasPrefix(SignatureText.untrusted) else {
            throw MalformedInput(.malformedTruncated, at: 0, "a signify signature is an 'untrusted comment:' line and a base64 line")
        }
        guard let blob = SignatureText.base64(lines[1]), blob.count == 74, blob.prefix(2) == Data("Ed".utf8) else {
            throw MalformedInput(.malformedEncoding, at: 0, "line 2 is not the base64 of 'Ed', an 8-byte key number and a 64-byte signature")
        }
        // The two lines and their line ends; anything after them is not part of a signature.
        let end = Int64(lines[0].utf8.count + lines[1].utf8.count + 2)
        if source.count > end, source.firstByte(notEqualTo: 0x0a, in: end..<source.count) != nil {
            throw MalformedInput(
                .malformedEncoding, at: end,
                "the file continues after the signature (a signify -e embedded message): verify the message as the file, with the signature alone")
        }
        return SignifyDescription(
            keyNumberBytes: blob.subdata(in: 2..<10),
            untrustedComment: String(lines[0].dropFirst(SignatureText.untrusted.count)).trimmingCharacters(in: .whitespaces),
            signature: blob.subdata(in: 10..<74))
    }

    public static func digestRequests(for description: SignifyDescription) -> [DigestRequest] { [] }

    public static func verify(_ description: SignifyDescription, input: FormatVerificationInput) -> FormatVerificationResult {
        let subject = input.artifact.companion(.signature) ?? input.path
        guard let key = input.trustedKeys.first(where: { $0.keyID == description.keyNumberBytes }) else {
            let known = input.trustedKeys.compactMap { trusted in trusted.keyID.map { "'\(trusted.name)' \($0.hexString)" } }
            return FormatVerificationResult(
                checks: [
                    .failed(
                        .keyUntrusted, subject: subject,
                        "signed by signify key number \(description.keyNumber), which is not trusted (trusted keys: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
                ],
                signed: true)
        }
        var checks: [Check] = [.passed(.keyUntrusted, subject: subject, "key number \(description.keyNumber) is trusted key '\(key.name)'")]
        let message: Data
        do {
            message = try SignatureText.wholeFile(input.source, path: input.path)
        } catch {
            return FormatVerificationResult(checks: checks + [error.check], signed: true)
        }
        if case .valid = key.key.verify(signature: description.signature, over: .message(message), scheme: .ed25519) {
            checks.append(.passed(.signatureInvalid, subject: subject, "Ed25519 signature over \(input.path) verifies with '\(key.name)'"))
            return FormatVerificationResult(checks: checks, signer: Signer(name: key.name, keyFingerprint: key.fingerprint), signed: true, signingKey: key.key)
        }
        checks.append(
            .failed(
                .signatureInvalid, subject: subject,
                "Ed25519 signature over \(input.path) does not verify with trusted key '\(key.name)': the file or the signature was changed"))
        return FormatVerificationResult(checks: checks, signed: true, signingKey: key.key)
    }
}

/// What `fwgate inspect` shows of a signify .sig file.
public struct SignifyDescription: FirmwareDescription, Equatable {
    public var format: FormatID { .signify }
    /// The 8-byte key number, hex.
    public var keyNumber: String
    public var untrustedComment: String
    public var version: String? { nil }
    public var securityCounter: UInt64? { nil }
    var keyNumberBytes: Data
    var signature: Data

    enum CodingKeys: String, CodingKey { case format, keyNumber, untrustedComment }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(format, forKey: .format)
        try container.encode(keyNumber, forKey: .keyNumber)
        try container.encode(untrustedComment, forKey: .untrustedComment)
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a signify description is made by parsing, not decoded"))
    }

    init(keyNumberBytes: Data, untrustedComment: String, signature: Data) {
        self.keyNumberBytes = keyNumberBytes
        self.keyNumber = keyNumberBytes.hexString
        self.untrustedComment = untrustedComment
        self.signature = signature
    }
}
