// The baseline for Benchmarks/batch-record.sh: a bare GRDB insert loop of N posture-entry
// rows (one transaction per row, same schema and pragmas as the inventory), with no
// verification and no hash chain. Prints rows per second.
// Usage: fwgate-inventory-bench DB N
import DeviceInventory
import Foundation
import GRDB

let arguments = CommandLine.arguments
guard arguments.count == 3, let count = Int(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: fwgate-inventory-bench DB N\n".utf8))
    exit(2)
}
let path = arguments[1]
_ = try Inventory.open(path: path)  // create and migrate the real schema
var configuration = Configuration()
configuration.busyMode = .timeout(30)
configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
let pool = try DatabasePool(path: path, configuration: configuration)
let start = Date()
for index in 0..<count {
    try pool.write { db in
        try db.execute(
            sql: """
                INSERT INTO postureEntry (deviceID, artifactPath, artifactSHA256, artifactSize, format, version, verdict,
                  checks, toolVersion, recordedAt, previousHash, entryHash)
                VALUES (NULL, ?, ?, 4291, 'mcuboot', '1.0.0+0', 'pass', '[]', 'bench', ?, ?, ?)
                """,
            arguments: ["pkg-\(index % 20).bin", String(repeating: "a", count: 64), Date(), String(repeating: "0", count: 64), "h\(index)"])
    }
}
let seconds = Date().timeIntervalSince(start)
print(String(format: "bare GRDB insert loop: %d rows in %.3f s = %.0f rows/s", count, seconds, Double(count) / seconds))
