import FirmwareCrypto
import Foundation

/// EFI_SIGNATURE_LIST sequences (UEFI 2.10 §32.4.1), as `cert-to-efi-sig-list` (efitools) writes
/// them and U-Boot embeds them as `/signature/capsule-key`: the X.509 certificates a firmware
/// trusts for capsules. Every size is checked against the list before use.
public enum EFISignatureList {
    /// EFI_CERT_X509_GUID.
    static let x509 = UEFIGUID.bytes("a5c059a1-94e4-4aa7-87b5-ab155c2bf072")
    /// EFI_CERT_SHA256_GUID (hash entries, which carry no certificate).
    static let sha256 = UEFIGUID.bytes("c1c41626-504c-4092-aca9-41f936934328")
    static let listHeader: Int64 = 28

    /// True when the bytes start with a signature list of a known type.
    public static func looksLikeOne(_ bytes: Data) -> Bool {
        bytes.count >= 28 + 16 && (bytes.prefix(16) == x509 || bytes.prefix(16) == sha256)
    }

    /// The DER certificates of every X.509 list.
    ///
    /// - Throws: `MalformedInput` for sizes that do not add up, or when no X.509 entry is there.
    public static func certificates(_ bytes: Data) throws(MalformedInput) -> [Data] {
        let source = MemoryByteSource(bytes)
        var reader = ByteReader(source)
        var certificates: [Data] = []
        while !reader.isAtEnd {
            let start = reader.offset
            let type = try reader.take(16, what: "SignatureType")
            let listSize = Int64(try reader.u32le("SignatureListSize"))
            let headerSize = Int64(try reader.u32le("SignatureHeaderSize"))
            let signatureSize = Int64(try reader.u32le("SignatureSize"))
            guard listSize >= listHeader + headerSize, start + listSize <= source.count, signatureSize >= 16,
                (listSize - listHeader - headerSize) % signatureSize == 0
            else {
                throw MalformedInput(
                    .malformedLength, at: start,
                    "EFI_SIGNATURE_LIST at 0x\(String(start, radix: 16)): sizes do not add up (list \(listSize), header \(headerSize), entry \(signatureSize))")
            }
            try reader.skip(headerSize, what: "SignatureHeader")
            var entries = ByteReader(source, range: reader.offset..<(start + listSize))
            while !entries.isAtEnd {
                _ = try entries.take(16, what: "SignatureOwner")
                let data = try entries.take(Int(signatureSize - 16), what: "SignatureData")
                if type == x509 { certificates.append(data) }
            }
            try reader.seek(to: start + listSize, what: "next EFI_SIGNATURE_LIST")
        }
        guard !certificates.isEmpty else {
            throw MalformedInput(.malformedEncoding, at: 0, "the signature list holds no X.509 certificate (EFI_CERT_X509_GUID)")
        }
        return certificates
    }
}
