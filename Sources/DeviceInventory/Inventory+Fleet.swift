import FirmwareFormats
import FirmwareVerification
import Foundation
import GRDB

extension Inventory {
    /// The fleet's posture as of `at` (entries recorded later are ignored), read in one
    /// transaction: every device, the latest entry per (device, artifact path), a light timeline
    /// of every entry for the chart, and the signer certificates sweeps found in artifacts.
    ///
    /// - Parameters:
    ///   - at: the context time.
    ///   - staleAfter: a device last verified longer ago than this is `stale`.
    ///   - signerWarning: update signers expiring within this are listed.
    public func fleetPosture(
        at: Date, staleAfter: TimeInterval, signerWarning: TimeInterval
    ) throws(FwgateError) -> FleetPosture {
        try readOnly("computing the fleet posture") { db in
            let devices = try DeviceRecord.order(Column("id")).fetchAll(db)
            // Latest by recording time, then by id (entries recorded with the same time).
            // Read column by column (Codable row decoding dominated on 100,000 entries).
            var latest: [PostureEntry] = []
            let latestRows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, deviceID, artifactPath, artifactSHA256, artifactSize, format, version, securityCounter, signerName,
                      signerFingerprint, signerSubject, chainStatus, earliestExpiry, verdict, checks, policyDigest, toolVersion,
                      recordedAt, previousHash, entryHash
                    FROM postureEntry WHERE id IN (
                      SELECT id FROM (
                        SELECT id, ROW_NUMBER() OVER (PARTITION BY deviceID, artifactPath ORDER BY recordedAt DESC, id DESC) AS rank
                        FROM postureEntry WHERE deviceID IS NOT NULL AND recordedAt <= ?
                      ) WHERE rank = 1
                    ) ORDER BY id
                    """, arguments: [at])
            while let row = try latestRows.next() {
                guard let verdict = Verdict(rawValue: row[13]) else { continue }
                latest.append(
                    PostureEntry(
                        id: row[0], deviceID: row[1], artifactPath: row[2], artifactSHA256: row[3], artifactSize: row[4], format: row[5],
                        version: row[6], securityCounter: row[7], signerName: row[8], signerFingerprint: row[9], signerSubject: row[10],
                        chainStatus: row[11], earliestExpiry: row[12], verdict: verdict, checks: row[14], policyDigest: row[15],
                        toolVersion: row[16], recordedAt: row[17], previousHash: row[18], entryHash: row[19]))
            }
            var timeline: [FleetPosture.TimelineEntry] = []
            let rows = try Row.fetchCursor(
                db, sql: "SELECT deviceID, artifactPath, recordedAt, verdict FROM postureEntry WHERE deviceID IS NOT NULL AND recordedAt <= ?",
                arguments: [at])
            while let row = try rows.next() {
                guard let verdict = Verdict(rawValue: row[3]) else { continue }
                timeline.append(.init(deviceID: row[0], artifactPath: row[1], recordedAt: row[2], verdict: verdict))
            }
            let withoutDevice = try Int.fetchOne(db, sql: "SELECT count(*) FROM postureEntry WHERE deviceID IS NULL AND recordedAt <= ?", arguments: [at]) ?? 0
            var signerCertificates: [String: [Date]] = [:]
            let certificates = try Row.fetchCursor(
                db,
                sql: """
                    SELECT l.deviceID, c.notAfter FROM certificateLocation l JOIN certificate c ON c.sha256 = l.certificateSHA256
                    WHERE l.deviceID IS NOT NULL AND l.kind = 'artifact'
                    """)
            while let row = try certificates.next() {
                signerCertificates[row[0], default: []].append(row[1])
            }
            return FleetPosture(
                devices: devices, latest: latest, timeline: timeline, signerCertificates: signerCertificates,
                entries: timeline.count + withoutDevice, entriesWithoutDevice: withoutDevice, at: at, staleAfter: staleAfter,
                signerWarning: signerWarning)
        }
    }
}
