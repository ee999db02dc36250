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

        // PARTIAL_CHAIN: every certificate the caller put among the roots is a trust anchor
        // (RFC 5280 §6.1.1 (d)), even when it is not self-signed.
        var flags = UInt(X509_V_FLAG_PARTIAL_CHAIN)
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
        let chain = certificates(in: X509_STORE_CTX_get0_chain(context))

        // OpenSSL counts notAfter == time as expired; RFC 5280 §4.1.2.5 says the validity
        // period includes notAfter. Drop exactly those errors, nothing else.
        let atSecond = request.at.timeIntervalSince1970.rounded(.down)
        let collected = collector.errors.filter { error in
            guard error.code == X509_V_ERR_CERT_HAS_EXPIRED, let depth = error.depth, depth < chain.count else { return true }
            return chain[depth].notAfter.timeIntervalSince1970 != atSecond
        }
        let droppedOnly = collected.isEmpty && !collector.errors.isEmpty && finalError == X509_V_ERR_CERT_HAS_EXPIRED
        let openSSLAccepted = returned == 1 && (finalError == X509_V_OK || droppedOnly) && collected.isEmpty

        var problems = collected.map(\.problem)
        if !openSSLAccepted && problems.isEmpty {
            // The callback saw nothing, yet OpenSSL refused: report what it said.
            let code = finalError == X509_V_OK ? X509_V_ERR_UNSPECIFIED : finalError
            problems.append(VerifyError(code: code, depth: nil, subject: request.leaf.subject).problem)
        }
        problems += issuerProblems(chain: chain, already: problems)
        problems += structureProblems(chain: chain.isEmpty ? [request.leaf] : chain)
        if request.crlCheck != .none {
            problems += crlProblems(crls: request.crls, chain: chain)
        }
        if let purpose = request.purpose {
            problems += purposeProblems(chain: chain.isEmpty ? [request.leaf] : chain, purpose: purpose)
        }
        problems += usageProblems(
            leaf: request.leaf, extendedKeyUsages: request.requiredExtendedKeyUsages, keyUsages: request.requiredKeyUsages)
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

    /// RFC 5280 profile rules OpenSSL 3.0 does not enforce, each a MUST of the RFC:
    /// - a certificate that is not a trust anchor is X.509 v3 (§4.1.2.1, extensions need v3);
    /// - extendedKeyUsage holds at least one purpose (§4.2.1.12, `SIZE (1..MAX)`);
    /// - nameConstraints appear only in CA certificates and are critical (§4.2.1.10);
    /// - policyConstraints are critical (§4.2.1.11);
    /// - every extension OpenSSL knows decodes (a malformed AIA, for example, is refused).
    static func structureProblems(chain: [Certificate]) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        for (depth, certificate) in chain.enumerated() {
            let x = certificate.backing.pointer
            func add(_ message: String) {
                problems.append(
                    ChainProblem(
                        kind: .untrustedChain, depth: depth, subject: certificate.subject, openSSLError: nil,
                        message: "'\(certificate.subject)' \(message)"))
            }
            let isAnchor = depth == chain.count - 1 && depth > 0
            if !isAnchor && X509_get_version(x) != 2 {
                add("is an X.509 v\(X509_get_version(x) + 1) certificate; v3 is required (RFC 5280 §4.1.2.1)")
            }
            if let eku = certificate.info.extendedKeyUsage, eku.isEmpty {
                add("has an empty extendedKeyUsage (RFC 5280 §4.2.1.12 requires at least one purpose)")
            }
            let nameConstraints = X509_get_ext_by_NID(x, NID_name_constraints, -1)
            if nameConstraints >= 0 {
                if !certificate.info.isCA {
                    add("is not a CA but carries nameConstraints (RFC 5280 §4.2.1.10)")
                } else if X509_EXTENSION_get_critical(X509_get_ext(x, nameConstraints)) == 0 {
                    add("has non-critical nameConstraints (RFC 5280 §4.2.1.10 requires critical)")
                }
            }
            for name in certificate.info.subjectAltNames {
                if name.hasPrefix("DNS:"), !NameSyntax.isHostname(String(name.dropFirst(4)), allowWildcard: true) {
                    add("has a subjectAltName dNSName that is not a valid host name: \(name.dropFirst(4)) (RFC 5280 §4.2.1.6)")
                } else if name.hasPrefix("email:"), !NameSyntax.isMailbox(String(name.dropFirst(6))) {
                    add("has a subjectAltName rfc822Name that is not a valid mailbox: \(name.dropFirst(6)) (RFC 5280 §4.2.1.6)")
                }
            }
            let policyConstraints = X509_get_ext_by_NID(x, NID_policy_constraints, -1)
            if policyConstraints >= 0, X509_EXTENSION_get_critical(X509_get_ext(x, policyConstraints)) == 0 {
                add("has non-critical policyConstraints (RFC 5280 §4.2.1.11 requires critical)")
            }
            for index in 0..<X509_get_ext_count(x) {
                guard let extensionPointer = X509_get_ext(x, index) else { continue }
                if fwgate_extension_decodes(extensionPointer) == 0 {
                    let nid = OBJ_obj2nid(X509_EXTENSION_get_object(extensionPointer))
                    let name = OBJ_nid2ln(nid).map { String(cString: $0) } ?? "extension \(nid)"
                    add("has a malformed \(name) extension")
                }
            }
        }
        return problems
    }

    /// RFC 5280 §5.2.3: a conforming CRL issuer MUST include the cRLNumber extension. Applies to
    /// the CRLs of issuers in the chain.
    static func crlProblems(crls: [CertificateRevocationList], chain: [Certificate]) -> [ChainProblem] {
        let issuers = Set(chain.map(\.subject))
        return crls.filter { issuers.contains($0.issuer) && !$0.hasCRLNumber }.map {
            ChainProblem(
                kind: .crl, depth: nil, subject: $0.issuer, openSSLError: nil,
                message: "the CRL of '\($0.issuer)' has no cRLNumber (RFC 5280 §5.2.3)")
        }
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

    /// Explicitly required leaf usages (RFC 5280 semantics: an absent extension allows all).
    static func usageProblems(leaf: Certificate, extendedKeyUsages: [String], keyUsages: [String]) -> [ChainProblem] {
        var problems: [ChainProblem] = []
        if let eku = leaf.info.extendedKeyUsage, !eku.contains("anyExtendedKeyUsage") {
            for usage in extendedKeyUsages where !eku.contains(usage) {
                problems.append(
                    ChainProblem(
                        kind: .purpose, depth: 0, subject: leaf.subject, openSSLError: nil,
                        message: "leaf '\(leaf.subject)' extendedKeyUsage (\(eku.joined(separator: ", "))) does not allow \(usage)"))
            }
        }
        if let usage = leaf.info.keyUsage {
            for bit in keyUsages where !usage.contains(bit) {
                problems.append(
                    ChainProblem(
                        kind: .purpose, depth: 0, subject: leaf.subject, openSSLError: nil,
                        message: "leaf '\(leaf.subject)' keyUsage (\(usage.joined(separator: ", "))) lacks \(bit)"))
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

/// Syntax of names in subjectAltName (RFC 5280 §4.2.1.6: dNSName in the "preferred name
/// syntax" of RFC 1034 §3.5; rfc822Name a Mailbox of RFC 5321 §4.1.2). A syntax check only.
enum NameSyntax {
    /// LDH labels of 1...63 characters, not starting or ending with '-', at most 253 in all;
    /// with `allowWildcard`, the first label may be `*`.
    static func isHostname(_ name: String, allowWildcard: Bool) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for (index, label) in labels.enumerated() {
            if allowWildcard && index == 0 && label == "*" && labels.count > 2 { continue }
            guard (1...63).contains(label.utf8.count), label.first != "-", label.last != "-" else { return false }
            guard label.utf8.allSatisfy({ $0 < 0x80 && (Character(UnicodeScalar($0)).isLetter || Character(UnicodeScalar($0)).isNumber || $0 == UInt8(ascii: "-")) }) else {
                return false
            }
        }
        return true
    }

    /// `local@domain`: a non-empty local part of printable ASCII without spaces or '@', and a
    /// host name.
    static func isMailbox(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        guard parts[0].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return false }
        return isHostname(String(parts[1]), allowWildcard: false)
    }
}
