import GRDB

/// The inventory schema. Named migrations, never edited once shipped: a change is a new
/// migration. Schema terms only (no record types), so old migrations keep meaning what they
/// meant. [GRDB Migrations.md]
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("v1-devices-and-posture") { db in
            try db.create(table: "device") { t in
                t.primaryKey("id", .text).notNull()
                t.column("assetTag", .text)
                t.column("make", .text)
                t.column("model", .text)
                t.column("serialNumber", .text)
                t.column("mac", .text)
                t.column("ip", .text)
                t.column("tlsPort", .integer).check { $0 == nil || ($0 > 0 && $0 < 65536) }
                t.column("location", .text)
                t.column("owner", .text)
                t.column("networkSegment", .text)
                t.column("clinicalUse", .text)
                t.column("storesEPHI", .boolean)
                t.column("baaStatus", .text)
                t.column("supportEndDate", .text)
                t.column("installedVersion", .text)
                t.column("installedSecurityCounter", .integer).check { $0 == nil || $0 >= 0 }
                t.column("updatedAt", .datetime).notNull()
            }

            try db.create(table: "postureEntry") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("deviceID", .text).references("device", onDelete: .restrict)
                t.column("artifactPath", .text).notNull()
                t.column("artifactSHA256", .text)
                t.column("artifactSize", .integer).notNull()
                t.column("format", .text).notNull()
                t.column("version", .text)
                t.column("securityCounter", .integer)
                t.column("signerName", .text)
                t.column("signerFingerprint", .text)
                t.column("signerSubject", .text)
                t.column("chainStatus", .text)
                t.column("earliestExpiry", .datetime)
                t.column("verdict", .text).notNull().check(sql: "verdict IN ('pass', 'warn', 'fail')")
                t.column("checks", .text).notNull()
                t.column("policyDigest", .text)
                t.column("toolVersion", .text).notNull()
                t.column("recordedAt", .datetime).notNull()
                t.column("previousHash", .text).notNull()
                t.column("entryHash", .text).notNull().unique()
            }
            try db.create(index: "postureEntry_deviceID", on: "postureEntry", columns: ["deviceID"])
            try db.create(index: "postureEntry_artifact", on: "postureEntry", columns: ["artifactSHA256", "deviceID"])

            // Append-only: SQLite itself refuses to change or remove a posture entry.
            try db.execute(
                sql: """
                    CREATE TRIGGER postureEntry_no_update BEFORE UPDATE ON postureEntry
                    BEGIN SELECT RAISE(ABORT, 'posture entries are append-only: UPDATE refused'); END;
                    CREATE TRIGGER postureEntry_no_delete BEFORE DELETE ON postureEntry
                    BEGIN SELECT RAISE(ABORT, 'posture entries are append-only: DELETE refused'); END;
                    """)
        }

        migrator.registerMigration("v2-certificates") { db in
            try db.create(table: "certificate") { t in
                t.primaryKey("sha256", .text).notNull()
                t.column("subject", .text).notNull()
                t.column("issuer", .text).notNull()
                t.column("serial", .text).notNull()
                t.column("notBefore", .datetime).notNull()
                t.column("notAfter", .datetime).notNull()
                t.column("firstSeen", .datetime).notNull()
                t.column("lastSeen", .datetime).notNull()
            }
            try db.create(table: "certificateLocation") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("certificateSHA256", .text).notNull().references("certificate", onDelete: .cascade)
                t.column("path", .text)
                t.column("endpoint", .text)
                t.column("deviceID", .text).references("device", onDelete: .setNull)
                t.column("kind", .text).notNull()
                t.column("lastSwept", .datetime).notNull()
                t.check(sql: "path IS NOT NULL OR endpoint IS NOT NULL")
            }
            try db.create(
                index: "certificateLocation_unique", on: "certificateLocation",
                expressions: [Column("certificateSHA256"), sql("ifnull(path, '')"), sql("ifnull(endpoint, '')"), sql("ifnull(deviceID, '')")],
                options: .unique)
            try db.create(index: "certificateLocation_deviceID", on: "certificateLocation", columns: ["deviceID"])
        }

        // Hash version 2 puts each entry's sequence number (its id) and the version itself in
        // the hashed form, so renumbering an entry breaks its hash. Entries written before keep
        // version 1 (the column's default) and keep verifying as they were written.
        migrator.registerMigration("v3-entry-hash-version") { db in
            try db.alter(table: "postureEntry") { t in
                t.add(column: "hashVersion", .integer).notNull().defaults(to: 1)
            }
        }

        // Each entry names the site that recorded it (issue 14: many sites, one inventory).
        // Entries with a site are hash version 3, which hashes the site; entries before keep
        // their version (and site NULL) and keep verifying as they were written.
        migrator.registerMigration("v4-entry-site") { db in
            try db.alter(table: "postureEntry") { t in
                t.add(column: "site", .text)
            }
        }

        return migrator
    }

    private static func sql(_ text: String) -> SQLExpression { SQL(sql: text).sqlExpression }
}
