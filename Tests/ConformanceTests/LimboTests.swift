import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The x509-limbo testcases that apply to a code-signing chain validator
/// (`codesign-selection.json` marks them `run`), through `ChainValidator` as production uses it.
/// TLS peer names are ignored; only the EKUs and key usages a testcase lists are required.
///
/// Where fwgate disagrees with `expected_result`, the case must be listed in
/// ``knownDisagreements`` with the reason; any other disagreement fails, and so does a listed
/// case that starts agreeing (so the list stays true).
@Suite(.enabled(if: Conformance.isConfigured, "set FWGATE_CONFORMANCE=../shared/conformance to run"))
struct LimboTests {
    struct Limbo: Decodable {
        var testcases: [Testcase]
    }

    struct Testcase: Decodable {
        var id: String
        var trusted_certs: [String]
        var untrusted_intermediates: [String]
        var peer_certificate: String
        var validation_time: String?
        var key_usage: [String]?
        var extended_key_usage: [String]?
        var expected_result: String
        var crls: [String]?
    }

    struct Selection: Decodable {
        var limbo_json_sha256: String
        var testcases: [Entry]
        struct Entry: Decodable {
            var id: String
            var codesign: String
        }
    }

    /// Cases where fwgate's answer differs from x509-limbo's expectation, and why.
    static let knownDisagreements: [String: String] = [
        // fwgate is stricter (fails closed):
        "crl::issuer-no-keyusage-extension":
            "X509_STRICT refuses a CA certificate without keyUsage; RFC 5280 §4.2.1.3 says conforming CAs MUST include it",
        "rfc5280::nc::nc-forbids-alternate-chain-ica":
            "OpenSSL 3.0 builds one path and does not backtrack to the alternative chain that avoids the name constraint",
        "rfc5280::nc::nc-forbids-same-chain-ica":
            "OpenSSL 3.0 applies the excluded subtree to the intermediate's own subject and does not try the other path",
        // fwgate is more lenient (OpenSSL's name-constraint matching; DNS name constraints do not
        // occur in firmware code-signing PKIs, and fwgate writes no chain validation of its own):
        "rfc5280::nc::invalid-dnsname-leading-period":
            "OpenSSL 3.0 accepts a dNSName constraint with a leading period instead of rejecting it as malformed",
        "rfc5280::nc::nc-forbids-dnsname-wildcard-san":
            "OpenSSL 3.0 does not match a wildcard dNSName SAN against an excluded subtree",
    ]

    /// Cases whose certificates or CRLs fwgate cannot load, and why. A load error is not an
    /// answer: any case not listed here that fails to load fails the test, whatever limbo expects.
    static let knownLoadErrors: [String: String] = [
        "invalid::invalid-issuer-key":
            "the issuer certificate's SubjectPublicKeyInfo does not decode (OpenSSL: 'decode error'); fwgate decodes a "
            + "certificate's key when it loads it, so it refuses the trust material before any chain is built. That is "
            + "fail-closed, as limbo expects (FAILURE), but it is not a chain-validation answer",
    ]

    @Test func codeSigningSelectionAgreesWithExpectations() throws {
        let root = try Conformance.directory().appendingPathComponent("x509-limbo")
        let limboData = try Data(contentsOf: root.appendingPathComponent("limbo.json"))
        let selection = try JSONDecoder().decode(
            Selection.self, from: Data(contentsOf: root.appendingPathComponent("codesign-selection.json")))
        #expect(try Digest.hash(limboData, using: .sha256).hex == selection.limbo_json_sha256, "limbo.json is not the classified file")
        let limbo = try JSONDecoder().decode(Limbo.self, from: limboData)
        let byID = Dictionary(limbo.testcases.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let toRun = selection.testcases.filter { $0.codesign == "run" }
        var passed = 0
        var disagreements: [String: String] = [:]
        var loadErrors: [String: String] = [:]
        for entry in toRun {
            let testcase = try #require(byID[entry.id], "selected testcase \(entry.id) is missing from limbo.json")
            let outcome = try Self.run(testcase)
            if let loadError = outcome.loadError {
                loadErrors[testcase.id] = loadError
                #expect(Self.knownLoadErrors[testcase.id] != nil, "\(testcase.id): could not load: \(loadError)")
                continue
            }
            if (outcome.valid ? "SUCCESS" : "FAILURE") == testcase.expected_result {
                passed += 1
            } else {
                disagreements[testcase.id] = "expected \(testcase.expected_result), fwgate: \(outcome.summary)"
            }
        }
        let skipped = selection.testcases.count - toRun.count
        print("x509-limbo: \(toRun.count) ran, \(passed) agreed, \(disagreements.count) disagreed, \(loadErrors.count) could not load, \(skipped) skipped (optional or TLS-only)")
        for (id, reason) in disagreements.sorted(by: { $0.key < $1.key }) {
            print("  disagree \(id): \(reason)")
            #expect(Self.knownDisagreements[id] != nil, "\(id): \(reason)")
        }
        for id in Self.knownLoadErrors.keys where loadErrors[id] == nil {
            Issue.record("\(id) is listed as a known load error but now loads: remove it from the list")
        }
        for id in Self.knownDisagreements.keys where disagreements[id] == nil {
            Issue.record("\(id) is listed as a known disagreement but now agrees: remove it from the list")
        }
        // codesign-selection.json (classified against the limbo.json whose SHA-256 is checked
        // above) marks 135 of its 208 testcases `run`, 17 `optional`, 56 `skip`.
        #expect(selection.testcases.count == 208)
        #expect(toRun.count == 135)
        #expect(passed + disagreements.count + loadErrors.count == 135)
        #expect(disagreements.count == Self.knownDisagreements.count)
    }

    struct Outcome {
        var valid: Bool
        var summary: String
        /// Set when the testcase's certificates or CRLs could not be loaded (no chain was built).
        var loadError: String?
    }

    static func pemCertificates(_ pems: [String]) throws -> [Certificate] {
        try pems.flatMap { try Certificate.parseAll(Data($0.utf8)) }
    }

    static func run(_ testcase: Testcase) throws -> Outcome {
        let leaf: Certificate
        let roots: [Certificate]
        let intermediates: [Certificate]
        let crls: [CertificateRevocationList]
        do {
            leaf = try #require(try Certificate.parseAll(Data(testcase.peer_certificate.utf8)).first)
            roots = try pemCertificates(testcase.trusted_certs)
            intermediates = try pemCertificates(testcase.untrusted_intermediates)
            crls = try (testcase.crls ?? []).flatMap { try CertificateRevocationList.parseAll(Data($0.utf8)) }
        } catch {
            return Outcome(valid: false, summary: "could not load: \(error)", loadError: "\(error)")
        }
        // A testcase without a time is valid "now"; its certificates span 1970-2969.
        let at = testcase.validation_time.flatMap(RFC3339.parse) ?? Date(timeIntervalSince1970: 1_767_225_600)
        var request = ChainValidationRequest(
            leaf: leaf, intermediates: intermediates, roots: roots, crls: crls,
            crlCheck: crls.isEmpty ? .none : .leaf, purpose: nil, at: at)
        let ekus = testcase.extended_key_usage ?? []
        if ekus.contains("codeSigning") {
            request.purpose = .codeSigning
        }
        request.requiredExtendedKeyUsages = ekus.filter { $0 != "codeSigning" }
        request.requiredKeyUsages = testcase.key_usage ?? []
        let result = try ChainValidator.validate(request)
        let summary = result.isValid ? "SUCCESS" : "FAILURE (" + result.problems.map(\.message).joined(separator: "; ") + ")"
        return Outcome(valid: result.isValid, summary: summary)
    }
}
