import FirmwareFormats
import FirmwareVerification
import Foundation
import GRDB

extension Inventory {
    /// Records a sweep's certificates and locations (one transaction). A location whose device
    /// is not in the inventory is stored without a device.
    ///
    /// - Returns: how many certificates and locations were written.
    @discardableResult
    public func record(sweep: SweepResult) throws(FwgateError) -> (certificates: Int, locations: Int) {
        try writeTransaction("recording the sweep") { db in
            let knownDevices = Set(try String.fetchAll(db, sql: "SELECT id FROM device"))
            // Prepared once: a sweep of 10,000 files writes 20,000 rows.
            let upsertCertificate = try db.cachedStatement(
                sql: """
                    INSERT INTO certificate (sha256, subject, issuer, serial, notBefore, notAfter, firstSeen, lastSeen)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(sha256) DO UPDATE SET lastSeen = max(lastSeen, excluded.lastSeen)
                    """)
            let upsertLocation = try db.cachedStatement(
                sql: """
                    INSERT INTO certificateLocation (certificateSHA256, path, endpoint, deviceID, kind, lastSwept)
                    VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET lastSwept = excluded.lastSwept
                    """)
            var locations = 0
            for swept in sweep.certificates {
                try upsertCertificate.execute(arguments: [
                    swept.sha256, swept.subject, swept.issuer, swept.serial, swept.notBefore, swept.notAfter, sweep.at, sweep.at,
                ])
                for location in swept.locations {
                    let device = location.device.flatMap { knownDevices.contains($0) ? $0 : nil }
                    try upsertLocation.execute(arguments: [swept.sha256, location.path, location.endpoint, device, location.kind, sweep.at])
                    locations += 1
                }
            }
            return (sweep.certificates.count, locations)
        }
    }

    /// A device's certificate, as recorded by sweeps.
    public struct DeviceCertificate: Sendable, Codable {
        public var certificate: CertificateRecord
        public var location: CertificateLocationRecord

        /// Every stored property (the memberwise initialiser, for the PostgreSQL backend).
        package init(
            certificate: CertificateRecord,
            location: CertificateLocationRecord
        ) {
            self.certificate = certificate
            self.location = location
        }

    }

    /// The certificates recorded for a device, soonest expiry first.
    public func certificates(forDevice id: String) throws(FwgateError) -> [DeviceCertificate] {
        try readOnly("reading certificates of \(id)") { db in
            let locations = try CertificateLocationRecord.filter(Column("deviceID") == id).fetchAll(db)
            return try locations.compactMap { location in
                try CertificateRecord.fetchOne(db, key: location.certificateSHA256).map {
                    DeviceCertificate(certificate: $0, location: location)
                }
            }.sorted { $0.certificate.notAfter < $1.certificate.notAfter }
        }
    }
}
