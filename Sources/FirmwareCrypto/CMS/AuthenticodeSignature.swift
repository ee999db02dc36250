internal import COpenSSL
import Foundation

/// Owns one `PKCS7` structure.
final class PKCS7Owner: @unchecked Sendable {
    // @unchecked Sendable: never mutated after parsing; PKCS7_verify reads it from one thread at
    // a time (a signature is verified by the call that parsed it).
    let pointer: UnsafeMutablePointer<PKCS7>
    init(takingOwnershipOf pointer: UnsafeMutablePointer<PKCS7>) { self.pointer = pointer }
    deinit { PKCS7_free(pointer) }
}

/// An Authenticode signature ("Windows Authenticode Portable Executable Signature Format"): a
/// PKCS#7 SignedData whose content is an `SpcIndirectDataContent` carrying the image's digest,
/// with exactly one SignerInfo, and in that SignerInfo's unsigned attributes optional nested
/// signatures (1.3.6.1.4.1.311.2.4.1) and an RFC 3161 timestamp (1.3.6.1.4.1.311.3.3.1).
///
/// OpenSSL decodes every structure (PKCS7, DigestInfo as `X509_SIG`, TSTInfo); the PE image
/// digest itself is the format's to compute.
public struct AuthenticodeSignature: Sendable {
    let backing: PKCS7Owner
    /// The SpcIndirectDataContent value's content octets (what the signed attributes' message
    /// digest covers: the SEQUENCE without its tag and length).
    let signedContent: Data
    /// The SignerInfo's signature value (what a timestamp's message imprint hashes).
    let signatureValue: Data

    /// Certificates carried in the signature.
    public let embeddedCertificates: [Certificate]
    /// The one SignerInfo's algorithms.
    public let signerInfo: CMSSignedData.SignerInfoSummary
    /// The certificate the SignerInfo names (issuer and serial), when the signature carries it.
    public let signerCertificate: Certificate?
    /// `SpcIndirectDataContent.data.type`: 1.3.6.1.4.1.311.2.1.15 (SPC_PE_IMAGE_DATA) for PE images.
    public let indirectDataType: String
    /// The digest algorithm of the image digest, as OpenSSL names it ("SHA256").
    public let imageDigestAlgorithmName: String
    /// The same as a ``DigestAlgorithm`` when fwgate computes it.
    public let imageDigestAlgorithm: DigestAlgorithm?
    /// The image digest the signer signed.
    public let imageDigest: Data
    /// Signatures nested in this one's unsigned attributes (each over the same image).
    public let nested: [AuthenticodeSignature]
    /// The RFC 3161 timestamp over this signature's value, when present.
    public let timestamp: AuthenticodeTimestamp?
    /// True when a legacy PKCS#9 countersignature is present (reported, not used to move time).
    public let hasLegacyCountersignature: Bool

    public static let spcIndirectDataContent = "1.3.6.1.4.1.311.2.1.4"
    public static let spcPEImageData = "1.3.6.1.4.1.311.2.1.15"
    static let nestedSignatureOID = "1.3.6.1.4.1.311.2.4.1"
    static let rfc3161TimestampOID = "1.3.6.1.4.1.311.3.3.1"
    /// Nested signatures are read one level deep, at most this many.
    static let maxNested = 16

    /// The length of the DER element at the start of `bytes` (header included), as OpenSSL's
    /// ASN1_get_object reads it; nil when it is not a definite-length element that fits.
    public static func derLength(_ bytes: Data) -> Int? {
        derElement(bytes).map { $0.header + $0.length }
    }

    /// The header length, content length and tag of the definite-length DER element at the
    /// start of `bytes`, as OpenSSL's ASN1_get_object reads them; nil when it is damaged or
    /// does not fit.
    private static func derElement(_ bytes: Data) -> (header: Int, length: Int, tag: Int32)? {
        bytes.withUnsafeBytes { raw -> (Int, Int, Int32)? in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count >= 2 else { return nil }
            var cursor: UnsafePointer<UInt8>? = base
            var length = 0
            var tag: Int32 = 0
            var tagClass: Int32 = 0
            let flags = ASN1_get_object(&cursor, &length, &tag, &tagClass, raw.count)
            ErrorQueue.clear()
            // 0x80: error or too long for the buffer; 0x21: constructed, indefinite length.
            guard flags & 0x80 == 0, flags != 0x21, let end = cursor else { return nil }
            let header = end - base
            guard length >= 0, header + length <= raw.count else { return nil }
            return (header, length, tag)
        }
    }

    /// Decodes a DER PKCS#7 SignedData carrying an SpcIndirectDataContent (every byte must
    /// belong to the structure).
    ///
    /// - Throws: `CryptoError(.malformedInput)` naming what is wrong.
    public init(der: Data) throws(CryptoError) {
        try self.init(der: der, depth: 0)
    }

    init(der: Data, depth: Int) throws(CryptoError) {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        guard !der.isEmpty else { throw CryptoError(.malformedInput, "the signature is empty") }
        guard let pointer = derDecode(der, { d2i_PKCS7(nil, $0, $1) }, free: { PKCS7_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER PKCS#7 structure (truncated or damaged)")
        }
        let owner = PKCS7Owner(takingOwnershipOf: pointer)
        guard let contentType = fwgate_PKCS7_signed_content_type(pointer) else {
            throw CryptoError(.malformedInput, "the PKCS#7 structure is not SignedData")
        }
        let type = Self.oidText(contentType)
        guard type == Self.spcIndirectDataContent else {
            throw CryptoError(.malformedInput, "the signed content is \(type), not Authenticode's SpcIndirectDataContent (\(Self.spcIndirectDataContent))")
        }
        guard let sequence = fwgate_PKCS7_signed_other_sequence(pointer), let content = Self.bytes(sequence) else {
            throw CryptoError(.malformedInput, "the SpcIndirectDataContent is missing or not a SEQUENCE")
        }
        // The specification allows one digest algorithm; OpenSSL 3.0's PKCS7_verify also leaks
        // a digest BIO when given the content of a SignedData that names several (found by
        // the Authenticode fuzz target).
        let digestAlgorithms = fwgate_PKCS7_signed_digest_algorithm_count(pointer)
        guard digestAlgorithms == 1 else {
            throw CryptoError(.malformedInput, "an Authenticode signature names exactly one digest algorithm; this one names \(digestAlgorithms)")
        }
        guard let infos = PKCS7_get_signer_info(pointer), fwgate_sk_PKCS7_SIGNER_INFO_num(infos) == 1,
            let info = fwgate_sk_PKCS7_SIGNER_INFO_value(infos, 0)
        else {
            throw CryptoError(.malformedInput, "an Authenticode signature has exactly one SignerInfo")
        }
        self.backing = owner
        (self.indirectDataType, self.imageDigestAlgorithmName, self.imageDigest) = try Self.indirectData(content)
        self.imageDigestAlgorithm = DigestAlgorithm(name: imageDigestAlgorithmName)
        guard let header = Self.headerLength(content) else {
            throw CryptoError(.malformedInput, "the SpcIndirectDataContent's length is damaged")
        }
        self.signedContent = content.subdata(in: header..<content.count)
        guard let value = fwgate_PKCS7_SIGNER_INFO_signature(info), let signature = Self.bytes(value) else {
            throw CryptoError(.malformedInput, "the SignerInfo has no signature value")
        }
        self.signatureValue = signature
        self.embeddedCertificates = certificates(in: fwgate_PKCS7_signed_certs(pointer))
        self.signerInfo = Self.summary(info)
        self.signerCertificate = Self.signer(pointer)

        var nested: [AuthenticodeSignature] = []
        var timestamp: AuthenticodeTimestamp?
        var legacy = false
        if let attributes = fwgate_PKCS7_SIGNER_INFO_unsigned_attributes(info) {
            for index in 0..<X509at_get_attr_count(attributes) {
                guard let attribute = X509at_get_attr(attributes, index), let object = X509_ATTRIBUTE_get0_object(attribute) else { continue }
                let oid = Self.oidText(object)
                if OBJ_obj2nid(object) == NID_pkcs9_countersignature { legacy = true }
                guard oid == Self.nestedSignatureOID || oid == Self.rfc3161TimestampOID else { continue }
                for valueIndex in 0..<X509_ATTRIBUTE_count(attribute) {
                    guard let value = X509_ATTRIBUTE_get0_type(attribute, valueIndex), ASN1_TYPE_get(value) == V_ASN1_SEQUENCE,
                        let bytes = fwgate_ASN1_TYPE_sequence(value).flatMap(Self.bytes)
                    else {
                        throw CryptoError(.malformedInput, "an unsigned attribute \(oid) is not a SEQUENCE")
                    }
                    if oid == Self.nestedSignatureOID {
                        guard depth == 0 else { throw CryptoError(.malformedInput, "a nested signature carries nested signatures of its own") }
                        guard nested.count < Self.maxNested else { throw CryptoError(.malformedInput, "more than \(Self.maxNested) nested signatures") }
                        do {
                            nested.append(try AuthenticodeSignature(der: bytes, depth: depth + 1))
                        } catch {
                            throw CryptoError(.malformedInput, "nested signature \(nested.count + 1): \(error.reason)")
                        }
                    } else {
                        guard timestamp == nil else { throw CryptoError(.malformedInput, "the SignerInfo carries more than one RFC 3161 timestamp") }
                        timestamp = try AuthenticodeTimestamp(der: bytes)
                    }
                }
            }
        }
        self.nested = nested
        self.timestamp = timestamp
        self.hasLegacyCountersignature = legacy
    }

    /// SpcIndirectDataContent ::= SEQUENCE { data SpcAttributeTypeAndOptionalValue,
    /// messageDigest DigestInfo }, decoded by OpenSSL as a generic SEQUENCE and DigestInfo as
    /// the X509_SIG it is.
    private static func indirectData(_ der: Data) throws(CryptoError) -> (String, String, Data) {
        guard let items = derDecode(der, { d2i_ASN1_SEQUENCE_ANY(nil, $0, $1) }, free: { fwgate_sk_ASN1_TYPE_pop_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "the SpcIndirectDataContent does not decode")
        }
        defer { fwgate_sk_ASN1_TYPE_pop_free(items) }
        guard fwgate_sk_ASN1_TYPE_num(items) == 2, let data = fwgate_sk_ASN1_TYPE_value(items, 0), let digestInfo = fwgate_sk_ASN1_TYPE_value(items, 1),
            ASN1_TYPE_get(data) == V_ASN1_SEQUENCE, ASN1_TYPE_get(digestInfo) == V_ASN1_SEQUENCE,
            let dataDER = fwgate_ASN1_TYPE_sequence(data).flatMap(bytes), let digestDER = fwgate_ASN1_TYPE_sequence(digestInfo).flatMap(bytes)
        else {
            throw CryptoError(.malformedInput, "the SpcIndirectDataContent is not SEQUENCE { data, messageDigest }")
        }
        guard let attribute = derDecode(dataDER, { d2i_ASN1_SEQUENCE_ANY(nil, $0, $1) }, free: { fwgate_sk_ASN1_TYPE_pop_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "the SpcIndirectDataContent's data does not decode")
        }
        defer { fwgate_sk_ASN1_TYPE_pop_free(attribute) }
        guard fwgate_sk_ASN1_TYPE_num(attribute) >= 1, let typeValue = fwgate_sk_ASN1_TYPE_value(attribute, 0), ASN1_TYPE_get(typeValue) == V_ASN1_OBJECT,
            let object = fwgate_ASN1_TYPE_object(typeValue)
        else {
            throw CryptoError(.malformedInput, "the SpcIndirectDataContent's data has no type")
        }
        guard let sig = derDecode(digestDER, { d2i_X509_SIG(nil, $0, $1) }, free: { X509_SIG_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "the SpcIndirectDataContent's messageDigest is not a DigestInfo")
        }
        defer { X509_SIG_free(sig) }
        var algorithm: UnsafePointer<X509_ALGOR>?
        var digest: UnsafePointer<ASN1_OCTET_STRING>?
        X509_SIG_get0(sig, &algorithm, &digest)
        guard let digest, let digestBytes = Self.bytes(digest) else {
            throw CryptoError(.malformedInput, "the DigestInfo has no digest")
        }
        return (oidText(object), algorithmName(algorithm), digestBytes)
    }

    /// The length of the DER header of the SEQUENCE that is the whole of `der`.
    private static func headerLength(_ der: Data) -> Int? {
        guard let element = derElement(der), element.tag == V_ASN1_SEQUENCE, element.header + element.length == der.count else { return nil }
        return element.header
    }

    private static func summary(_ info: UnsafeMutablePointer<PKCS7_SIGNER_INFO>) -> CMSSignedData.SignerInfoSummary {
        var digest: UnsafeMutablePointer<X509_ALGOR>?
        var signature: UnsafeMutablePointer<X509_ALGOR>?
        PKCS7_SIGNER_INFO_get0_algs(info, nil, &digest, &signature)
        return CMSSignedData.SignerInfoSummary(
            digestAlgorithm: algorithmName(digest.map { UnsafePointer($0) }), signatureAlgorithm: algorithmName(signature.map { UnsafePointer($0) }),
            hasSignedAttributes: fwgate_PKCS7_SIGNER_INFO_has_signed_attributes(info) == 1)
    }

    /// The certificate the SignerInfo names, among the embedded ones (PKCS7_get0_signers matches
    /// issuer and serial; it only finds, it verifies nothing).
    private static func signer(_ pointer: UnsafeMutablePointer<PKCS7>) -> Certificate? {
        guard let stack = PKCS7_get0_signers(pointer, nil, 0) else {
            ErrorQueue.clear()
            return nil
        }
        defer { fwgate_sk_X509_free(stack) }
        return certificates(in: stack).first
    }

    static func bytes(_ string: UnsafePointer<ASN1_STRING>) -> Data? {
        let length = Int(ASN1_STRING_length(string))
        guard length >= 0, let pointer = ASN1_STRING_get0_data(string) else { return nil }
        return Data(bytes: pointer, count: length)
    }

    static func bytes(_ string: UnsafeMutablePointer<ASN1_STRING>) -> Data? { bytes(UnsafePointer(string)) }

    static func oidText(_ object: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard length > 0, Int(length) < buffer.count else { return "unknown" }
        return String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func algorithmName(_ algorithm: UnsafePointer<X509_ALGOR>?) -> String {
        CMSSignedData.algorithmName(algorithm.map { UnsafeMutablePointer(mutating: $0) })
    }

    /// Verifies the SignerInfo over the SpcIndirectDataContent, then the timestamp (which, when
    /// trusted, moves the signer's validation time to the time it attests), then the signer's
    /// chain. The image digest is not compared here: the format computes it.
    ///
    /// - Parameters:
    ///   - roots: trust anchors (for the signer and the timestamp authority).
    ///   - intermediates: extra untrusted certificates.
    ///   - crls: CRLs for revocation checks.
    ///   - crlCheck: which certificates need a current CRL.
    ///   - purpose: required purpose of the signer certificate.
    ///   - at: the context time.
    /// - Throws: `.openSSLFailure` on allocation failure.
    public func verify(
        roots: [Certificate], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [], crlCheck: CRLCheck = .none,
        purpose: CertificatePurpose? = .codeSigning, at: Date
    ) throws(CryptoError) -> AuthenticodeVerification {
        ErrorQueue.clear()
        defer { ErrorQueue.clear() }
        let signature = try Self.verifySignedData(backing.pointer, content: signedContent)

        var timestampResult: AuthenticodeTimestamp.Verification?
        var validationTime = at
        if let timestamp {
            let result = try timestamp.verify(over: signatureValue, roots: roots, intermediates: embeddedCertificates + intermediates, at: at)
            if result.trusted { validationTime = result.time }
            timestampResult = result
        }

        var signers: [ChainValidationResult] = []
        if signature == .valid || signature == .invalid, let signer = signerCertificate {
            let request = ChainValidationRequest(
                leaf: signer, intermediates: embeddedCertificates.filter { $0 != signer } + intermediates, roots: roots, crls: crls,
                crlCheck: crlCheck, purpose: purpose, at: validationTime)
            signers.append(try ChainValidator.validate(request))
        }
        return AuthenticodeVerification(
            result: CMSVerificationResult(signature: signature, signers: signers, signedContent: nil), timestamp: timestampResult,
            validationTime: validationTime)
    }

    /// PKCS7_verify without chain verification (fwgate validates chains itself, with the
    /// validation time the timestamp allows): the signature and, with signed attributes, the
    /// message digest over `content` (nil: the structure's own octet-string content).
    static func verifySignedData(_ pointer: UnsafeMutablePointer<PKCS7>, content: Data?) throws(CryptoError) -> SignatureVerification {
        ErrorQueue.clear()
        guard let store = X509_STORE_new() else { throw ErrorQueue.error(.openSSLFailure, "could not allocate an X509_STORE") }
        defer { X509_STORE_free(store) }
        let flags = Int32(PKCS7_NOVERIFY | PKCS7_BINARY)
        let status: Int32
        if let content {
            // Not a memory BIO: OpenSSL 3.0's PKCS7_verify copies a memory BIO's content into a
            // read-only one and leaks that copy when the digest BIOs cannot be made (an unknown
            // digest algorithm; found by the Authenticode fuzz target). CMSSignedData does the same.
            status = try ByteSourceBIO.reading(MemoryByteSource(content)) { bio in PKCS7_verify(pointer, nil, store, bio, nil, flags) }
        } else {
            status = PKCS7_verify(pointer, nil, store, nil, nil, flags)
        }
        guard status != 1 else { return .valid }
        let errors = ErrorQueue.drain()
        func has(_ reason: Int32) -> Bool { errors.contains { ERR_GET_LIB($0.code) == ERR_LIB_PKCS7 && ERR_GET_REASON($0.code) == reason } }
        if has(PKCS7_R_SIGNER_CERTIFICATE_NOT_FOUND) { return .unsupported("the signer certificate is not in the signature") }
        if has(PKCS7_R_SIGNATURE_FAILURE) || has(PKCS7_R_DIGEST_FAILURE) { return .invalid }
        let text = errors.map(\.reason).joined(separator: "; ")
        return .malformed(text.isEmpty ? "PKCS#7 verification failed" : text)
    }
}

/// What ``AuthenticodeSignature/verify(roots:intermediates:crls:crlCheck:purpose:at:)`` found.
public struct AuthenticodeVerification: Sendable {
    /// The SignerInfo's signature and the signer's chain (validated at ``validationTime``).
    public let result: CMSVerificationResult
    /// The timestamp's verdict, when the signature carries one.
    public let timestamp: AuthenticodeTimestamp.Verification?
    /// The context time, or the trusted timestamp's time.
    public let validationTime: Date
}

/// An RFC 3161 time-stamp token (a SignedData over a TSTInfo) countersigning an Authenticode
/// signature: its message imprint is the hash of the SignerInfo's signature value.
public struct AuthenticodeTimestamp: Sendable {
    let backing: PKCS7Owner
    /// TSTInfo.genTime.
    public let time: Date
    /// The message imprint's algorithm.
    public let imprintAlgorithmName: String
    public let imprint: Data
    /// The certificate of the authority that signed the token, when the token carries it.
    public let authority: Certificate?
    public let certificates: [Certificate]

    init(der: Data) throws(CryptoError) {
        guard let pointer = derDecode(der, { d2i_PKCS7(nil, $0, $1) }, free: { PKCS7_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "the RFC 3161 timestamp is not a DER PKCS#7 structure")
        }
        let owner = PKCS7Owner(takingOwnershipOf: pointer)
        guard fwgate_PKCS7_signed_content_type(pointer) != nil, let info = PKCS7_to_TS_TST_INFO(pointer) else {
            ErrorQueue.clear()
            throw CryptoError(.malformedInput, "the RFC 3161 timestamp does not carry a TSTInfo")
        }
        defer { TS_TST_INFO_free(info) }
        guard let time = Certificate.date(TS_TST_INFO_get_time(info)) else {
            throw CryptoError(.malformedInput, "the RFC 3161 timestamp's time does not decode")
        }
        guard let imprint = TS_TST_INFO_get_msg_imprint(info), let message = TS_MSG_IMPRINT_get_msg(imprint),
            let imprintBytes = AuthenticodeSignature.bytes(message)
        else {
            throw CryptoError(.malformedInput, "the RFC 3161 timestamp has no message imprint")
        }
        self.backing = owner
        self.time = time
        self.imprintAlgorithmName = AuthenticodeSignature.algorithmName(TS_MSG_IMPRINT_get_algo(imprint).map { UnsafePointer($0) })
        self.imprint = imprintBytes
        self.certificates = FirmwareCrypto.certificates(in: fwgate_PKCS7_signed_certs(pointer))
        if let stack = PKCS7_get0_signers(pointer, nil, 0) {
            self.authority = FirmwareCrypto.certificates(in: stack).first
            fwgate_sk_X509_free(stack)
        } else {
            ErrorQueue.clear()
            self.authority = nil
        }
    }

    /// The verdict on a timestamp.
    public struct Verification: Sendable {
        /// The time the token attests.
        public let time: Date
        /// True when the token's signature, imprint and authority chain (timeStamping, at that
        /// time) all hold and the time is not after the context time.
        public let trusted: Bool
        /// Why it is not trusted.
        public let problem: String?
        /// The authority's subject.
        public let authority: String?
    }

    /// Checks the token's signature over its TSTInfo, its imprint against `signatureValue`,
    /// and the authority's chain to `roots` with the timeStamping purpose at the token's time.
    func verify(over signatureValue: Data, roots: [Certificate], intermediates: [Certificate], at: Date) throws(CryptoError) -> Verification {
        func untrusted(_ problem: String) -> Verification {
            Verification(time: time, trusted: false, problem: problem, authority: authority?.subject)
        }
        let signature = try AuthenticodeSignature.verifySignedData(backing.pointer, content: nil)
        guard signature == .valid else { return untrusted("the timestamp's own signature does not verify (\(signature))") }
        guard let algorithm = DigestAlgorithm(name: imprintAlgorithmName), !algorithm.isWeak else {
            return untrusted("the timestamp's imprint algorithm \(imprintAlgorithmName) is weak or not one fwgate computes")
        }
        let expected = try Digest.hash(signatureValue, using: algorithm)
        guard expected.matches(imprint) else { return untrusted("the timestamp was made for another signature (its message imprint differs)") }
        guard time <= at else { return untrusted("the timestamp's time \(time) is after the verification time") }
        guard let authority else { return untrusted("the timestamp does not carry its authority's certificate") }
        var request = ChainValidationRequest(
            leaf: authority, intermediates: certificates.filter { $0 != authority } + intermediates, roots: roots, purpose: nil, at: time)
        request.requiredExtendedKeyUsages = ["timeStamping"]
        let chain = try ChainValidator.validate(request)
        guard chain.isValid else {
            return untrusted("the timestamp authority is not trusted: \(chain.problems.map(\.message).joined(separator: "; "))")
        }
        return Verification(time: time, trusted: true, problem: nil, authority: authority.subject)
    }
}
