import Foundation
import FwgateTestSupport
import Testing

/// The main commands' human output, pinned whole (stdout, stderr, exit status) at a fixed
/// `--at`, so a change in wording, order or exit code shows up as a reviewed diff.
@Suite struct SnapshotTests {
    static let at = ["--at", "2026-06-01T00:00:00Z"]
    static let mcuboot = "testvectors/mcuboot"
    static let espidf = "testvectors/esp-idf"

    static let cases: [(name: String, arguments: [String])] = [
        ("verify-mcuboot-pass", ["verify", "\(mcuboot)/ecdsa-p256.bin", "--trust", "\(mcuboot)/keys/test-ecdsa-p256.pub.pem"] + at),
        ("verify-mcuboot-payload-flip", ["verify", "\(mcuboot)/ecdsa-p256-payload-flip.bin", "--trust", "\(mcuboot)/keys/test-ecdsa-p256.pub.pem"] + at),
        ("verify-mcuboot-no-trust", ["verify", "\(mcuboot)/ecdsa-p256.bin"] + at),
        ("verify-mcuboot-truncated-quiet", ["verify", "--quiet", "\(mcuboot)/ecdsa-p256-trunc-tlv.bin", "--trust", "\(mcuboot)/keys"] + at),
        ("verify-espidf-two-blocks", ["verify", "\(espidf)/app-rsa3072-2sig.bin", "--trust", "\(espidf)/keys/test-rsa3072.pub.pem"] + at),
        ("verify-missing-file", ["verify", "\(mcuboot)/no-such-file.bin"] + at),
        ("gate-revoked-leaf", [
            "gate", "keys-example/pki-rsa/revoked-leaf.pem", "--trust", "keys-example/pki-rsa/chain.pem", "--policy",
            "keys-example/policy.yaml", "--vendor", "example-imaging", "--no-record",
        ] + at),
        ("inspect-espidf", ["inspect", "\(espidf)/app-ecdsa-p256.bin"]),
        ("formats", ["formats"]),
        ("verify-help", ["verify", "--help"]),
    ]

    @Test(arguments: cases.map(\.name))
    func outputIsPinned(_ name: String) throws {
        let arguments = try #require(Self.cases.first { $0.name == name }).arguments
        let result = try BinaryRunner.run(arguments, environment: ["NO_COLOR": "1", "COLUMNS": "100"])
        let difference = try Snapshot.check(name, result, arguments: arguments)
        #expect(difference == nil, "\(difference ?? "")")
    }
}
