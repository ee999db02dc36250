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
    /// How `entryHash` is computed: 1 (entries written before the `v3-entry-hash-version`
    /// migration; nil when an older database is read without migrating), 2, which adds the
    /// entry's `id` and this version to the hashed form, or 3, which adds the `site` too.
    public var hashVersion: Int?
    /// The site that recorded the entry (`--site`, `$FWGATE_SITE`, default the host name), or
    /// nil for entries recorded without one (before the `v4-entry-site` migration, or through
    /// the library without a site). Hashed from hash version 3 on.
    public var site: String?

    /// Every stored property (the memberwise initialiser, for the PostgreSQL backend).
    package init(
        id: Int64? = nil,
        deviceID: String? = nil,
        artifactPath: String,
        artifactSHA256: String? = nil,
        artifactSize: Int64,
        format: String,
        version: String? = nil,
        securityCounter: Int64? = nil,
        signerName: String? = nil,
        signerFingerprint: String? = nil,
        signerSubject: String? = nil,
        chainStatus: String? = nil,
        earliestExpiry: Date? = nil,
        verdict: Verdict,
        checks: String,
        policyDigest: String? = nil,
        toolVersion: String,
        recordedAt: Date,
        previousHash: String,
        entryHash: String,
        hashVersion: Int? = nil,
        site: String? = nil
    ) {
        self.id = id
        self.deviceID = deviceID
        self.artifactPath = artifactPath
        self.artifactSHA256 = artifactSHA256
        self.artifactSize = artifactSize
        self.format = format
        self.version = version
        self.securityCounter = securityCounter
        self.signerName = signerName
        self.signerFingerprint = signerFingerprint
        self.signerSubject = signerSubject
        self.chainStatus = chainStatus
        self.earliestExpiry = earliestExpiry
        self.verdict = verdict
        self.checks = checks
        self.policyDigest = policyDigest
        self.toolVersion = toolVersion
        self.recordedAt = recordedAt
        self.previousHash = previousHash
        self.entryHash = entryHash
        self.hashVersion = hashVersion
        self.site = site
    }

    /// The hash version new entries without a site are written with.
    public static let currentHashVersion = 2
    /// The hash version new entries with a site are written with.
    public static let siteHashVersion = 3

    /// The hash version a new entry gets: 3 when it names its site (the site is then hashed),
    /// else 2 (as before sites existed, so entries the library records without one are
    /// unchanged).
    public static func hashVersion(forSite site: String?) -> Int { site == nil ? currentHashVersion : siteHashVersion }

    /// The hash of the first entry's predecessor.
    public static let genesisHash = String(repeating: "0", count: 64)

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// The canonical form hashed into `entryHash`: every field but `entryHash` (for hash
    /// version 1, but `id`, `hashVersion` and `site`; for version 2, but `site`), as a JSON object with keys in sorted order, no
    /// white space, strings escaped as RFC 8259 §7 requires (`"`, `\`, and control characters
    /// as `\u00XX`), integers in decimal, missing values as `null`, and dates as whole seconds
    /// since 1970 (stable across platforms).
    ///
    /// - Throws: `FwgateError(.database)` for a version-2 entry without an id (not yet stored)
    ///   or an unknown hash version.
    public func canonicalForm() throws(FwgateError) -> Data {
        var fields: [(String, String)] = []
        // Keys are the stored column names (CodingKeys), so the hashed form and the table
        // cannot drift apart.
        func string(_ key: CodingKeys, _ value: String?) {
            fields.append((key.stringValue, value.map(Self.jsonString) ?? "null"))
        }
        func integer(_ key: CodingKeys, _ value: Int64?) {
            fields.append((key.stringValue, value.map { String($0) } ?? "null"))
        }
        string(CodingKeys.artifactPath, artifactPath)
        string(CodingKeys.artifactSHA256, artifactSHA256)
        integer(CodingKeys.artifactSize, artifactSize)
        string(CodingKeys.chainStatus, chainStatus)
        string(CodingKeys.checks, checks)
        string(CodingKeys.deviceID, deviceID)
        integer(CodingKeys.earliestExpiry, earliestExpiry.map { Int64($0.timeIntervalSince1970.rounded(.down)) })
        string(CodingKeys.format, format)
        string(CodingKeys.policyDigest, policyDigest)
        string(CodingKeys.previousHash, previousHash)
        integer(CodingKeys.recordedAt, Int64(recordedAt.timeIntervalSince1970.rounded(.down)))
        integer(CodingKeys.securityCounter, securityCounter)
        string(CodingKeys.signerFingerprint, signerFingerprint)
        string(CodingKeys.signerName, signerName)
        string(CodingKeys.signerSubject, signerSubject)
        string(CodingKeys.toolVersion, toolVersion)
        string(CodingKeys.verdict, verdict.rawValue)
        string(CodingKeys.version, version)
        switch hashVersion ?? 1 {
        case 1:
            break
        case 2:
            guard let id else { throw FwgateError(.database, "a version-2 posture entry is hashed with its id, and this one has none") }
            integer(CodingKeys.hashVersion, 2)
            integer(CodingKeys.id, id)
        case 3:
            guard let id else { throw FwgateError(.database, "a version-3 posture entry is hashed with its id, and this one has none") }
            integer(CodingKeys.hashVersion, 3)
            integer(CodingKeys.id, id)
            string(CodingKeys.site, site)
        case let other:
            throw FwgateError(.database, "posture entry \(id.map(String.init) ?? "?") has hash version \(other), which this fwgate does not know")
        }
        fields.sort { $0.0 < $1.0 }
        let body = fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",")
        return Data(("{" + body + "}").utf8)
    }

    /// The checks as a JSON array, keys sorted (`code`, `detail`, `message`, `status`,
    /// `subject`), the same shape `JSONEncoder` writes and ``decodedChecks`` reads back. Written
    /// directly: a batch records thousands of entries and Foundation's encoder dominated.
    public static func checksJSON(_ checks: [Check]) -> String {
        var out = "["
        for (index, check) in checks.enumerated() {
            if index > 0 { out += "," }
            out += "{\"code\":" + jsonString(check.code.rawValue)
            if let detail = check.detail {
                out += ",\"detail\":{"
                out += detail.keys.sorted().map { jsonString($0) + ":" + jsonString(detail[$0]!) }.joined(separator: ",")
                out += "}"
            }
            out += ",\"message\":" + jsonString(check.message) + ",\"status\":" + jsonString(check.status.rawValue)
            out += ",\"subject\":" + jsonString(check.subject) + "}"
        }
        return out + "]"
    }

    /// A JSON string literal (RFC 8259 §7), built over UTF-8 bytes: `"` and `\` escaped,
    /// control characters as `\n`, `\r`, `\t` or `\u00XX`, everything else copied.
    static func jsonString(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes -> String in
            if !bytes.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                var out = [UInt8]()
                out.reserveCapacity(bytes.count + 2)
                out.append(UInt8(ascii: "\""))
                out.append(contentsOf: bytes)
                out.append(UInt8(ascii: "\""))
                return String(decoding: out, as: UTF8.self)
            }
            let hexDigits = Array("0123456789abcdef".utf8)
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + bytes.count / 8 + 2)
            out.append(UInt8(ascii: "\""))
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "\""): out += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
                case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
                case 0x0A: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
                case 0x0D: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
                case 0x09: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
                case ..<0x20:
                    out += Array("\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0F)])
                default: out.append(byte)
                }
            }
            out.append(UInt8(ascii: "\""))
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// The time an entry is stored and hashed with: whole seconds. The canonical form hashes
    /// whole seconds, and SQLite stores what GRDB writes (milliseconds, rounded): a time 0.4 ms
    /// before a second was hashed as that second and read back as the next, so its entry
    /// failed the audit although nothing had changed. Storing whole seconds makes what is
    /// stored exactly what is hashed.
    public static func storedTime(_ date: Date) -> Date {
        Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down))
    }

    /// Entries written before ``storedTime(_:)`` existed may carry a time rounded up to a whole
    /// second in storage (`…:50.000`) that was hashed as the second before. Such an entry
    /// matches its hash with the second before; only an entry stored at exactly `.000` gets
    /// this reading, and the hash must still match in full.
    func matchesHashRecordedBeforeWholeSeconds() -> Bool {
        let seconds = recordedAt.timeIntervalSince1970
        guard seconds == seconds.rounded(.down) else { return false }
        var earlier = self
        earlier.recordedAt = Date(timeIntervalSince1970: seconds - 0.5)
        return (try? earlier.computedHash()) == entryHash
    }

    /// SHA-256 of ``canonicalForm()``, lowercase hex.
    ///
    /// - Throws: `FwgateError(.database)` when the form cannot be made (see
    ///   ``canonicalForm()``) or OpenSSL cannot hash: never an empty or made-up hash.
    public func computedHash() throws(FwgateError) -> String {
        let form = try canonicalForm()
        do {
            return try Digest.hash(form, using: .sha256).hex
        } catch {
            throw FwgateError(.database, "cannot hash posture entry \(id.map(String.init) ?? "(new)"): \(error.reason)")
        }
    }

    /// The checks, decoded.
    public var decodedChecks: [Check] {
        (try? JSONDecoder().decode([Check].self, from: Data(checks.utf8))) ?? []
    }
}

extension Verdict: DatabaseValueConvertible {}

// MARK: - The table (GRDB record conventions: the type owns its columns and its insert)

extension PostureEntry {
    /// The columns queries filter and order by, named by the record's own coding keys.
    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let deviceID = Column(CodingKeys.deviceID)
        public static let format = Column(CodingKeys.format)
        public static let verdict = Column(CodingKeys.verdict)
        public static let recordedAt = Column(CodingKeys.recordedAt)
        public static let entryHash = Column(CodingKeys.entryHash)
    }

    /// Every stored column, in the order ``insert(with:)`` binds the values: the one field list
    /// of the table (a test checks it against the schema).
    private static let storedColumns: [CodingKeys] = [
        .id, .deviceID, .artifactPath, .artifactSHA256, .artifactSize, .format, .version, .securityCounter, .signerName,
        .signerFingerprint, .signerSubject, .chainStatus, .earliestExpiry, .verdict, .checks, .policyDigest, .toolVersion,
        .recordedAt, .previousHash, .entryHash, .hashVersion, .site,
    ]

    /// The column names, for the schema test.
    public static var storedColumnNames: [String] { storedColumns.map(\.stringValue) }

    /// The insert statement, prepared once per connection and cached by GRDB (statement
    /// preparation dominated large batches).
    static func insertStatement(_ db: Database) throws -> Statement {
        let names = storedColumns.map(\.stringValue)
        return try db.cachedStatement(
            sql: "INSERT INTO \(databaseTableName) (\(names.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: names.count).joined(separator: ", ")))")
    }

    /// Inserts this entry with ``insertStatement(_:)``, values in ``storedColumns`` order.
    func insert(with statement: Statement) throws {
        try statement.execute(arguments: [
            id, deviceID, artifactPath, artifactSHA256, artifactSize, format, version, securityCounter, signerName, signerFingerprint,
            signerSubject, chainStatus, earliestExpiry, verdict.rawValue, checks, policyDigest, toolVersion, recordedAt, previousHash,
            entryHash, hashVersion, site,
        ])
    }
}
