import FirmwareFormats
import Foundation
import FwgateTestSupport
import Testing

/// A sample of every format's committed vectors through the built binary: `fwgate verify
/// --json` must report the verdict and exact failed codes expected.json gives (the full set runs
/// through the production session in FirmwareFormatsTests).
@Suite struct FormatVectorCLITests {
    /// Every registered format's folder (`testvectors/<format id>/`).
    static let folders = FormatRegistry.formats.map(\.id.rawValue)

    /// Per format folder: every passing vector, and failing ones of distinct codes (and, for
    /// formats that never pass, of distinct warnings).
    static var sample: [FormatVector] {
        folders.flatMap { folder -> [FormatVector] in
            let vectors = FormatVectorSuite.vectors(folder)
            var seen: Set<[String]> = []
            return vectors.filter { vector in
                vector.verdict == "pass" || seen.insert(vector.failed.sorted() + ["|"] + vector.warnings.sorted()).inserted
            }
        }
    }

    @Test func sampleCoversEveryFormat() {
        let folders = Set(Self.sample.map(\.folder))
        #expect(folders == Set(Self.folders))
        #expect(Self.folders == ["mcuboot", "esp-idf", "uimage", "fit", "uefi-capsule", "authenticode", "suit", "minisign", "signify", "cms", "tuf", "mender", "swupdate", "rauc", "raw-signature"])
        #expect(Self.sample.count >= 20)
    }

    @Test(arguments: sample)
    func builtBinaryAgreesWithExpectedJSON(_ vector: FormatVector) throws {
        let base = "testvectors/\(vector.folder)/"
        var arguments = ["verify", base + vector.file, "--json", "--at", vector.at ?? FormatVectorSuite.defaultTime]
        for trust in vector.trust { arguments += ["--trust", base + trust] }
        if let policy = vector.policy { arguments += ["--policy", base + policy] }
        if let format = vector.format { arguments += ["--format", format] }
        if let signature = vector.signature { arguments += ["--signature", base + signature] }
        if let payload = vector.payload { arguments += ["--payload", base + payload] }
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == (vector.verdict == "fail" ? 1 : 0), "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["verdict"] as? String == vector.verdict)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let failed = Set(checks.filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String })
        let warnings = Set(checks.filter { $0["status"] as? String == "warning" }.compactMap { $0["code"] as? String })
        #expect(failed == Set(vector.failed))
        #expect(warnings == Set(vector.warnings))
    }
}
