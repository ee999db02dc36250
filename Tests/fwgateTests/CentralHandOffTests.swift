import Foundation
import FwgateTestSupport
import Testing

@testable import FwgateCLI

/// `fwgate` does not link the PostgreSQL driver: a run that names a postgresql:// inventory
/// becomes `fwgate-pg` (beside it). These pin when that happens, that it happens before
/// anything runs, and what a user without fwgate-pg is told.
@Suite struct CentralHandOffTests {
    static let unreachable = "postgresql://fwgate:s3cret-pw@127.0.0.1:9/none?sslmode=disable"

    @Test(arguments: [
        (["fwgate", "inventory", "head", "--db", "postgresql://u@h/db"], [:], true),
        (["fwgate", "inventory", "head", "--db=postgres://u@h/db"], [:], true),
        (["fwgate", "inventory", "push", "--db", "site.sqlite", "--to", "postgresql://u@h/db"], [:], true),
        (["fwgate", "inventory", "head"], ["FWGATE_DB": "postgresql://u@h/db"], true),
        (["fwgate", "inventory", "head", "--db", "site.sqlite"], ["FWGATE_DB": "postgresql://u@h/db"], false),
        (["fwgate", "inventory", "head", "--db=site.sqlite"], ["FWGATE_DB": "postgresql://u@h/db"], false),
        (["fwgate", "verify", "image.bin", "--db", "fwgate.sqlite"], [:], false),
        (["fwgate", "verify", "--", "postgresql://not-an-option"], [:], false),
        (["fwgate", "--version"], [:], false),
    ] as [([String], [String: String], Bool)])
    func whichRunsAreHandedOff(arguments: [String], environment: [String: String], handedOff: Bool) {
        #expect(FwgateMain.namesCentralInventory(arguments: arguments, database: environment["FWGATE_DB"]) == handedOff)
    }

    /// A copy of `fwgate` alone in a folder, without fwgate-pg beside it.
    func lonelyFwgate() throws -> (URL, () -> Void) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-alone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("fwgate")
        try FileManager.default.copyItem(at: try BinaryRunner.executable(), to: copy)
        return (copy, { try? FileManager.default.removeItem(at: folder) })
    }

    @Test func withoutFwgatePgTheUserIsToldWhatIsMissingAndNeverThePassword() throws {
        let (fwgate, cleanup) = try lonelyFwgate()
        defer { cleanup() }
        let result = try BinaryRunner.runProgram(fwgate, ["inventory", "head", "--db", Self.unreachable], environment: [:], unsetting: [])
        #expect(result.status == 2)
        #expect(result.stderr.contains("handled by fwgate-pg, which is not installed at \(fwgate.deletingLastPathComponent().path)/fwgate-pg"), "\(result.stderr)")
        #expect(result.stderr.contains("postgresql://fwgate@127.0.0.1:9/none"))
        #expect(!result.stderr.contains("s3cret-pw"))
        // A command that opens no inventory still runs when $FWGATE_DB names PostgreSQL.
        let digest = try BinaryRunner.runProgram(
            fwgate, ["digest", "keys-example/policy.yaml"], environment: ["FWGATE_DB": Self.unreachable], unsetting: [])
        #expect(digest.status == 0, "\(digest.stderr)")
    }

    @Test func fwgateBecomesFwgatePgBeforeAnythingRuns() throws {
        // fwgate-pg answers (its driver cannot reach port 9); fwgate alone would say it is missing.
        let result = try BinaryRunner.run(["inventory", "head", "--db", Self.unreachable], timeout: 60)
        #expect(result.status == 2)
        #expect(!result.stderr.contains("not installed"), "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:9"), "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret-pw"))
        // The same process: the exit status and the output are fwgate-pg's, printed once.
        #expect(result.stderr.components(separatedBy: "fwgate: error:").count == 2, "\(result.stderr)")
    }
}
