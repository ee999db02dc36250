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
