import Foundation
import FwgateTestSupport
import Testing

/// `verify FILE --signature SIG --signature-scheme NAME`: only the named scheme is tried, and the
/// report says which scheme verified either way.
@Suite struct SignatureSchemeCLITests {
    static let base = "testvectors/raw-signature/"

    func verify(_ signature: String, key: String, scheme: String?) throws -> (status: Int32, checks: [[String: Any]]) {
        var arguments = [
            "verify", Self.base + "firmware.bin", "--signature", Self.base + signature, "--trust", Self.base + "keys/\(key).pub.pem",
            "--at", "2026-06-01T00:00:00Z", "--json",
        ]
        if let scheme { arguments += ["--signature-scheme", scheme] }
        let result = try BinaryRunner.run(arguments)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stderr)")
        return (result.status, try #require(report["checks"] as? [[String: Any]]))
    }

    func message(_ checks: [[String: Any]], _ code: String) -> String? {
        checks.first { $0["code"] as? String == code }?["message"] as? String
    }

    @Test func theRightSchemePassesAndIsNamed() throws {
        let pss = try verify("rsa2048-pss.sig", key: "rsa2048", scheme: "rsa-pss-sha256")
        #expect(pss.status == 0)
        #expect(message(pss.checks, "signature.invalid")?.contains("RSA-PSS") == true)
        let detected = try verify("rsa2048-sha512.sig", key: "rsa2048", scheme: nil)
        #expect(detected.status == 0)
        #expect(message(detected.checks, "signature.invalid")?.contains("PKCS#1 v1.5 SHA-512") == true, "without the option the verified scheme is reported")
    }

    @Test func anotherSchemeIsNotTried() throws {
        // A valid PSS signature, but only PKCS#1 v1.5 was allowed: it must fail.
        let result = try verify("rsa2048-pss.sig", key: "rsa2048", scheme: "rsa-pkcs1-sha256")
        #expect(result.status == 1)
        #expect(result.checks.contains { $0["code"] as? String == "signature.invalid" && $0["status"] as? String == "failed" })
        // A scheme that no trusted key could have made.
        let ed = try verify("p256.sig", key: "p256", scheme: "ed25519")
        #expect(ed.status == 1)
        #expect(ed.checks.contains { $0["code"] as? String == "key.untrusted" && $0["status"] as? String == "failed" })
    }

    @Test func aSchemeNeedsASignatureAndAKnownName() throws {
        let noSignature = try BinaryRunner.run(["verify", Self.base + "firmware.bin", "--signature-scheme", "ed25519"])
        #expect(noSignature.status == 2)
        #expect(noSignature.stderr.contains("--signature FILE"))
        let unknown = try BinaryRunner.run(["verify", Self.base + "firmware.bin", "--signature", Self.base + "p256.sig", "--signature-scheme", "rsa-md5"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("rsa-pss-sha256"), "the error lists the schemes")
    }
}
