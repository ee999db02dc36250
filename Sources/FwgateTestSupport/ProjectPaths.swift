import Foundation

/// Locates the project's own folders from this source file, so tests read `testvectors/` in
/// place (SwiftPM resources must live inside a target, so they cannot be used here).
public enum ProjectPaths {
    /// The package root: two levels above `Sources/FwgateTestSupport/`.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // FwgateTestSupport
        .deletingLastPathComponent()  // Sources
        .deletingLastPathComponent()  // root

    public static let testVectors = root.appendingPathComponent("testvectors")
    public static let keysExample = root.appendingPathComponent("keys-example")
}

/// Reads committed vectors and their `expected.json`.
public enum TestVectors {
    /// The URL of `testvectors/<relative>`.
    public static func url(_ relative: String) -> URL {
        ProjectPaths.testVectors.appendingPathComponent(relative)
    }

    /// The path of `testvectors/<relative>`; a vector that is listed but missing fails the
    /// test that asks for it.
    public static func path(_ relative: String) throws -> String {
        let url = url(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw TestSupportError("test vector testvectors/\(relative) is listed but missing")
        }
        return url.path
    }

    /// The bytes of `testvectors/<relative>`.
    public static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path(relative)))
    }

    /// Decodes `testvectors/<relative>` as JSON.
    public static func decode<T: Decodable>(_ type: T.Type, from relative: String) throws -> T {
        try JSONDecoder().decode(type, from: data(relative))
    }
}

/// The public conformance suites beside the project (`../shared/conformance`).
///
/// `FWGATE_CONFORMANCE` names the folder (relative paths are taken from the package root).
/// When it is unset, conformance tests are skipped; when it is set and the folder or a file is
/// missing, they fail.
public enum Conformance {
    public static let variable = "FWGATE_CONFORMANCE"

    /// True when the variable is set (the tests must then run).
    public static var isConfigured: Bool {
        !(ProcessInfo.processInfo.environment[variable] ?? "").isEmpty
    }

    /// The conformance folder.
    ///
    /// - Throws: when the variable is unset, or the folder lacks its marker files.
    public static func directory() throws -> URL {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else {
            throw TestSupportError("\(variable) is not set")
        }
        let url = value.hasPrefix("/") ? URL(fileURLWithPath: value) : ProjectPaths.root.appendingPathComponent(value)
        for marker in ["wycheproof/testvectors_v1/ed25519_test.json", "x509-limbo/limbo.json"] {
            guard FileManager.default.fileExists(atPath: url.appendingPathComponent(marker).path) else {
                throw TestSupportError("\(variable)=\(value): \(marker) is missing")
            }
        }
        return url.standardizedFileURL
    }
}

public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
