internal import COpenSSL
import Foundation

/// A CMS / PKCS#7 SignedData structure (RFC 5652 §5), detached or attached, DER or PEM. This is
/// what RAUC bundles, SWUpdate images and UEFI capsules carry.
public struct CMSSignedData: Sendable {
    let backing: CMSContent
    /// True when the signed content is not inside the structure (it must be supplied).
    public let isDetached: Bool
    /// Certificates carried in the structure (candidates for signer and intermediates).
    public let embeddedCertificates: [Certificate]
    /// One entry per SignerInfo, in order: what it signs with.
    public let signerInfos: [SignerInfoSummary]
    /// The signed content of an attached SignedData, as carried (not yet verified); nil when
    /// detached. At most 16 MiB is read.
    public let attachedContent: Data?

    /// What a SignerInfo declares (RFC 5652 §5.3), read off the decoded structure.
    public struct SignerInfoSummary: Sendable, Hashable, Codable {
        /// The message digest algorithm's short name as OpenSSL knows it ("SHA256", "SHA1").
        public let digestAlgorithm: String
        /// The signature algorithm's short name ("rsaEncryption", "ecdsa-with-SHA256").
        public let signatureAlgorithm: String
        /// True when the SignerInfo carries signed attributes (then the signature covers them and
        /// they carry the content's digest); false when it signs the content directly.
        public let hasSignedAttributes: Bool

        /// True for MD5 and SHA-1 (collision attacks make a signature over them forgeable).
        public var digestIsWeak: Bool { ["MD5", "SHA1", "MD2", "MD4"].contains(digestAlgorithm.uppercased()) }
    }

    /// Parses DER or PEM (`BEGIN CMS` / `BEGIN PKCS7`).
    ///
    /// - Throws: `CryptoError(.malformedInput)` when the bytes are not a CMS structure, or are
    ///   not SignedData.
    public init(bytes: Data) throws(CryptoError) {
        ErrorQueue.clear()
        if bytes.isEmpty { throw CryptoError(.malformedInput, "the file is empty") }
        var der = bytes
        if PEM.looksLikePEM(bytes) {
            let blocks = try PEM.decode(bytes)
            guard let block = blocks.first(where: { ["CMS", "PKCS7", "PKCS #7 SIGNED DATA"].contains($0.label) }) else {
                throw CryptoError(.malformedInput, "no CMS or PKCS7 PEM block found")
            }
            der = block.der
        }
        guard let pointer = derDecode(der, { d2i_CMS_ContentInfo(nil, $0, $1) }, free: { CMS_ContentInfo_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER CMS ContentInfo (truncated or damaged)")
        }
        let owner = CMSContent(takingOwnershipOf: pointer)
        guard let type = CMS_get0_type(pointer), OBJ_obj2nid(type) == NID_pkcs7_signed else {
            throw CryptoError(.malformedInput, "the CMS structure is not SignedData")
        }
        self.backing = owner
        self.isDetached = CMS_is_detached(pointer) == 1
        let stack = CMS_get1_certs(pointer)
        self.embeddedCertificates = certificates(in: stack)
        if let stack { fwgate_sk_X509_pop_free(stack) }
        self.signerInfos = Self.summaries(pointer)
        self.attachedContent = Self.content(pointer)
    }

    /// The eContent octets of an attached SignedData (CMS_get0_content), bounded.
    private static func content(_ cms: OpaquePointer) -> Data? {
        guard let slot = CMS_get0_content(cms), let octets = slot.pointee else { return nil }
        let length = Int(ASN1_STRING_length(octets))
        guard length >= 0, length <= 16 << 20, let bytes = ASN1_STRING_get0_data(octets) else { return nil }
        return Data(bytes: bytes, count: length)
    }

    /// The SignerInfos' algorithms. The stack and its elements are borrowed from the structure.
    private static func summaries(_ cms: OpaquePointer) -> [SignerInfoSummary] {
        guard let infos = CMS_get0_SignerInfos(cms) else { return [] }
        var result: [SignerInfoSummary] = []
        for index in 0..<fwgate_sk_CMS_SignerInfo_num(infos) {
            guard let info = fwgate_sk_CMS_SignerInfo_value(infos, index) else { continue }
            var digest: UnsafeMutablePointer<X509_ALGOR>?
            var signature: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(info, nil, nil, &digest, &signature)
            result.append(
                SignerInfoSummary(
                    digestAlgorithm: algorithmName(digest), signatureAlgorithm: algorithmName(signature),
                    hasSignedAttributes: CMS_signed_get_attr_count(info) >= 0))
        }
        return result
    }

    /// The short name of an X509_ALGOR's OID, or its dotted form when OpenSSL has no name.
    static func algorithmName(_ algorithm: UnsafeMutablePointer<X509_ALGOR>?) -> String {
        guard let algorithm else { return "unknown" }
        var object: OpaquePointer?
        X509_ALGOR_get0(&object, nil, nil, algorithm)
        guard let object else { return "unknown" }
        let nid = OBJ_obj2nid(object)
        if nid != NID_undef, let name = OBJ_nid2sn(nid) { return String(cString: name) }
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard length > 0, Int(length) < buffer.count else { return "unknown" }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Loads a CMS file.
    ///
    /// - Throws: `CryptoError` whose reason starts with the path.
    public init(contentsOf path: String) throws(CryptoError) {
        let bytes = try readFile(path, limit: 256 << 20)
        do {
            try self.init(bytes: bytes)
        } catch {
            throw error.prefixed(path)
        }
    }

    /// Where the signed content of a detached signature comes from.
    public enum Content: Sendable {
        case bytes(Data)
        /// A file, streamed through a file BIO (memory stays flat).
        case file(String)
        /// Bytes already open (the artifact's own source), streamed through a BIO over it:
        /// the bytes checked are the bytes the rest of the verification read.
        case source(any ByteSource)
        /// The content's digest, computed by the caller over the content (in the same pass
        /// as other digests of the file, so a large content is read once). Only for a
        /// structure whose every SignerInfo signs attributes that carry the content's digest
        /// (RFC 5652 §5.4, §11.2) with this algorithm: see ``verifiesWithDigest(_:)``.
        ///
        /// - Warning: the digest must be of exactly the signed content: the signature then
        ///   vouches for whatever bytes the caller hashed.
        case digest(Digest)
    }

    /// Whether ``verify(content:roots:intermediates:crls:crlCheck:purpose:at:)`` can check this
    /// structure against ``Content/digest(_:)`` of `algorithm`: detached, and every SignerInfo
    /// has signed attributes (its signature covers them, and they carry the content's digest)
    /// and digests with `algorithm`. A SignerInfo without signed attributes signs the content
    /// itself, which needs the content.
    public func verifiesWithDigest(_ algorithm: DigestAlgorithm) -> Bool {
        isDetached && !signerInfos.isEmpty
            && signerInfos.allSatisfy { $0.hasSignedAttributes && $0.digestAlgorithm.uppercased() == algorithm.openSSLName }
    }

    /// Whether an OpenSSL error code is the CMS library's `reason`. Reason numbers are per
    /// library (RSA_R_INVALID_PADDING and CMS_R_SIGNER_CERTIFICATE_NOT_FOUND are both 138), so
    /// the library must match too.
    static func isCMS(_ code: UInt, _ reason: Int32) -> Bool {
        ERR_GET_LIB(code) == ERR_LIB_CMS && ERR_GET_REASON(code) == reason
    }

    /// Verifies the signature(s) over the content, then validates each signer's chain.
    ///
    /// The signature is checked with `CMS_verify(CMS_NO_SIGNER_CERT_VERIFY)`; each signer
    /// certificate is then validated with ``ChainValidator`` (intermediates: the embedded
    /// certificates plus `intermediates`), so chain problems carry the same kinds and depths as
    /// everywhere else.
    ///
    /// - Parameters:
    ///   - content: the detached content; nil for attached SignedData.
    ///   - roots: trust anchors.
    ///   - intermediates: extra untrusted certificates.
    ///   - crls: CRLs for revocation checks.
    ///   - crlCheck: which certificates need a current CRL.
    ///   - purpose: required purpose of the signer certificate.
    ///   - at: the verification time.
    /// - Returns: the signature answer, the signers' chain results and the attached content.
    /// - Throws: `CryptoError(.io)` when a content file cannot be read; `.openSSLFailure` on
    ///   allocation failure.
    public func verify(
        content: Content?, roots: [Certificate], intermediates: [Certificate] = [],
        crls: [CertificateRevocationList] = [], crlCheck: CRLCheck = .none, purpose: CertificatePurpose? = .codeSigning,
        at: Date
    ) throws(CryptoError) -> CMSVerificationResult {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        if isDetached && content == nil {
            return CMSVerificationResult(
                signature: .malformed("detached signature but no content was given"), signers: [], signedContent: nil)
        }
        let pool = try CertStack(intermediates)
        guard let store = X509_STORE_new() else { throw ErrorQueue.error(.openSSLFailure, "could not allocate an X509_STORE") }
        defer { X509_STORE_free(store) }
        guard let out = BIO_new(BIO_s_mem()) else { throw ErrorQueue.error(.openSSLFailure, "could not allocate a BIO") }
        defer { BIO_free(out) }

        let flags = UInt32(CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY)
        let status: Int32
        switch content {
        case nil:
            status = CMS_verify(backing.pointer, pool.pointer, store, nil, out, flags)
        case .bytes(let data):
            // Through a read-only ByteSource BIO, not a memory BIO: CMS_verify (OpenSSL 3.0)
            // copies a memory BIO's content into a new one and frees that copy only with the
            // digest BIO chain, so it leaks when the chain cannot be made (an unknown digest
            // algorithm), as PKCS7_verify does for Authenticode (found by that fuzz target).
            status = try ByteSourceBIO.reading(MemoryByteSource(data)) { bio in
                CMS_verify(backing.pointer, pool.pointer, store, bio, out, flags)
            }
        case .file(let path):
            // Refuse a FIFO, socket or device before OpenSSL opens it (it would block or never end).
            _ = try FileByteSource(path: path)
            guard let bio = BIO_new_file(path, "rb") else {
                throw ErrorQueue.error(.io, "\(path): cannot open the signed content")
            }
            defer { BIO_free(bio) }
            status = CMS_verify(backing.pointer, pool.pointer, store, bio, out, flags)
        case .source(let source):
            status = try ByteSourceBIO.reading(source) { bio in
                CMS_verify(backing.pointer, pool.pointer, store, bio, out, flags)
            }
        case .digest:
            status = 0
        }
        let signature: SignatureVerification
        if case .digest(let digest) = content {
            signature = verifySignedAttributes(against: digest, signerCandidates: pool)
        } else {
            signature = Self.answer(status: status, errors: status == 1 ? [] : ErrorQueue.drain())
        }

        // CMS_verify records the signer certificates it found (CMS_set1_signers_certs).
        let signerStack = CMS_get0_signers(backing.pointer)
        let signerCertificates = certificates(in: signerStack)
        if let signerStack { fwgate_sk_X509_free(signerStack) }

        var signers: [ChainValidationResult] = []
        for signer in signerCertificates {
            let request = ChainValidationRequest(
                leaf: signer, intermediates: embeddedCertificates.filter { $0 != signer } + intermediates, roots: roots,
                crls: crls, crlCheck: crlCheck, purpose: purpose, at: at)
            signers.append(try ChainValidator.validate(request))
        }

        var signedContent: Data?
        if status == 1 && content == nil {
            var pointer: UnsafeMutablePointer<CChar>?
            let length = fwgate_BIO_get_mem_data(out, &pointer)
            if let pointer, length > 0 { signedContent = Data(bytes: pointer, count: length) } else { signedContent = Data() }
        }
        return CMSVerificationResult(signature: signature, signers: signers, signedContent: signedContent)
    }

    /// What CMS_verify's status and the errors it queued mean.
    private static func answer(status: Int32, errors: [OpenSSLErrorEntry]) -> SignatureVerification {
        if status == 1 {
            return .valid
        } else if errors.contains(where: { Self.isCMS($0.code, CMS_R_SIGNER_CERTIFICATE_NOT_FOUND) }) {
            return .unsupported("the signer certificate is not in the CMS structure")
        } else if errors.contains(where: { Self.isCMS($0.code, CMS_R_VERIFICATION_FAILURE) || Self.isCMS($0.code, CMS_R_CONTENT_VERIFY_ERROR) }) {
            return .invalid
        }
        let text = errors.map(\.reason).joined(separator: "; ")
        return .malformed(text.isEmpty ? "CMS verification failed" : text)
    }

    /// The checks CMS_verify makes of SignerInfos with signed attributes, with the content's
    /// digest given instead of the content (RFC 5652 §5.4, §5.6, §11.2), in CMS_verify's order:
    /// every SignerInfo's certificate found (among the embedded ones and `signerCandidates`,
    /// CMS_set1_signers_certs), its signature over the DER SET OF signed attributes verified
    /// (CMS_SignerInfo_verify, which also checks the attributes' rules), then its
    /// messageDigest attribute compared with `digest` (as CMS_SignerInfo_verify_content does
    /// with the digest it computes). The digest algorithm must be the SignerInfo's.
    private func verifySignedAttributes(against digest: Digest, signerCandidates: CertStack) -> SignatureVerification {
        let cms = backing.pointer
        guard isDetached else { return .malformed("the SignedData carries its content; a digest given beside it is not what it signs") }
        guard let infos = CMS_get0_SignerInfos(cms), fwgate_sk_CMS_SignerInfo_num(infos) > 0 else {
            return .malformed("the SignedData has no SignerInfo")
        }
        let count = fwgate_sk_CMS_SignerInfo_num(infos)
        var found: Int32 = 0
        for index in 0..<count {
            var signer: OpaquePointer?
            CMS_SignerInfo_get0_algs(fwgate_sk_CMS_SignerInfo_value(infos, index), nil, &signer, nil, nil)
            if signer != nil { found += 1 }
        }
        if found != count { found += CMS_set1_signers_certs(cms, signerCandidates.pointer, 0) }
        ErrorQueue.clear()
        guard found == count else { return .unsupported("the signer certificate is not in the CMS structure") }
        for index in 0..<count {
            guard let info = fwgate_sk_CMS_SignerInfo_value(infos, index) else { return .malformed("a SignerInfo could not be read") }
            guard CMS_signed_get_attr_count(info) >= 0 else {
                return .unsupported("a SignerInfo without signed attributes signs the content itself, which a digest cannot check")
            }
            var algorithm: UnsafeMutablePointer<X509_ALGOR>?
            CMS_SignerInfo_get0_algs(info, nil, nil, &algorithm, nil)
            let name = Self.algorithmName(algorithm)
            guard name.uppercased() == digest.algorithm.openSSLName else {
                return .unsupported("a SignerInfo digests with \(name); the content's digest given is \(digest.algorithm)")
            }
            let status = CMS_SignerInfo_verify(info)
            guard status == 1 else { return Self.answer(status: status, errors: ErrorQueue.drain()) }
            // The messageDigest attribute: one OCTET STRING (CMS_signed_get0_data_by_OBJ with
            // lastpos -3 refuses a second one).
            guard let attribute = CMS_signed_get0_data_by_OBJ(info, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING) else {
                ErrorQueue.clear()
                return .invalid
            }
            let octets = attribute.assumingMemoryBound(to: ASN1_OCTET_STRING.self)
            let length = Int(ASN1_STRING_length(octets))
            guard length == digest.bytes.count, let bytes = ASN1_STRING_get0_data(octets), Data(bytes: bytes, count: length) == digest.bytes else {
                return .invalid
            }
        }
        return .valid
    }
}

/// The answer of ``CMSSignedData/verify(content:roots:intermediates:crls:crlCheck:purpose:at:)``.
public struct CMSVerificationResult: Sendable {
    /// Whether every SignerInfo's signature (and message digest) matches the content.
    public let signature: SignatureVerification
    /// Chain validation of each signer certificate.
    public let signers: [ChainValidationResult]
    /// The content of attached SignedData, when the signature is valid.
    public let signedContent: Data?

    /// True when the signature is valid and every signer chain is valid.
    public var isValid: Bool { signature == .valid && !signers.isEmpty && signers.allSatisfy(\.isValid) }
}
