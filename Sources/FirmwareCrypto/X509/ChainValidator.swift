internal import COpenSSL
import Foundation

/// Validates certificate chains with OpenSSL's verifier (X509_STORE / X509_verify_cert), then
/// applies fwgate's own rules that OpenSSL 3.0 lacks: the code-signing purpose, CA:TRUE on every
/// issuer, and weak algorithms.
///
/// Every OpenSSL error is collected (the verify callback keeps going), but the final answer
/// never comes from the callback alone: the return value of X509_verify_cert and
/// X509_STORE_CTX_get_error must both say OK too (the old `openssl verify` bug reported OK for
/// an expired certificate because the callback swallowed the error).
public enum ChainValidator {
    /// Builds and validates a path for `request.leaf`.
    ///
    /// - Returns: the built chain and every problem; never throws over the content.
    /// - Throws: `CryptoError(.openSSLFailure)` only when OpenSSL cannot allocate its objects.
    public static func validate(_ request: ChainValidationRequest) throws(CryptoError) -> ChainValidationResult {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        guard let store = X509_STORE_new() else { throw ErrorQueue.error(.openSSLFailure, "could not allocate an X509_STORE") }
        defer { X509_STORE_free(store) }
        for root in request.roots {
            // X509_STORE_add_cert takes its own reference. A duplicate root is not an error.
            _ = X509_STORE_add_cert(store, root.backing.pointer)
        }
        for crl in request.crls {
            _ = X509_STORE_add_crl(store, crl.backing.pointer)
        }
        ErrorQueue.clear()
        let untrusted = try CertStack(request.intermediates)
        guard let context = X509_STORE_CTX_new() else {
            throw ErrorQueue.error(.openSSLFailure, "could not allocate an X509_STORE_CTX")
        }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, request.leaf.backing.pointer, untrusted.pointer) == 1 else {
            throw ErrorQueue.error(.openSSLFailure, "could not initialise chain validation")
        }

        var flags = UInt(0)
        if request.strict { flags |= UInt(X509_V_FLAG_X509_STRICT) }
        switch request.crlCheck {
        case .none: break
        case .leaf: flags |= UInt(X509_V_FLAG_CRL_CHECK)
        case .chain: flags |= UInt(X509_V_FLAG_CRL_CHECK) | UInt(X509_V_FLAG_CRL_CHECK_ALL)
        }
        X509_STORE_CTX_set_flags(context, flags)
        X509_STORE_CTX_set_time(context, 0, time_t(request.at.timeIntervalSince1970.rounded(.down)))

        let collector = VerifyErrorCollector()
        let unmanaged = Unmanaged.passRetained(collector)
        defer { unmanaged.release() }
        // Index 0 is the "app data" slot (X509_STORE_CTX_set_app_data is a macro for this).
        X509_STORE_CTX_set_ex_data(context, 0, unmanaged.toOpaque())
        X509_STORE_CTX_set_verify_cb(context, collectingVerifyCallback)

        let returned = X509_verify_cert(context)
        let finalError = X509_STORE_CTX_get_error(context)
        let openSSLAccepted = returned == 1 && finalError == X509_V_OK && collector.errors.isEmpty

        let chain = certificates(in: X509_STORE_CTX_get0_chain(context))
        var problems = collector.errors.map(\.problem)
        if !openSSLAccepted && problems.isEmpty {
            // The callback saw nothing, yet OpenSSL refused: report what it said.
            let code = finalError == X509_V_OK ? X509_V_ERR_UNSPECIFIED : finalError
            problems.append(VerifyError(code: code, depth: nil, subject: request.leaf.subject).problem)
        }
        problems += issuerProblems(chain: chain, already: problems)
        if let purpose = request.purpose {
            problems += purposeProblems(chain: chain.isEmpty ? [request.leaf] : chain, purpose: purpose)
        }
        problems += weakAlgorithmProblems(chain: chain.isEmpty ? [request.leaf] : chain)
        return ChainValidationResult(chain: chain, problems: problems, openSSLAccepted: openSSLAccepted)
    }

    /// RFC 5280 §4.2.1.9 / §6.1.4 (k): every issuer must be a CA; keyUsage, when present, must
    /// include keyCertSign (§4.2.1.3); pathLenConstraint must hold. OpenSSL checks these too;
    /// this is a second, independent look (CVE-2021-3450 let a non-CA issue under some flags).
    static func issuerProblems(chain: [Certificate], already: [ChainProblem]) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        guard chain.count > 1 else { return problems }
        let reportedDepths = Set(already.filter { $0.kind == .untrustedChain }.compactMap(\.depth))
        for depth in 1..<chain.count where !reportedDepths.contains(depth) {
            let issuer = chain[depth]
            if !issuer.info.isCA {
                problems.append(
                    ChainProblem(
                        kind: .untrustedChain, depth: depth, subject: issuer.subject, openSSLError: nil,
                        message: "issuer '\(issuer.subject)' at depth \(depth) is not a CA (basicConstraints cA is not TRUE)"))
                continue
            }
            if let usage = issuer.info.keyUsage, !usage.contains("keyCertSign") {
                problems.append(
                    ChainProblem(
                        kind: .untrustedChain, depth: depth, subject: issuer.subject, openSSLError: nil,
                        message: "issuer '\(issuer.subject)' at depth \(depth) has keyUsage without keyCertSign"))
            }
            if let limit = issuer.info.pathLength {
                // Intermediates between this issuer and the leaf, not counting self-issued ones.
                let below = (1..<depth).filter { chain[$0].subject != chain[$0].issuer }.count
                if below > limit {
                    problems.append(
                        ChainProblem(
                            kind: .untrustedChain, depth: depth, subject: issuer.subject, openSSLError: nil,
                            message: "issuer '\(issuer.subject)' allows \(limit) intermediate(s) below it (pathLenConstraint) but the chain has \(below)"))
                }
            }
        }
        return problems
    }

    /// The code-signing purpose (OpenSSL 3.0 has no X509_PURPOSE for it).
    static func purposeProblems(chain: [Certificate], purpose: CertificatePurpose) -> [ChainProblem] {
        guard let leaf = chain.first else { return [] }
        var problems: [ChainProblem] = []
        switch purpose {
        case .codeSigning:
            let eku = leaf.info.extendedKeyUsage
            if eku == nil {
                problems.append(
                    ChainProblem(
                        kind: .purpose, depth: 0, subject: leaf.subject, openSSLError: nil,
                        message: "leaf '\(leaf.subject)' has no extendedKeyUsage; code signing requires codeSigning"))
            } else if let eku, !eku.contains("codeSigning") {
                problems.append(
                    ChainProblem(
                        kind: .purpose, depth: 0, subject: leaf.subject, openSSLError: nil,
                        message: "leaf '\(leaf.subject)' extendedKeyUsage is \(eku.joined(separator: ", ")); code signing requires codeSigning"))
            }
            if let usage = leaf.info.keyUsage, !usage.contains("digitalSignature") {
                problems.append(
                    ChainProblem(
                        kind: .purpose, depth: 0, subject: leaf.subject, openSSLError: nil,
                        message: "leaf '\(leaf.subject)' keyUsage is \(usage.isEmpty ? "empty" : usage.joined(separator: ", ")); code signing requires digitalSignature"))
            }
            for depth in chain.indices.dropFirst() {
                let issuer = chain[depth]
                if let eku = issuer.info.extendedKeyUsage, !eku.contains("codeSigning"), !eku.contains("anyExtendedKeyUsage") {
                    problems.append(
                        ChainProblem(
                            kind: .purpose, depth: depth, subject: issuer.subject, openSSLError: nil,
                            message: "issuer '\(issuer.subject)' restricts extendedKeyUsage to \(eku.joined(separator: ", ")), which excludes codeSigning"))
                }
            }
        }
        return problems
    }

    /// Weak algorithms anywhere in the chain. The self-signature of a trust anchor is not
    /// relied upon, so only its key size counts.
    static func weakAlgorithmProblems(chain: [Certificate]) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        for (depth, certificate) in chain.enumerated() {
            let isAnchor = depth == chain.count - 1 && certificate.info.selfSigned && depth > 0
            if !isAnchor && certificate.hasWeakSignatureDigest {
                problems.append(
                    ChainProblem(
                        kind: .weakAlgorithm, depth: depth, subject: certificate.subject, openSSLError: nil,
                        message: "'\(certificate.subject)' is signed with \(certificate.info.signatureAlgorithm), a broken hash"))
            }
            if certificate.publicKey.algorithm.isWeak {
                problems.append(
                    ChainProblem(
                        kind: .weakAlgorithm, depth: depth, subject: certificate.subject, openSSLError: nil,
                        message: "'\(certificate.subject)' has a weak \(certificate.publicKey.algorithm) key (minimum RSA-2048 / EC P-256)"))
            }
        }
        return problems
    }
}

/// One error reported through the verify callback.
struct VerifyError {
    let code: Int32
    let depth: Int?
    let subject: String?

    var problem: ChainProblem {
        let name = X509VerifyErrorNames.name(code)
        let text = String(cString: X509_verify_cert_error_string(Int(code)))
        let kind = X509VerifyErrorNames.kind(code)
        var message = text
        if let subject, let depth { message = "\(text) (depth \(depth): \(subject))" }
        return ChainProblem(kind: kind, depth: depth, subject: subject, openSSLError: name, message: message)
    }
}

/// Collects verify-callback errors for one X509_verify_cert call (one thread).
final class VerifyErrorCollector {
    var errors: [VerifyError] = []
}

/// Records every error and tells OpenSSL to go on, so that all problems are reported. The
/// final verdict is taken from X509_verify_cert's result and error state, not from here.
private let collectingVerifyCallback: @convention(c) (Int32, OpaquePointer?) -> Int32 = { ok, context in
    guard ok == 0, let context, let raw = X509_STORE_CTX_get_ex_data(context, 0) else { return ok }
    let collector = Unmanaged<VerifyErrorCollector>.fromOpaque(raw).takeUnretainedValue()
    let code = X509_STORE_CTX_get_error(context)
    let depth = Int(X509_STORE_CTX_get_error_depth(context))
    let subject = X509_STORE_CTX_get_current_cert(context).map { Certificate.name(X509_get_subject_name($0)) }
    // The same error can be raised twice for one certificate; keep one.
    if !collector.errors.contains(where: { $0.code == code && $0.depth == depth }) {
        collector.errors.append(VerifyError(code: code, depth: depth, subject: subject))
    }
    return 1
}

/// Names and kinds of OpenSSL's X509_V_ERR_* codes (openssl/x509_vfy.h).
enum X509VerifyErrorNames {
    static func kind(_ code: Int32) -> ChainProblem.Kind {
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED: .expired
        case X509_V_ERR_CERT_NOT_YET_VALID: .notYetValid
        case X509_V_ERR_CERT_REVOKED: .revoked
        case X509_V_ERR_INVALID_PURPOSE: .purpose
        case X509_V_ERR_UNABLE_TO_GET_CRL, X509_V_ERR_CRL_NOT_YET_VALID, X509_V_ERR_CRL_HAS_EXPIRED,
            X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE, X509_V_ERR_CRL_SIGNATURE_FAILURE,
            X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD, X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD,
            X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER, X509_V_ERR_KEYUSAGE_NO_CRL_SIGN, X509_V_ERR_DIFFERENT_CRL_SCOPE,
            X509_V_ERR_CRL_PATH_VALIDATION_ERROR, X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
            .crl
        case X509_V_ERR_EE_KEY_TOO_SMALL, X509_V_ERR_CA_KEY_TOO_SMALL, X509_V_ERR_CA_MD_TOO_WEAK:
            .weakAlgorithm
        default: .untrustedChain
        }
    }

    static func name(_ code: Int32) -> String {
        table[code] ?? "X509_V_ERR_\(code)"
    }

    private static let table: [Int32: String] = [
        X509_V_ERR_UNSPECIFIED: "X509_V_ERR_UNSPECIFIED",
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT",
        X509_V_ERR_UNABLE_TO_GET_CRL: "X509_V_ERR_UNABLE_TO_GET_CRL",
        X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE: "X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE",
        X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE: "X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE",
        X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: "X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
        X509_V_ERR_CERT_SIGNATURE_FAILURE: "X509_V_ERR_CERT_SIGNATURE_FAILURE",
        X509_V_ERR_CRL_SIGNATURE_FAILURE: "X509_V_ERR_CRL_SIGNATURE_FAILURE",
        X509_V_ERR_CERT_NOT_YET_VALID: "X509_V_ERR_CERT_NOT_YET_VALID",
        X509_V_ERR_CERT_HAS_EXPIRED: "X509_V_ERR_CERT_HAS_EXPIRED",
        X509_V_ERR_CRL_NOT_YET_VALID: "X509_V_ERR_CRL_NOT_YET_VALID",
        X509_V_ERR_CRL_HAS_EXPIRED: "X509_V_ERR_CRL_HAS_EXPIRED",
        X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD: "X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD",
        X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD: "X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD",
        X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD: "X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD",
        X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD: "X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD",
        X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT: "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT",
        X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN: "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN",
        X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE: "X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        X509_V_ERR_CERT_CHAIN_TOO_LONG: "X509_V_ERR_CERT_CHAIN_TOO_LONG",
        X509_V_ERR_CERT_REVOKED: "X509_V_ERR_CERT_REVOKED",
        X509_V_ERR_INVALID_CA: "X509_V_ERR_INVALID_CA",
        X509_V_ERR_PATH_LENGTH_EXCEEDED: "X509_V_ERR_PATH_LENGTH_EXCEEDED",
        X509_V_ERR_INVALID_PURPOSE: "X509_V_ERR_INVALID_PURPOSE",
        X509_V_ERR_CERT_UNTRUSTED: "X509_V_ERR_CERT_UNTRUSTED",
        X509_V_ERR_CERT_REJECTED: "X509_V_ERR_CERT_REJECTED",
        X509_V_ERR_SUBJECT_ISSUER_MISMATCH: "X509_V_ERR_SUBJECT_ISSUER_MISMATCH",
        X509_V_ERR_AKID_SKID_MISMATCH: "X509_V_ERR_AKID_SKID_MISMATCH",
        X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH: "X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH",
        X509_V_ERR_KEYUSAGE_NO_CERTSIGN: "X509_V_ERR_KEYUSAGE_NO_CERTSIGN",
        X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER: "X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER",
        X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION: "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION",
        X509_V_ERR_KEYUSAGE_NO_CRL_SIGN: "X509_V_ERR_KEYUSAGE_NO_CRL_SIGN",
        X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION: "X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION",
        X509_V_ERR_INVALID_NON_CA: "X509_V_ERR_INVALID_NON_CA",
        X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE: "X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE",
        X509_V_ERR_INVALID_EXTENSION: "X509_V_ERR_INVALID_EXTENSION",
        X509_V_ERR_INVALID_POLICY_EXTENSION: "X509_V_ERR_INVALID_POLICY_EXTENSION",
        X509_V_ERR_NO_EXPLICIT_POLICY: "X509_V_ERR_NO_EXPLICIT_POLICY",
        X509_V_ERR_DIFFERENT_CRL_SCOPE: "X509_V_ERR_DIFFERENT_CRL_SCOPE",
        X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE: "X509_V_ERR_UNSUPPORTED_EXTENSION_FEATURE",
        X509_V_ERR_PERMITTED_VIOLATION: "X509_V_ERR_PERMITTED_VIOLATION",
        X509_V_ERR_EXCLUDED_VIOLATION: "X509_V_ERR_EXCLUDED_VIOLATION",
        X509_V_ERR_SUBTREE_MINMAX: "X509_V_ERR_SUBTREE_MINMAX",
        X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE: "X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE",
        X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX: "X509_V_ERR_UNSUPPORTED_CONSTRAINT_SYNTAX",
        X509_V_ERR_UNSUPPORTED_NAME_SYNTAX: "X509_V_ERR_UNSUPPORTED_NAME_SYNTAX",
        X509_V_ERR_CRL_PATH_VALIDATION_ERROR: "X509_V_ERR_CRL_PATH_VALIDATION_ERROR",
        X509_V_ERR_PATH_LOOP: "X509_V_ERR_PATH_LOOP",
        X509_V_ERR_EE_KEY_TOO_SMALL: "X509_V_ERR_EE_KEY_TOO_SMALL",
        X509_V_ERR_CA_KEY_TOO_SMALL: "X509_V_ERR_CA_KEY_TOO_SMALL",
        X509_V_ERR_CA_MD_TOO_WEAK: "X509_V_ERR_CA_MD_TOO_WEAK",
        X509_V_ERR_NO_VALID_SCTS: "X509_V_ERR_NO_VALID_SCTS",
        X509_V_ERR_EC_KEY_EXPLICIT_PARAMS: "X509_V_ERR_EC_KEY_EXPLICIT_PARAMS",
        X509_V_ERR_CA_BCONS_NOT_CRITICAL: "X509_V_ERR_CA_BCONS_NOT_CRITICAL",
        X509_V_ERR_CA_CERT_MISSING_KEY_USAGE: "X509_V_ERR_CA_CERT_MISSING_KEY_USAGE",
        X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3: "X509_V_ERR_EXTENSIONS_REQUIRE_VERSION_3",
        X509_V_ERR_EMPTY_SUBJECT_ALT_NAME: "X509_V_ERR_EMPTY_SUBJECT_ALT_NAME",
        X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL: "X509_V_ERR_EMPTY_SUBJECT_SAN_NOT_CRITICAL",
        X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA: "X509_V_ERR_PATHLEN_INVALID_FOR_NON_CA",
        X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN: "X509_V_ERR_PATHLEN_WITHOUT_KU_KEY_CERT_SIGN",
        X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA: "X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA",
        X509_V_ERR_ISSUER_NAME_EMPTY: "X509_V_ERR_ISSUER_NAME_EMPTY",
        X509_V_ERR_SUBJECT_NAME_EMPTY: "X509_V_ERR_SUBJECT_NAME_EMPTY",
        X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER: "X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER",
        X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER: "X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER",
        X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL: "X509_V_ERR_AUTHORITY_KEY_IDENTIFIER_CRITICAL",
        X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL: "X509_V_ERR_SUBJECT_KEY_IDENTIFIER_CRITICAL",
        X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH: "X509_V_ERR_SIGNATURE_ALGORITHM_MISMATCH",
        X509_V_ERR_INVALID_CALL: "X509_V_ERR_INVALID_CALL",
        X509_V_ERR_STORE_LOOKUP: "X509_V_ERR_STORE_LOOKUP",
    ]
}
