internal import COpenSSL
import Foundation

/// An X.509 certificate (RFC 5280). Immutable; equal when the DER encodings are equal.
public struct Certificate: Sendable, Hashable, CustomStringConvertible {
    let backing: X509Cert
    /// The DER encoding.
    public let der: Data
    /// The parsed fields.
    public let info: CertificateDescription
    /// The subject public key.
    public let publicKey: PublicKey

    init(backing: X509Cert, der known: Data? = nil) throws(CryptoError) {
        self.backing = backing
        let pointer = backing.pointer
        if let known {
            self.der = known
        } else {
            do {
                self.der = try derEncode { i2d_X509(pointer, $0) }
            } catch {
                throw ErrorQueue.error(.openSSLFailure, "could not encode a certificate")
            }
        }
        guard let key = X509_get_pubkey(pointer) else {
            throw ErrorQueue.error(.unsupported, "the certificate's public key cannot be loaded")
        }
        // The SubjectPublicKeyInfo as the certificate carries it (X509_PUBKEY re-encodes its
        // parsed fields; i2d_PUBKEY would go through the provider encoders).
        guard let spki = try? derEncode({ i2d_X509_PUBKEY(X509_get_X509_PUBKEY(pointer), $0) }) else {
            EVP_PKEY_free(key)
            throw ErrorQueue.error(.openSSLFailure, "could not encode the certificate's public key")
        }
        self.publicKey = PublicKey(backing: EVPKey(takingOwnershipOf: key), spkiDER: spki)
        self.info = try Certificate.describe(pointer, der: der, key: publicKey)
    }

    /// Parses one DER certificate; the bytes must hold exactly one.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when they do not.
    public init(der: Data) throws(CryptoError) {
        ErrorQueue.clear()
        guard let pointer = derDecode(der, { d2i_X509(nil, $0, $1) }, free: { X509_free($0) }) else {
            throw ErrorQueue.error(.malformedInput, "not a DER X.509 certificate")
        }
        try self.init(backing: X509Cert(takingOwnershipOf: pointer), der: der)
    }

    /// Parses every certificate in `bytes`: a PEM bundle (other PEM blocks are skipped) or one
    /// DER certificate.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when no certificate is found or a block is
    ///   damaged.
    public static func parseAll(_ bytes: Data) throws(CryptoError) -> [Certificate] {
        if bytes.isEmpty { throw CryptoError(.malformedInput, "the file is empty") }
        if PEM.looksLikePEM(bytes) {
            let blocks = try PEM.decode(bytes)
            var result: [Certificate] = []
            for (index, block) in blocks.enumerated()
            where ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"].contains(block.label) {
                do {
                    result.append(try Certificate(der: block.der))
                } catch {
                    throw error.prefixed("PEM block \(index + 1)")
                }
            }
            guard !result.isEmpty else {
                let labels = blocks.map(\.label).joined(separator: ", ")
                throw CryptoError(
                    .malformedInput, blocks.isEmpty ? "no PEM block found" : "no certificate among the PEM blocks (\(labels))")
            }
            return result
        }
        return [try Certificate(der: bytes)]
    }

    /// A PEM block that could not be read, with where it is.
    public struct DamagedBlock: Sendable, Hashable, CustomStringConvertible {
        /// 1-based: the n-th `-----BEGIN` line of the file.
        public let number: Int
        /// 1-based line of its `-----BEGIN` line.
        public let line: Int
        public let reason: String
        public var description: String { "PEM block \(number) (line \(line)): \(reason)" }
    }

    /// What ``scanPEM(_:)`` found: every certificate that parses, and every damaged block.
    public struct PEMScan: Sendable {
        public var certificates: [Certificate] = []
        public var damaged: [DamagedBlock] = []
        /// Blocks that are not certificates (keys, CRLs), skipped.
        public var otherBlocks = 0
    }

    /// Reads each PEM block of `bytes` on its own, so that one damaged block (bad base64, no END
    /// line, not a certificate) does not hide the good certificates around it: a sweep must see
    /// an expired certificate even when the bundle's next block is truncated.
    ///
    /// - Returns: the certificates in file order, the damaged blocks with their block number and
    ///   line, and how many other (non-certificate) blocks were skipped.
    public static func scanPEM(_ bytes: Data) -> PEMScan {
        var scan = PEMScan()
        let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var open: (number: Int, line: Int, label: String, text: [Data.SubSequence])?
        var blockCount = 0
        func finish(_ block: (number: Int, line: Int, label: String, text: [Data.SubSequence])) {
            var text = Data()
            for part in block.text {
                text.append(contentsOf: part)
                text.append(UInt8(ascii: "\n"))
            }
            let decoded: [PEM.Block]
            do {
                decoded = try PEM.decode(text)
            } catch {
                let detail = error.openSSLErrors.last?.reason ?? error.reason
                scan.damaged.append(DamagedBlock(number: block.number, line: block.line, reason: "damaged \(block.label) block: \(detail)"))
                return
            }
            for item in decoded {
                guard ["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"].contains(item.label) else {
                    scan.otherBlocks += 1
                    continue
                }
                do {
                    scan.certificates.append(try Certificate(der: item.der))
                } catch {
                    scan.damaged.append(DamagedBlock(number: block.number, line: block.line, reason: "not a valid certificate: \(error.reason)"))
                }
            }
        }
        for (index, raw) in lines.enumerated() {
            let line = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.hasPrefix("-----BEGIN ") && line.hasSuffix("-----") {
                if let previous = open {
                    scan.damaged.append(
                        DamagedBlock(
                            number: previous.number, line: previous.line,
                            reason: "damaged \(previous.label) block: no END line before the next BEGIN (truncated)"))
                }
                blockCount += 1
                let label = String(line.dropFirst(11).dropLast(5))
                open = (blockCount, index + 1, label, [raw])
            } else if var block = open {
                block.text.append(raw)
                if line.hasPrefix("-----END ") {
                    open = nil
                    finish(block)
                } else {
                    open = block
                }
            }
        }
        if let block = open {
            scan.damaged.append(
                DamagedBlock(number: block.number, line: block.line, reason: "damaged \(block.label) block: no END line (the file is truncated)"))
        }
        return scan
    }

    /// Loads every certificate in a file (PEM bundle or DER).
    ///
    /// - Throws: `CryptoError` whose reason starts with the path.
    public static func load(contentsOf path: String) throws(CryptoError) -> [Certificate] {
        let bytes = try readFile(path)
        do {
            return try parseAll(bytes)
        } catch {
            throw error.prefixed(path)
        }
    }

    public var subject: String { info.subject }
    public var issuer: String { info.issuer }
    public var notBefore: Date { info.notBefore }
    public var notAfter: Date { info.notAfter }
    public var sha256: String { info.sha256 }

    /// True for MD2/MD4/MD5/SHA-1 signatures.
    var hasWeakSignatureDigest: Bool {
        var mdNID: Int32 = 0
        guard X509_get_signature_info(backing.pointer, &mdNID, nil, nil, nil) == 1 else { return false }
        return [NID_md2, NID_md4, NID_md5, NID_sha1, NID_md5_sha1].contains(mdNID)
    }

    public var description: String { info.subject }

    public static func == (lhs: Certificate, rhs: Certificate) -> Bool { lhs.der == rhs.der }
    public func hash(into hasher: inout Hasher) { hasher.combine(der) }

    // MARK: - Description

    private static func describe(_ x: OpaquePointer, der: Data, key: PublicKey) throws(CryptoError) -> CertificateDescription {
        // Fills OpenSSL's extension cache now, before the object can be shared.
        let flags = X509_get_extension_flags(x)
        let pathLength = X509_get_pathlen(x)
        return CertificateDescription(
            subject: name(X509_get_subject_name(x)),
            issuer: name(X509_get_issuer_name(x)),
            serial: serial(x),
            notBefore: date(X509_get0_notBefore(x)) ?? Date(timeIntervalSince1970: 0),
            notAfter: date(X509_get0_notAfter(x)) ?? Date(timeIntervalSince1970: 0),
            keyType: key.algorithm.family,
            keyBits: key.algorithm.bits,
            curve: key.algorithm.curve?.rawValue,
            keyFingerprint: key.fingerprint,
            signatureAlgorithm: String(cString: OBJ_nid2ln(X509_get_signature_nid(x))),
            subjectAltNames: subjectAltNames(x),
            keyUsage: keyUsage(x),
            extendedKeyUsage: extendedKeyUsage(x),
            isCA: (flags & UInt32(EXFLAG_CA)) != 0,
            pathLength: pathLength >= 0 ? Int(pathLength) : nil,
            selfSigned: (flags & UInt32(EXFLAG_SS)) != 0,
            sha256: (try? Digest.hash(der, using: .sha256).hex) ?? "")
    }

    static func name(_ name: OpaquePointer?) -> String {
        guard let name else { return "" }
        return (try? MemoryBIO.writingText { bio in
            _ = X509_NAME_print_ex(bio, name, 0, fwgate_XN_FLAG_RFC2253())
        }) ?? ""
    }

    private static func serial(_ x: OpaquePointer) -> String {
        guard let integer = X509_get0_serialNumber(x), let bn = ASN1_INTEGER_to_BN(integer, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { fwgate_OPENSSL_free(hex) }
        return String(cString: hex).lowercased()
    }

    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let time else { return nil }
        var parts = tm()
        guard ASN1_TIME_to_tm(time, &parts) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }

    private static func subjectAltNames(_ x: OpaquePointer) -> [String] {
        guard let raw = X509_get_ext_d2i(x, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var result: [String] = []
        for index in 0..<fwgate_sk_GENERAL_NAME_num(names) {
            guard let entry = fwgate_sk_GENERAL_NAME_value(names, index) else { continue }
            if let text = try? MemoryBIO.writingText({ _ = GENERAL_NAME_print($0, entry) }) {
                result.append(text)
            }
        }
        return result
    }

    private static let keyUsageNames: [(UInt32, String)] = [
        (UInt32(KU_DIGITAL_SIGNATURE), "digitalSignature"),
        (UInt32(KU_NON_REPUDIATION), "nonRepudiation"),
        (UInt32(KU_KEY_ENCIPHERMENT), "keyEncipherment"),
        (UInt32(KU_DATA_ENCIPHERMENT), "dataEncipherment"),
        (UInt32(KU_KEY_AGREEMENT), "keyAgreement"),
        (UInt32(KU_KEY_CERT_SIGN), "keyCertSign"),
        (UInt32(KU_CRL_SIGN), "cRLSign"),
        (UInt32(KU_ENCIPHER_ONLY), "encipherOnly"),
        (UInt32(KU_DECIPHER_ONLY), "decipherOnly"),
    ]

    private static func keyUsage(_ x: OpaquePointer) -> [String]? {
        guard (X509_get_extension_flags(x) & UInt32(EXFLAG_KUSAGE)) != 0 else { return nil }
        let bits = X509_get_key_usage(x)
        return keyUsageNames.filter { bits & $0.0 != 0 }.map(\.1)
    }

    private static func extendedKeyUsage(_ x: OpaquePointer) -> [String]? {
        guard let raw = X509_get_ext_d2i(x, NID_ext_key_usage, nil, nil) else { return nil }
        let usages = OpaquePointer(raw)
        defer { EXTENDED_KEY_USAGE_free(usages) }
        var result: [String] = []
        for index in 0..<fwgate_sk_ASN1_OBJECT_num(usages) {
            guard let object = fwgate_sk_ASN1_OBJECT_value(usages, index) else { continue }
            let nid = OBJ_obj2nid(object)
            if nid != NID_undef, let short = OBJ_nid2sn(nid) {
                result.append(String(cString: short))
            } else {
                var buffer = [CChar](repeating: 0, count: 128)
                let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
                result.append(String(decoding: buffer.prefix(Int(max(0, length))).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        return result
    }
}
