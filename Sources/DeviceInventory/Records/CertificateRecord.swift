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

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
