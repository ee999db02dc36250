import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import GRDB

/// One verification result recorded for a device (table `postureEntry`). Append-only and
/// hash-chained: `entryHash` is the SHA-256 of the entry's canonical form, which includes the
/// previous entry's hash.
public struct PostureEntry: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "postureEntry"

    public var id: Int64?
    /// The device, or nil for procurement of a model.
    public var deviceID: String?
    public var artifactPath: String
    public var artifactSHA256: String?
    public var artifactSize: Int64
    public var format: String
    public var version: String?
    public var securityCounter: Int64?
    public var signerName: String?
    public var signerFingerprint: String?
    public var signerSubject: String?
    /// `valid`, `invalid` or nil when no certificate chain was involved.
    public var chainStatus: String?
    public var earliestExpiry: Date?
    public var verdict: Verdict
    /// Every check, as JSON (the report's `checks` array).
    public var checks: String
    public var policyDigest: String?
    public var toolVersion: String
    public var recordedAt: Date
    public var previousHash: String
    public var entryHash: String

    /// The hash of the first entry's predecessor.
    public static let genesisHash = String(repeating: "0", count: 64)

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The canonical form hashed into `entryHash`: every field but `id` and `entryHash`, as
    /// sorted-key JSON with dates as whole seconds since 1970 (stable across platforms).
    public func canonicalForm() -> Data {
        var fields: [String: JSONValue] = [:]
        func put(_ key: String, _ value: String?) { fields[key] = value.map(JSONValue.string) ?? .null }
        func put(_ key: String, _ value: Int64?) { fields[key] = value.map { .number(Double($0)) } ?? .null }
        put("deviceID", deviceID)
        put("artifactPath", artifactPath)
        put("artifactSHA256", artifactSHA256)
        put("artifactSize", artifactSize)
        put("format", format)
        put("version", version)
        put("securityCounter", securityCounter)
        put("signerName", signerName)
        put("signerFingerprint", signerFingerprint)
        put("signerSubject", signerSubject)
        put("chainStatus", chainStatus)
        put("earliestExpiry", earliestExpiry.map { Int64($0.timeIntervalSince1970.rounded(.down)) })
        put("verdict", verdict.rawValue)
        put("checks", checks)
        put("policyDigest", policyDigest)
        put("toolVersion", toolVersion)
        put("recordedAt", Int64(recordedAt.timeIntervalSince1970.rounded(.down)))
        put("previousHash", previousHash)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(fields)) ?? Data()
    }

    /// SHA-256 of ``canonicalForm()``.
    public func computedHash() -> String {
        (try? Digest.hash(canonicalForm(), using: .sha256).hex) ?? ""
    }

    /// The checks, decoded.
    public var decodedChecks: [Check] {
        (try? JSONDecoder().decode([Check].self, from: Data(checks.utf8))) ?? []
    }
}

extension Verdict: DatabaseValueConvertible {}
