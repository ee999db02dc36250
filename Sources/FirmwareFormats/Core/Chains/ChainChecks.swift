import FirmwareCrypto
import Foundation

/// Turns a chain validation result into checks, one per rule, so that a report lists what
/// passed as well as what failed.
public enum ChainChecks {
    /// How weak algorithms are treated.
    public enum WeakAlgorithmHandling: String, Sendable, Codable {
        /// `algorithm.weak` fails the artifact (the default).
        case fail
        /// `algorithm.weak` is only a warning.
        /// - Warning: accepts MD5/SHA-1 signatures and short keys.
        case warnUnsafe = "warn-unsafe"
    }

    /// The check code for a chain problem.
    public static func code(for kind: ChainProblem.Kind) -> CheckCode {
        switch kind {
        case .expired: .certExpired
        case .notYetValid: .certNotYetValid
        case .untrustedChain: .certUntrustedChain
        case .revoked: .certRevoked
        case .purpose: .certPurpose
        case .crl: .certCRLUnavailable
        case .weakAlgorithm: .algorithmWeak
        }
    }

    /// Checks for one validated chain.
    ///
    /// - Parameters:
    ///   - result: what ``ChainValidator`` found.
    ///   - subject: what the checks are about (usually the leaf's file or subject).
    ///   - crlCheck: whether revocation was checked (otherwise `cert.revoked` is skipped).
    ///   - purpose: the required purpose (otherwise `cert.purpose` is skipped).
    ///   - at: the verification time.
    ///   - expiryWarning: a window; a chain expiring inside it gets a `cert.expiring-soon` warning.
    ///   - weakAlgorithms: whether `algorithm.weak` fails or warns.
    /// - Returns: one failed check per problem, and a passed (or skipped) check per rule with
    ///   no problem.
    public static func checks(
        for result: ChainValidationResult, subject: String, crlCheck: CRLCheck, purpose: CertificatePurpose?, at: Date,
        expiryWarning: TimeInterval? = nil, weakAlgorithms: WeakAlgorithmHandling = .fail
    ) -> [Check] {
        var checks: [Check] = []
        for problem in result.problems {
            var detail: [String: String] = [:]
            if let depth = problem.depth { detail["depth"] = String(depth) }
            if let name = problem.openSSLError { detail["openssl"] = name }
            if let certificate = problem.subject { detail["certificate"] = certificate }
            let code = code(for: problem.kind)
            let status: Check.Status = (code == .algorithmWeak && weakAlgorithms == .warnUnsafe) ? .warning : .failed
            checks.append(Check(code, status, subject: subject, problem.message, detail: detail.isEmpty ? nil : detail))
        }
        let failedCodes = Set(checks.map(\.code))
        if !result.openSSLAccepted && checks.allSatisfy({ $0.status != .failed }) {
            // Fail-closed: OpenSSL refused but no problem was mapped to a failure.
            checks.append(.failed(.certUntrustedChain, subject: subject, "OpenSSL did not accept the chain"))
        }
        let path = result.chain.map(\.subject).joined(separator: " → ")
        func pass(_ code: CheckCode, _ message: String) {
            if !failedCodes.contains(code) { checks.append(.passed(code, subject: subject, message)) }
        }
        pass(.certUntrustedChain, "chain to a trusted root: \(path)")
        pass(.certExpired, "no certificate in the chain has expired at \(RFC3339.string(at))")
        pass(.certNotYetValid, "every certificate in the chain is valid at \(RFC3339.string(at))")
        if crlCheck == .none {
            checks.append(Check(.certRevoked, .skipped, subject: subject, "revocation not checked: no CRL was given (pass the issuer's CRL with --crl, or with --trust in a gate or verify); a revoked certificate would pass"))
        } else {
            pass(.certRevoked, "no certificate is revoked (CRL check: \(crlCheck.rawValue))")
            pass(.certCRLUnavailable, "current CRLs were available")
        }
        if let purpose {
            pass(.certPurpose, "the chain allows \(purpose.rawValue)")
        } else {
            checks.append(Check(.certPurpose, .skipped, subject: subject, "no purpose requested"))
        }
        pass(.algorithmWeak, "no weak signature algorithm or key in the chain")
        if let expiryWarning, let earliest = result.earliestExpiry, result.isValid || !failedCodes.contains(.certExpired) {
            checks.append(ExpiringSoon.check(who: "the chain", end: earliest, at: at, window: expiryWarning, subject: subject))
        }
        return checks
    }
}
