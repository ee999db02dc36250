// The production path every format's fuzz entry drives: bytes → detection (or the format
// forced) → parse → the format's rules with a fixed trust store holding the vectors' keys →
// the strict built-in policy → the JSON report. Invariants that must hold for any input are
// checked here; a trap is a finding.
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

public enum FuzzDriver {
    /// The repository root, from this file's place (Fuzz/FuzzSupport/).
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A session trusting every key file under `testvectors/<folder>/keys`, at a fixed time.
    public static func session(keys folder: String, format: FormatID?, keyExtensions: [String] = [".pub.pem"]) -> VerificationSession {
        let keys = root.appendingPathComponent("testvectors/\(folder)/keys")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: keys.path)) ?? []).sorted()
            .filter { name in keyExtensions.contains { name.hasSuffix($0) } }.map { keys.appendingPathComponent($0).path }
        guard let trust = try? TrustStore.load(files), !trust.keys.isEmpty else {
            fatalError("fuzz: no trusted keys under \(keys.path)")
        }
        return VerificationSession(
            trust: trust, at: Date(timeIntervalSince1970: 1_780_272_000), options: VerificationSession.Options(format: format))
    }

    /// A session trusting the given files (paths from the project root): root certificates for
    /// certificate-based formats.
    public static func session(trusting paths: [String], format: FormatID?) -> VerificationSession {
        let files = paths.map { root.appendingPathComponent($0).path }
        guard let trust = try? TrustStore.load(files), !(trust.keys.isEmpty && trust.roots.isEmpty) else {
            fatalError("fuzz: nothing trusted in \(files)")
        }
        return VerificationSession(
            trust: trust, at: Date(timeIntervalSince1970: 1_780_272_000), options: VerificationSession.Options(format: format))
    }

    /// Verifies one input and checks what must hold for every input:
    /// - a report, never a crash or an error (the input is in memory, so no I/O can fail);
    /// - fail-closed: no verdict but `fail` unless the artifact is signed by a trusted signer and
    ///   no check failed;
    /// - every check has a code of a known family and a message;
    /// - the report encodes as JSON (what `verify --json` prints).
    public static func run(_ data: UnsafePointer<UInt8>, _ size: Int, session: VerificationSession) {
        let source = MemoryByteSource(Data(bytes: data, count: size))
        let report: VerificationReport
        do {
            report = try session.report(for: source, as: Artifact(path: "fuzz-input"))
        } catch {
            fatalError("fuzz: an in-memory input threw an environment error: \(error)")
        }
        check(report)
    }

    /// The input as a detached signature (`--signature`) over a fixed content file of the
    /// vectors: companions are opened from paths, so the input is written to one scratch file
    /// per process and verified with the format forced by the session.
    public static func runDetached(_ data: UnsafePointer<UInt8>, _ size: Int, session: VerificationSession, content: String) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-fuzz-\(getpid()).sig")
        guard FileManager.default.createFile(atPath: scratch.path, contents: Data(bytes: data, count: size)) else {
            fatalError("fuzz: cannot write \(scratch.path)")
        }
        let report: VerificationReport
        do {
            report = try session.report(for: Artifact(path: root.appendingPathComponent(content).path, signature: scratch.path))
        } catch {
            fatalError("fuzz: a detached signature threw an environment error: \(error)")
        }
        check(report)
    }

    static func check(_ report: VerificationReport) {
        if report.verdict != .fail {
            precondition(report.signed && report.signer != nil, "fuzz: a non-failing verdict without a trusted signer")
            precondition(!report.checks.contains { $0.status == .failed }, "fuzz: a failed check but no failing verdict")
        }
        let families: Set<String> = ["malformed", "integrity", "signature", "key", "cert", "algorithm", "input", "policy", "compatibility", "rollback", "metadata", "manifest"]
        for check in report.checks {
            precondition(families.contains(check.code.family), "fuzz: unknown check family \(check.code)")
            precondition(!check.message.isEmpty, "fuzz: a check without a message: \(check.code)")
        }
        guard (try? FwgateJSON.encoder(pretty: false).encode(report)) != nil else { fatalError("fuzz: the report does not encode") }
    }
}
