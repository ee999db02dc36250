import FirmwareCrypto
import FirmwareFormats
import Foundation

/// minisign and signify public key files: an `untrusted comment:` line, then the base64 of
/// `"Ed"`, an 8-byte key id and the 32-byte Ed25519 public key (minisign doc "Public key
/// format"; signify(1), OpenBSD `struct pubkey`). Both tools use the same layout.
enum Ed25519KeyFile {
    static let commentPrefix = "untrusted comment:"

    /// True when the file starts like one of these key files.
    static func looksLikeOne(_ bytes: Data) -> Bool { bytes.starts(with: Data(commentPrefix.utf8)) }

    /// The key, named after its file, with its key id.
    ///
    /// - Throws: `FwgateError(.invalidTrust)` naming the file and what is wrong.
    static func key(_ bytes: Data, name: String, source: String) throws(FwgateError) -> TrustedKey {
        let lines = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        guard lines.count >= 2, let blob = Data(base64Encoded: lines[1].trimmingCharacters(in: .whitespaces)) else {
            throw FwgateError(.invalidTrust, "\(source): an 'untrusted comment:' line but no base64 key line after it")
        }
        guard blob.count == 42, blob.prefix(2) == Data("Ed".utf8) else {
            throw FwgateError(
                .invalidTrust, "\(source): the key line holds \(blob.count) bytes; a minisign or signify public key holds 42 ('Ed', key id, Ed25519 key)")
        }
        do {
            let key = try PublicKey(rawEd25519: blob.subdata(in: 10..<42))
            return TrustedKey(name: name, key: key, source: source, keyID: blob.subdata(in: 2..<10))
        } catch {
            throw FwgateError(.invalidTrust, "\(source): \(error.reason)")
        }
    }
}
