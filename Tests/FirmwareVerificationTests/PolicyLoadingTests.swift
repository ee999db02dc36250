import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct PolicyLoadingTests {
    typealias F = PolicyTestFixtures
    static let examplePolicy = ProjectPaths.keysExample.appendingPathComponent("policy.yaml").path

    // MARK: the example policy

    @Test func keysExamplePolicyLoadsCleanly() throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        #expect(policy.source == Self.examplePolicy)
        #expect(policy.vendors.map(\.name) == ["acme-medical", "acme-medical", "example-imaging"])
        #expect(policy.formats == [.mcuboot, .espIDF])
        #expect(policy.unsignedFormatsUnsafe.isEmpty)
        #expect(policy.algorithms == .strict && policy.rollback == .strict && policy.expiry == .strict)
        #expect(policy.knownTestKeys.allowUnsafe.count == 9)
        // The policy digest is SHA-256 of the file's bytes, as sha256sum says.
        #expect(policy.digest == (try ReferenceTool.sha256sum(Self.examplePolicy)))
    }

    @Test func keysExamplePolicyAllowsExactlyTheKeysExampleKeys() throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let exampleKeys = KnownTestKeys.all.filter { $0.originRepository == "fwgate keys-example" }.map(\.spkiSHA256)
        #expect(policy.knownTestKeys.allowUnsafe == Set(exampleKeys))
    }

    @Test(arguments: [
        ("acme-medical", "pump-x1", ["acme-medical/ecdsa-p256", "acme-medical/ed25519"], 0),
        ("ACME-Medical", "Pump-X2", ["acme-medical/ecdsa-p256", "acme-medical/ed25519"], 0),
        ("acme-medical", "monitor-m3", ["acme-medical/ecdsa-p384", "acme-medical/rsa3072"], 0),
        ("example-imaging", "ct-9", ["example-imaging/rsa2048"], 2),
    ])
    func trustStoreIsScopedToVendorAndModel(vendor: String, model: String, keys: [String], roots: Int) throws {
        let store = try Policy.load(path: Self.examplePolicy).trustStore(vendor: vendor, model: model)
        #expect(store.keys.map(\.name) == keys)
        #expect(store.roots.count == roots)
        #expect(store.keys.allSatisfy { $0.source.hasSuffix(".pub.pem") })
    }

    @Test func trustStoreForAnUncoveredDeviceIsAnError() throws {
        let policy = try Policy.load(path: Self.examplePolicy)
        let error = try #require(throws: FwgateError.self) { try policy.trustStore(vendor: "acme-medical", model: "toaster") }
        #expect(error.code == .invalidPolicy)
        #expect(error.reason.contains("policy.yaml") && error.reason.contains("model 'toaster'"))
        // With no model (procuring any model of the vendor): every entry of that vendor, and
        // nothing of other vendors.
        let anyModel = try policy.trustStore(vendor: "acme-medical", model: nil)
        #expect(!anyModel.keys.isEmpty)
        #expect(anyModel.keys.allSatisfy { $0.name.hasPrefix("acme-medical/") })
        #expect(throws: FwgateError.self) { try policy.trustStore(vendor: "unknown-vendor", model: nil) }
        // Without a vendor: the policy as a whole.
        #expect(try policy.trustStore(vendor: nil, model: nil).keys.count == 5)
        #expect(try Policy.default.trustStore(vendor: "acme-medical", model: "pump-x1").keys.isEmpty)
    }

    // MARK: defaults

    @Test func defaultPolicyIsStrictAndItsDocumentSaysSo() throws {
        let fromDocument = try F.policy(Policy.defaultDocument)
        let builtIn = Policy.default
        #expect(builtIn.source == nil)
        #expect(builtIn.digest == (try ReferenceTool.sha256sum(of: Data(Policy.defaultDocument.utf8))))
        #expect(fromDocument.digest == builtIn.digest)
        #expect(fromDocument.algorithms == builtIn.algorithms && builtIn.algorithms == .strict)
        #expect(fromDocument.rollback == builtIn.rollback && builtIn.rollback.enforce)
        #expect(fromDocument.expiry == builtIn.expiry && builtIn.expiry == ExpiryPolicy(warnDays: 30, procurementMinimumDays: 365))
        #expect(fromDocument.knownTestKeys == builtIn.knownTestKeys && builtIn.knownTestKeys.allowUnsafe.isEmpty)
        #expect(fromDocument.unsignedFormatsUnsafe.isEmpty && builtIn.unsignedFormatsUnsafe.isEmpty)
        #expect(fromDocument.formats == nil && builtIn.formats == nil && builtIn.vendors.isEmpty)
    }

    @Test func omittedSectionsTakeTheStrictDefaults() throws {
        let policy = try F.policy("version: 1\nalgorithms:\n  minimumRSABits: 3072\n")
        #expect(policy.algorithms == AlgorithmPolicy(weak: .fail, minimumRSABits: 3072, minimumECBits: 256))
        #expect(policy.rollback == .strict && policy.expiry == .strict && policy.knownTestKeys == .strict)
    }

    @Test func pathsAreRelativeToThePolicyFolder() throws {
        let folder = try F.scratchFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("keys"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: F.examplePath("vendor-keys/ecdsa-p384.pub.pem"), toPath: folder.appendingPathComponent("keys/prod.pub.pem").path)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("policy.yaml").path
        try Data("version: 1\nvendors:\n  - name: acme\n    keys: [keys/prod.pub.pem]\n".utf8).write(to: URL(fileURLWithPath: path))
        let store = try Policy.load(path: path).trustStore(vendor: "acme", model: "anything")
        #expect(store.keys.map(\.name) == ["acme/prod"])
    }

    @Test func settingsAreReadAsWritten() throws {
        let policy = try F.policy(
            """
            version: 1
            unsignedFormatsUnsafe: [esp-idf]
            algorithms: { weak: warn-unsafe, minimumRSABits: 3072, minimumECBits: 384 }
            rollback: { enforce: false }
            expiry: { warnDays: 60, procurementMinimumDays: 0 }
            knownTestKeys:
              allowUnsafe: ["B0:EC:04:31:D9:11:15:FF:37:27:4A:5F:24:E9:A2:63:95:2D:F7:BC:39:4E:76:CC:5D:24:B4:6C:14:1F:39:5A"]
            """)
        #expect(policy.unsignedFormatsUnsafe == [.espIDF])
        #expect(policy.algorithms == AlgorithmPolicy(weak: .warnUnsafe, minimumRSABits: 3072, minimumECBits: 384))
        #expect(!policy.rollback.enforce)
        #expect(policy.expiry == ExpiryPolicy(warnDays: 60, procurementMinimumDays: 0))
        #expect(policy.knownTestKeys.allowUnsafe == ["b0ec0431d91115ff37274a5f24e9a263952df7bc394e76cc5d24b46c141f395a"])
    }

    // MARK: errors: file, line, problem

    struct BadPolicy: Sendable, CustomTestStringConvertible {
        let name: String
        let yaml: String
        /// The line the message must name; nil when there is no line (empty file).
        let line: Int?
        /// Fragments the message must contain.
        let says: [String]
        var testDescription: String { name }
    }

    static let key = F.examplePath("vendor-keys/ecdsa-p256.pub.pem")

    static let badPolicies: [BadPolicy] = [
        BadPolicy(
            name: "bad YAML names the line",
            yaml: "version: 1\nalgorithms:\n  weak: fail\n    minimumRSABits: 2048\n", line: 4, says: ["not valid YAML"]),
        BadPolicy(
            name: "unclosed flow list", yaml: "version: 1\nformats: [mcuboot, esp-idf\nrollback: {enforce: true}\n", line: 3,
            says: ["not valid YAML"]),
        BadPolicy(
            name: "unknown key with a suggestion", yaml: "version: 1\nexpiry:\n  warnDay: 10\n", line: 3,
            says: ["expiry.warnDay", "unknown key 'warnDay'", "did you mean 'warnDays'", "cannot weaken"]),
        BadPolicy(
            name: "unknown top-level key", yaml: "version: 1\nrolback:\n  enforce: false\n", line: 2,
            says: ["unknown key 'rolback'", "did you mean 'rollback'"]),
        BadPolicy(
            name: "unknown key in a vendor", yaml: "version: 1\nvendors:\n  - name: acme\n    keys: [\(key)]\n    model: [x]\n", line: 5,
            says: ["vendors[0].model", "did you mean 'models'"]),
        BadPolicy(
            name: "missing key file", yaml: "version: 1\nvendors:\n  - name: acme\n    keys:\n      - \(key)\n      - vendor-keys/nope.pub.pem\n",
            line: 6, says: ["vendors[0].keys[1]", "nope.pub.pem", "no such file", "relative to the policy's folder"]),
        BadPolicy(
            name: "unknown format name", yaml: "version: 1\nformats:\n  - mcuboot\n  - mcuboott\n", line: 4,
            says: ["formats[1]", "unknown format 'mcuboott'", "did you mean 'mcuboot'", "esp-idf"]),
        BadPolicy(
            name: "unknown vendor format", yaml: "version: 1\nvendors:\n  - name: acme\n    keys: [\(key)]\n    formats: [vxworks-elf]\n", line: 5,
            says: ["vendors[0].formats[0]", "unknown format 'vxworks-elf'"]),
        BadPolicy(
            name: "private key instead of public", yaml: "version: 1\nvendors:\n  - name: acme\n    keys: [\(F.examplePath("vendor-keys/ed25519.key.pem"))]\n",
            line: 4, says: ["vendors[0].keys[0]", "private key"]),
        BadPolicy(
            name: "certificate under keys", yaml: "version: 1\nvendors:\n  - name: acme\n    keys: [\(F.examplePath("pki-rsa/root.pem"))]\n",
            line: 4, says: ["vendors[0].keys[0]", "under `roots:`"]),
        BadPolicy(
            name: "public key under roots", yaml: "version: 1\nvendors:\n  - name: acme\n    roots: [\(key)]\n", line: 4,
            says: ["vendors[0].roots[0]", "under `keys:`"]),
        BadPolicy(
            name: "vendor trusting nothing", yaml: "version: 1\nvendors:\n  - name: acme\n    models: [x]\n", line: 3,
            says: ["vendors[0]", "no keys and no roots"]),
        BadPolicy(
            name: "vendor without a name", yaml: "version: 1\nvendors:\n  - keys: [\(key)]\n", line: 3,
            says: ["vendors[0]", "missing required key 'name'"]),
        BadPolicy(
            name: "wrong type", yaml: "version: 1\nalgorithms:\n  minimumRSABits: lots\n", line: 3,
            says: ["algorithms.minimumRSABits", "expected a whole number here, not 'lots'"]),
        BadPolicy(
            name: "a value where a list belongs", yaml: "version: 1\nvendors: acme\n", line: 2,
            says: ["vendors", "expected a list here, not 'acme'"]),
        BadPolicy(
            name: "a value where a mapping belongs", yaml: "version: 1\nalgorithms: strict\n", line: 2,
            says: ["algorithms", "expected a mapping (key: value) here, not 'strict'"]),
        BadPolicy(
            name: "bits out of range", yaml: "version: 1\nalgorithms:\n  minimumECBits: 0\n", line: 3,
            says: ["algorithms.minimumECBits", "between 1 and 16384"]),
        BadPolicy(
            name: "unknown weak handling", yaml: "version: 1\nalgorithms:\n  weak: maybe\n", line: 3,
            says: ["algorithms.weak", "'fail' or 'warn-unsafe'", "'maybe'"]),
        BadPolicy(name: "missing version", yaml: "rollback:\n  enforce: true\n", line: 1, says: ["missing required key 'version'"]),
        BadPolicy(name: "future version", yaml: "\nversion: 2\n", line: 2, says: ["version", "version 2 is not supported"]),
        BadPolicy(
            name: "allowUnsafe not a fingerprint", yaml: "version: 1\nknownTestKeys:\n  allowUnsafe:\n    - mcuboot-root\n", line: 4,
            says: ["knownTestKeys.allowUnsafe[0]", "not an SPKI SHA-256"]),
        BadPolicy(
            name: "allowUnsafe not a known test key",
            yaml: "version: 1\nknownTestKeys:\n  allowUnsafe: [\(String(repeating: "ab", count: 32))]\n", line: 3,
            says: ["knownTestKeys.allowUnsafe[0]", "is not a known test key"]),
        BadPolicy(
            name: "duplicate key", yaml: "version: 1\nrollback:\n  enforce: true\n  enforce: false\n", line: 3,
            says: ["'enforce'", "more than once"]),
        BadPolicy(name: "empty accepted-format list", yaml: "version: 1\nformats: []\n", line: 2, says: ["formats", "accepts no format"]),
        BadPolicy(name: "not a mapping", yaml: "- version: 1\n", line: 1, says: ["must be a mapping"]),
        BadPolicy(name: "empty file", yaml: "# nothing yet\n", line: nil, says: ["the policy is empty"]),
    ]

    @Test(arguments: badPolicies)
    func aBadPolicyNamesTheFileTheLineAndTheProblem(_ bad: BadPolicy) throws {
        let path = try F.writePolicy(bad.yaml)
        defer { F.removeScratch(path) }
        let error = try #require(throws: FwgateError.self) { try Policy.load(path: path) }
        #expect(error.code == .invalidPolicy)
        if let line = bad.line {
            #expect(error.reason.hasPrefix("\(path):\(line):"), "\(error.reason)")
        } else {
            #expect(error.reason.hasPrefix("\(path)"), "\(error.reason)")
        }
        for fragment in bad.says {
            #expect(error.reason.contains(fragment), "missing '\(fragment)' in: \(error.reason)")
        }
    }

    @Test func aMissingPolicyFileIsFileNotFound() throws {
        let folder = try F.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("absent.yaml").path
        let error = try #require(throws: FwgateError.self) { try Policy.load(path: path) }
        #expect(error.code == .fileNotFound)
        #expect(error.reason.contains("absent.yaml"))
    }
}

/// `unsignedTrailingData:` (issue: unsigned bytes after a signed image).
@Suite struct TrailingDataPolicyTests {
    static func policy(_ text: String) throws -> Policy {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-trailing-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("policy.yaml")
        try Data(text.utf8).write(to: file)
        return try Policy.load(path: file.path)
    }

    /// A valid MCUboot image with 4 KiB of random bytes and a shell script appended.
    static func appendedImage() throws -> URL {
        var bytes = try TestVectors.data("mcuboot/ecdsa-p256.bin")
        var generator = SeededGenerator(seed: 7)
        bytes += Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &generator) })
        bytes += Data("#!/bin/sh\nrm -rf /data\n".utf8)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-appended-\(UUID().uuidString).bin")
        try bytes.write(to: file)
        return file
    }

    static func report(_ policy: Policy, _ file: URL) throws -> VerificationReport {
        let trust = try TrustStore.load([try TestVectors.path("mcuboot/keys/test-ecdsa-p256.pub.pem")])
        return try VerificationSession(policy: policy, trust: trust, at: RFC3339.parse("2026-06-01T00:00:00Z")!)
            .report(for: Artifact(path: file.path))
    }

    @Test func appendedBytesWarnByDefaultWithOffsetAndLength() throws {
        let file = try Self.appendedImage()
        defer { try? FileManager.default.removeItem(at: file) }
        let report = try Self.report(.default, file)
        #expect(report.verdict == .warn)
        #expect(report.warningCodes == [.integrityUnsignedTrailingData])
        let check = try #require(report.checks.first { $0.code == .integrityUnsignedTrailingData })
        // ecdsa-p256.bin is 4280 bytes (0x10b8): the appended 4096 + 23 bytes start there.
        #expect(check.detail?["offset"] == "0x10b8")
        #expect(check.detail?["length"] == String(4096 + 23))
    }

    @Test func thePolicyCanMakeThemAFailure() throws {
        let file = try Self.appendedImage()
        defer { try? FileManager.default.removeItem(at: file) }
        let report = try Self.report(try Self.policy("version: 1\nunsignedTrailingData: fail\n"), file)
        #expect(report.verdict == .fail)
        #expect(report.failedCodes == [.integrityUnsignedTrailingData])
    }

    @Test func aCleanImageIsUnaffectedAndABadValueIsRefused() throws {
        let clean = try Self.report(try Self.policy("version: 1\nunsignedTrailingData: fail\n"), TestVectors.url("mcuboot/ecdsa-p256.bin"))
        #expect(clean.verdict == .pass)
        #expect(throws: FwgateError.self) { try Self.policy("version: 1\nunsignedTrailingData: maybe\n") }
    }
}
