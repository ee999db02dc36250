import FirmwareCrypto
import Foundation

/// Helpers for the small text signature files (minisign, signify): bounded reading, lines,
/// base64, and reading a whole signed file for pure Ed25519.
public enum SignatureText {
    public static let untrusted = "untrusted comment: "
    public static let trusted = "trusted comment: "
    /// Pure Ed25519 signs the message itself, which cannot be streamed: files up to this size
    /// are read whole; larger ones are refused (and the message says how to sign them instead).
    public static let wholeFileLimit: Int64 = 256 << 20

    /// The file's lines (without their line ends), or nil when it is larger than `limit` bytes
    /// or not UTF-8.
    public static func lines(_ source: any ByteSource, limit: Int) -> [Substring]? {
        guard source.count <= Int64(limit), let data = try? source.bytes(at: 0, length: Int(source.count)),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// The first lines of a file of any size, from its first 1 KiB (for detection).
    public static func headLines(_ source: any ByteSource) -> [Substring] {
        guard let data = try? source.bytes(at: 0, length: Int(min(source.count, 1024))) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
    }

    /// Strict base64 of one line.
    public static func base64(_ line: Substring) -> Data? { Data(base64Encoded: String(line)) }

    /// Why a whole file could not be read for a pure Ed25519 check, as the failed check to report.
    public struct Unverifiable: Error {
        public let check: Check
    }

    /// The whole primary file, for a pure Ed25519 check.
    ///
    /// - Throws: ``Unverifiable`` when the file is too large or cannot be read.
    public static func wholeFile(_ source: any ByteSource, path: String) throws(Unverifiable) -> Data {
        guard source.count <= wholeFileLimit else {
            throw Unverifiable(check:
                .failed(
                    .integrityUnverifiable, subject: path,
                    "this signature signs the whole \(source.count)-byte file with pure Ed25519, which fwgate checks only up to \(wholeFileLimit >> 20) MiB (it cannot be streamed); sign large files prehashed (minisign's default)"
                ))
        }
        do {
            return try source.bytes(at: 0, length: Int(source.count))
        } catch {
            throw Unverifiable(check: .failed(.integrityUnverifiable, subject: path, "could not read \(path): \(error.reason)"))
        }
    }
}
