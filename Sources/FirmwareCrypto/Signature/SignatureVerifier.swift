internal import COpenSSL
import Foundation

extension PublicKey {
    /// Checks `signature` over `input` with this key.
    ///
    /// Never throws over content: a signature that cannot be one of `scheme` is `.malformed`,
    /// a key that cannot make `scheme` is `.unsupported`. ECDSA signatures must be strict DER
    /// (re-encoding must give the same bytes), so BER variants of a valid signature are
    /// malformed, not valid.
    ///
    /// - Parameters:
    ///   - signature: the signature bytes.
    ///   - input: the message, or a digest computed with `scheme.digest`.
    ///   - scheme: how the signature was made.
    /// - Returns: `.valid`, `.invalid`, `.malformed(reason)` or `.unsupported(reason)`.
    public func verify(signature: Data, over input: SignedInput, scheme: SignatureScheme) -> SignatureVerification {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        if let problem = compatibility(with: scheme) { return .unsupported(problem) }
        if case .digest(let digest) = input {
            guard let algorithm = scheme.digest else {
                return .unsupported("Ed25519 signs the message itself, not a precomputed digest")
            }
            guard digest.count == algorithm.byteCount else {
                return .malformed("a \(algorithm) digest is \(algorithm.byteCount) bytes, not \(digest.count)")
            }
        }
        let encoded: Data
        switch prepare(signature: signature, scheme: scheme) {
        case .success(let bytes): encoded = bytes
        case .failure(let verdict): return verdict
        }
        let status: Int32
        switch input {
        case .message(let message): status = verifyMessage(message, signature: encoded, scheme: scheme)
        case .digest(let digest): status = verifyDigest(digest, signature: encoded, scheme: scheme)
        }
        switch status {
        case 1: return .valid
        case 0: return .invalid
        case Int32.min: return .unsupported("\(scheme) is not available in this OpenSSL")
        default:
            // A negative answer means OpenSSL could not process the signature at all.
            let text = ErrorQueue.drain().map(\.reason).joined(separator: "; ")
            return .malformed(text.isEmpty ? "OpenSSL could not process the signature" : text)
        }
    }

    /// Why this key cannot check `scheme`, or nil when it can.
    private func compatibility(with scheme: SignatureScheme) -> String? {
        switch (scheme, algorithm) {
        case (.rsaPKCS1v15, .rsa), (.rsaPSS, .rsa), (.rsaPSS, .rsaPSS): return nil
        case (.ecdsa, .ec): return nil
        case (.ed25519, .ed25519): return nil
        default: return "a \(scheme) signature cannot be checked with an \(algorithm) key"
        }
    }

    private enum Prepared {
        case success(Data)
        case failure(SignatureVerification)
    }

    /// Checks the signature's shape and converts raw ECDSA to DER.
    private func prepare(signature: Data, scheme: SignatureScheme) -> Prepared {
        switch scheme {
        case .rsaPKCS1v15, .rsaPSS:
            let size = Int(EVP_PKEY_get_size(backing.pointer))
            guard signature.count == size else {
                return .failure(.malformed("an RSA-\(algorithm.bits) signature is \(size) bytes, not \(signature.count)"))
            }
            return .success(signature)
        case .ed25519:
            guard signature.count == 64 else {
                return .failure(.malformed("an Ed25519 signature is 64 bytes, not \(signature.count)"))
            }
            return .success(signature)
        case .ecdsa(_, .der):
            // Strict DER: parse, re-encode, compare.
            guard let sig = derDecode(signature, { d2i_ECDSA_SIG(nil, $0, $1) }, free: { ECDSA_SIG_free($0) }) else {
                return .failure(.malformed("not a DER ECDSA signature (SEQUENCE of two INTEGERs)"))
            }
            defer { ECDSA_SIG_free(sig) }
            guard let reencoded = try? derEncode({ i2d_ECDSA_SIG(sig, $0) }), reencoded == signature else {
                return .failure(.malformed("ECDSA signature is BER, not strict DER"))
            }
            return .success(signature)
        case .ecdsa(_, .raw):
            guard let curve = algorithm.curve else { return .failure(.unsupported("unknown curve")) }
            let width = curve.fieldByteCount
            guard signature.count == 2 * width else {
                return .failure(.malformed("a raw \(curve.rawValue) signature is \(2 * width) bytes (r || s), not \(signature.count)"))
            }
            guard let der = Self.rawECDSAToDER(signature, width: width) else {
                return .failure(.malformed("could not convert r || s to DER"))
            }
            return .success(der)
        }
    }

    /// Re-encodes `r || s` as DER with OpenSSL (no hand-written ASN.1).
    private static func rawECDSAToDER(_ raw: Data, width: Int) -> Data? {
        guard let sig = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(sig) }
        let bytes = [UInt8](raw)
        guard let r = BN_bin2bn(bytes, Int32(width), nil) else { return nil }
        guard let s = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress! + width, Int32(width), nil) }) else {
            BN_free(r)
            return nil
        }
        // ECDSA_SIG_set0 takes ownership of r and s on success.
        guard ECDSA_SIG_set0(sig, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        return try? derEncode { i2d_ECDSA_SIG(sig, $0) }
    }

    /// Applies RSA padding options to a verification context. Returns false on failure.
    private static func configure(_ context: OpaquePointer, for scheme: SignatureScheme) -> Bool {
        switch scheme {
        case .rsaPKCS1v15:
            return EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) > 0
        case .rsaPSS(_, let salt, let mgf1):
            guard EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PSS_PADDING) > 0 else { return false }
            let saltValue: Int32
            switch salt {
            case .digestLength: saltValue = RSA_PSS_SALTLEN_DIGEST
            case .maximum: saltValue = RSA_PSS_SALTLEN_MAX
            case .auto: saltValue = RSA_PSS_SALTLEN_AUTO
            case .bytes(let n): saltValue = Int32(clamping: n)
            }
            guard EVP_PKEY_CTX_set_rsa_pss_saltlen(context, saltValue) > 0 else { return false }
            if let mgf1 {
                guard let md = EVP_get_digestbyname(mgf1.openSSLName) else { return false }
                guard EVP_PKEY_CTX_set_rsa_mgf1_md(context, md) > 0 else { return false }
            }
            return true
        case .ecdsa, .ed25519:
            return true
        }
    }

    /// EVP_DigestVerify over the whole message. Returns 1, 0, a negative value, or Int32.min
    /// when the digest is unavailable.
    private func verifyMessage(_ message: Data, signature: Data, scheme: SignatureScheme) -> Int32 {
        guard let mdContext = EVP_MD_CTX_new() else { return -1 }
        defer { EVP_MD_CTX_free(mdContext) }
        var keyContext: OpaquePointer?
        let digestName = scheme.digest?.openSSLName
        let initialised: Int32 =
            if let digestName {
                EVP_DigestVerifyInit_ex(mdContext, &keyContext, digestName, nil, nil, backing.pointer, nil)
            } else {
                EVP_DigestVerifyInit_ex(mdContext, &keyContext, nil, nil, nil, backing.pointer, nil)
            }
        guard initialised == 1, let keyContext else { return Int32.min }
        // keyContext belongs to mdContext.
        guard Self.configure(keyContext, for: scheme) else { return Int32.min }
        return signature.withUnsafeBytes { sig in
            message.withUnsafeBytes { msg in
                EVP_DigestVerify(
                    mdContext,
                    sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                    msg.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1), msg.count)
            }
        }
    }

    /// EVP_PKEY_verify over a digest computed elsewhere.
    private func verifyDigest(_ digest: Data, signature: Data, scheme: SignatureScheme) -> Int32 {
        guard let algorithm = scheme.digest else { return Int32.min }
        guard let context = EVP_PKEY_CTX_new(backing.pointer, nil) else { return -1 }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_verify_init(context) == 1 else { return Int32.min }
        guard let md = EVP_get_digestbyname(algorithm.openSSLName),
            EVP_PKEY_CTX_set_signature_md(context, md) > 0
        else { return Int32.min }
        guard Self.configure(context, for: scheme) else { return Int32.min }
        return signature.withUnsafeBytes { sig in
            digest.withUnsafeBytes { tbs in
                EVP_PKEY_verify(
                    context,
                    sig.baseAddress?.assumingMemoryBound(to: UInt8.self), sig.count,
                    tbs.baseAddress?.assumingMemoryBound(to: UInt8.self), tbs.count)
            }
        }
    }
}
