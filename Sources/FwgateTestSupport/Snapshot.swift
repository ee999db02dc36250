import Foundation

/// Whole-output snapshots of the built binary (as swift-argument-parser's test helpers pin
/// output): stdout, stderr and the exit status, compared with `Tests/fwgateTests/Snapshots/<name>.txt`.
/// `RECORD_SNAPSHOTS=1 swift test` rewrites the files; review the diff before committing.
public enum Snapshot {
    public static let folder = ProjectPaths.root.appendingPathComponent("Tests/fwgateTests/Snapshots")

    /// The text a result is pinned as.
    public static func render(_ result: BinaryRunner.Result, arguments: [String]) -> String {
        "$ fwgate \(arguments.joined(separator: " "))\n--- exit \(result.status)\n--- stdout\n\(result.stdout)--- stderr\n\(result.stderr)"
    }

    /// Compares (or, with `RECORD_SNAPSHOTS=1`, records) a snapshot.
    ///
    /// - Returns: nil when it matches (or was recorded); otherwise the expected and actual text.
    public static func check(_ name: String, _ result: BinaryRunner.Result, arguments: [String]) throws -> String? {
        let actual = render(result, arguments: arguments)
        let file = folder.appendingPathComponent("\(name).txt")
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: file)
            return nil
        }
        guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
            return "no snapshot \(file.lastPathComponent): run RECORD_SNAPSHOTS=1 swift test --filter SnapshotTests, then review it\n\(actual)"
        }
        return expected == actual ? nil : "snapshot \(name) differs\n--- expected\n\(expected)\n--- actual\n\(actual)"
    }
}
