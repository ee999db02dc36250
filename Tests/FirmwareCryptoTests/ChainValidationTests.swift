import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

@Suite struct ChainValidationTests {
    static func request(_ vector: CryptoVectors.ChainVector) throws -> ChainValidationRequest {
        ChainValidationRequest(
            leaf: try #require(try CryptoVectors.certificates([vector.leaf]).first),
            intermediates: try CryptoVectors.certificates(vector.intermediates),
            roots: try CryptoVectors.certificates(vector.roots),
            crls: try vector.crls.flatMap { try CertificateRevocationList.load(contentsOf: CryptoVectors.path($0)) },
            crlCheck: CRLCheck(rawValue: vector.crlCheck) ?? .none,
            purpose: vector.purpose.flatMap(CertificatePurpose.init(rawValue:)),
            at: CryptoVectors.date(vector.at))
    }

    @Test(arguments: CryptoVectors.shared.chains)
    func chainGivesExactlyTheExpectedCheckCodes(_ vector: CryptoVectors.ChainVector) throws {
        let request = try Self.request(vector)
        let result = try ChainValidator.validate(request)
        let checks = ChainChecks.checks(
            for: result, subject: vector.leaf, crlCheck: request.crlCheck, purpose: request.purpose, at: request.at)
        let failed = Set(checks.filter { $0.status == .failed }.map(\.code.rawValue))
        let warnings = Set(checks.filter { $0.status == .warning }.map(\.code.rawValue))
        #expect(failed == Set(vector.failed), "\(vector.name): \(result.problems.map(\.message))")
        #expect(warnings == Set(vector.warnings))
        #expect(Verdict(checks: checks).rawValue == vector.verdict)
        #expect(result.isValid == (vector.verdict == "pass"))
        let reported = Set(result.problems.compactMap(\.openSSLError))
        for name in vector.opensslErrors {
            #expect(reported.contains(name), "\(vector.name): OpenSSL error \(name) not reported; got \(reported)")
        }
        if vector.verdict == "pass" {
            #expect(result.chain.first == request.leaf)
            #expect(result.chain.count >= 2)
        }
    }

    @Test func theVerdictDependsOnTheTimeGiven() throws {
        let vector = try #require(CryptoVectors.shared.chains.first { $0.verdict == "pass" && $0.crlCheck == "none" })
        var request = try Self.request(vector)
        #expect(try ChainValidator.validate(request).isValid)
        request.at = request.leaf.notAfter.addingTimeInterval(1)
        let late = try ChainValidator.validate(request)
        #expect(late.problems.contains { $0.kind == .expired && $0.depth == 0 })
        request.at = request.leaf.notBefore.addingTimeInterval(-1)
        #expect(try ChainValidator.validate(request).problems.contains { $0.kind == .notYetValid })
        // The last valid second is still valid (RFC 5280 §4.1.2.5: notAfter is inclusive).
        request.at = request.leaf.notAfter
        #expect(try ChainValidator.validate(request).isValid)
    }

    @Test func noRootsMeansUntrusted() throws {
        let vector = try #require(CryptoVectors.shared.chains.first { $0.verdict == "pass" })
        var request = try Self.request(vector)
        request.roots = []
        let result = try ChainValidator.validate(request)
        #expect(!result.isValid)
        #expect(result.problems.contains { $0.kind == .untrustedChain })
    }

    @Test func anIntermediateGivenAsRootIsATrustAnchor() throws {
        // RFC 5280 §6.1.1 (d): whatever the caller trusts is an anchor, self-signed or not.
        let vector = try #require(CryptoVectors.shared.chains.first { $0.verdict == "pass" && !$0.intermediates.isEmpty })
        var request = try Self.request(vector)
        request.roots = request.intermediates
        request.intermediates = []
        let result = try ChainValidator.validate(request)
        #expect(result.isValid)
        #expect(result.chain.count == 2)
        // ...but the leaf alone, with nothing trusted above it, is not.
        request.roots = []
        #expect(!(try ChainValidator.validate(request).isValid))
    }
}
