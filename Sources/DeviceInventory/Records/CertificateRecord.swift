import Foundation
import GRDB

/// A certificate seen by a sweep (table `certificate`), one row per SHA-256.
public struct CertificateRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certificate"
    public var sha256: String
    public var subject: String
    public var issuer: String
    public var serial: String
    public var notBefore: Date
    public var notAfter: Date
    public var firstSeen: Date
    public var lastSeen: Date

    /// Every stored property (the memberwise initialiser, for the PostgreSQL backend).
    package init(
        sha256: String,
        subject: String,
        issuer: String,
        serial: String,
        notBefore: Date,
        notAfter: Date,
        firstSeen: Date,
        lastSeen: Date
    ) {
        self.sha256 = sha256
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
    }
}

/// Where a certificate was found, and when last (table `certificateLocation`).
public struct CertificateLocationRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "certificateLocation"
    public var id: Int64?
    public var certificateSHA256: String
    public var path: String?
    public var endpoint: String?
    public var deviceID: String?
    public var kind: String
    public var lastSwept: Date

    /// Every stored property (the memberwise initialiser, for the PostgreSQL backend).
    package init(
        id: Int64? = nil,
        certificateSHA256: String,
        path: String? = nil,
        endpoint: String? = nil,
        deviceID: String? = nil,
        kind: String,
        lastSwept: Date
    ) {
        self.id = id
        self.certificateSHA256 = certificateSHA256
        self.path = path
        self.endpoint = endpoint
        self.deviceID = deviceID
        self.kind = kind
        self.lastSwept = lastSwept
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
