import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// TUF repositories made by python-tuf (testvectors/tuf/generate.py) with the attacks of the
/// spec's threat model, through the production session: `verify REPOSITORY/ --trust root.json`.
@Suite struct TUFVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("tuf")
        #expect(vectors.count == 32)
        #expect(vectors.filter { $0.verdict == "pass" }.count == 6)
    }

    @Test(arguments: FormatVectorSuite.vectors("tuf"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .tuf, "detected from the folder")
    }

    /// A folder that is not a repository is a usage error naming what fwgate looked for.
    @Test func aFolderWithoutTimestampIsRefused() throws {
        let folder = try TestVectors.path("tuf/keys")
        #expect(throws: FwgateError.self) {
            _ = try VerificationSession(at: Date()).report(for: Artifact(path: folder))
        }
    }

    /// inspect: roles with versions, expiries and thresholds, and every target with its role,
    /// read without verifying.
    @Test func inspectShowsRolesAndTargets() throws {
        let inspection = try FirmwareVerifier.inspect(Artifact(path: try TestVectors.path("tuf/valid-delegation/repository")))
        #expect(inspection.format == .tuf)
        guard case .object(let description)? = inspection.description, case .array(let roles)? = description["roles"],
            case .array(let targets)? = description["targets"]
        else {
            Issue.record("no roles or targets in \(String(describing: inspection.description))")
            return
        }
        let names = roles.compactMap { role -> String? in
            if case .object(let fields) = role, case .string(let name)? = fields["name"] { return name }
            return nil
        }
        #expect(names == ["root", "timestamp", "snapshot", "targets", "pump-vendor"])
        #expect(targets.count == 3)
        #expect(description["note"] != nil, "says it is not verified")
    }

    @Test func targetPathsThatLeaveTheFolderAreRefused() {
        #expect(ArtifactFolder.unsafeReason("../x") != nil)
        #expect(ArtifactFolder.unsafeReason("a/../../x") != nil)
        #expect(ArtifactFolder.unsafeReason("/etc/passwd") != nil)
        #expect(ArtifactFolder.unsafeReason("a//b") != nil)
        #expect(ArtifactFolder.unsafeReason("a\\b") != nil)
        #expect(ArtifactFolder.unsafeReason("firmware/pump-2.4.1.bin") == nil)
    }

    @Test func delegatedPathPatternsMatchAsFnmatchPerSegment() {
        #expect(TUFDelegatedRole.pattern("firmware/pump-*", matches: "firmware/pump-2.4.1.bin"))
        #expect(!TUFDelegatedRole.pattern("firmware/pump-*", matches: "firmware/monitor-7.0.0.bin"))
        #expect(!TUFDelegatedRole.pattern("firmware/*", matches: "firmware/a/b.bin"), "* never crosses /")
        #expect(TUFDelegatedRole.pattern("*/b?.[a-c]in", matches: "x/b1.bin"))
        #expect(!TUFDelegatedRole.pattern("*/b?.[!a-c]in", matches: "x/b1.bin"))
        #expect("../escape".tufQuotedRoleName == "..%2Fescape")
    }
}
