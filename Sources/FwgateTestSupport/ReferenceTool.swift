import Foundation

/// Runs a reference tool (`sha256sum`, `openssl`) so that a test's expected value comes from
/// outside fwgate. The tools are looked up on `PATH`; a missing tool fails the test that asks.
public enum ReferenceTool {
    /// Runs `tool arguments...` with `input` on stdin, in the package root.
    ///
    /// - Returns: stdout.
    /// - Throws: when the tool cannot be started or exits non-zero.
    public static func run(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> String {
        String(decoding: try runData(tool, arguments, input: input), as: UTF8.self)
    }

    /// Runs `tool arguments...` with `input` on stdin, in the package root.
    ///
    /// - Returns: stdout, as bytes.
    /// - Throws: when the tool cannot be started or exits non-zero.
    public static func runData(_ tool: String, _ arguments: [String], input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = ProjectPaths.root
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-ref-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        if let input {
            let inURL = scratch.appendingPathComponent("stdin")
            try input.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        guard process.terminationStatus == 0 else {
            throw TestSupportError("\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
        }
        return try Data(contentsOf: outURL)
    }

    /// The lowercase hex SHA-256 of a file (path relative to the package root), as `sha256sum` says.
    public static func sha256sum(_ path: String) throws -> String {
        String(try run("sha256sum", [path]).prefix(64))
    }

    /// The lowercase hex SHA-256 of some bytes, as `sha256sum` says.
    public static func sha256sum(of data: Data) throws -> String {
        String(try run("sha256sum", ["-"], input: data).prefix(64))
    }
}
