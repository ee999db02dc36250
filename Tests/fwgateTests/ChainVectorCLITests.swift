import Foundation
import FwgateTestSupport
import Testing

/// Every chain vector of `testvectors/crypto/expected.json` (made with `openssl ca`, each checked
/// against `openssl verify`) through the built binary's `certs verify --json`: the production
/// path of a certificate check, not the validator alone.
@Suite struct ChainVectorCLITests {
    struct Chain: Decodable, Sendable, CustomStringConvertible {
        var name: String
        var leaf: String
        var intermediates: [String]
        var roots: [String]
        var crls: [String]
        var crlCheck: String
        var purpose: String?
        var at: String
        var verdict: String
        var failed: [String]
        var warnings: [String]
        var description: String { name }
    }

    struct File: Decodable { var chains: [Chain] }

    static let chains: [Chain] = (try? TestVectors.decode(File.self, from: "crypto/expected.json").chains) ?? []

    @Test func everyChainVectorIsHere() {
        #expect(Self.chains.count == 16)
    }

    @Test(arguments: chains)
    func certsVerifyReportsTheExpectedCodes(_ chain: Chain) throws {
        let base = "testvectors/crypto/"
        // --warn 0d: the vectors pin the chain rules, not the expiry window.
        var arguments = ["certs", "verify", base + chain.leaf, "--json", "--at", chain.at, "--warn", "0d"]
        for file in chain.intermediates { arguments += ["--chain", base + file] }
        for file in chain.roots { arguments += ["--ca", base + file] }
        for file in chain.crls { arguments += ["--crl", base + file] }
        if !chain.crls.isEmpty { arguments += ["--crl-check", chain.crlCheck] }
        if let purpose = chain.purpose { arguments += ["--purpose", purpose] }
        let result = try BinaryRunner.run(arguments)
        #expect(result.status == (chain.verdict == "fail" ? 1 : 0), "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(report["verdict"] as? String == chain.verdict)
        let checks = try #require(report["checks"] as? [[String: Any]])
        let failed = Set(checks.filter { $0["status"] as? String == "failed" }.compactMap { $0["code"] as? String })
        let warnings = Set(checks.filter { $0["status"] as? String == "warning" }.compactMap { $0["code"] as? String })
        #expect(failed == Set(chain.failed), "\(checks.filter { $0["status"] as? String == "failed" })")
        #expect(warnings == Set(chain.warnings))
    }
}
