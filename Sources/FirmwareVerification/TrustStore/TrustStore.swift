import FirmwareCrypto
import FirmwareFormats
import Foundation

/// What verification may trust: named public keys, root certificates, an intermediate pool and
/// CRLs. Immutable once built.
public struct TrustStore: Sendable {
    public let keys: [TrustedKey]
    public let roots: [Certificate]
    public let intermediates: [Certificate]
    public let crls: [CertificateRevocationList]
    /// Documents a format interprets itself: a TUF client's trusted root.json and the state
    /// files beside it.
    public let documents: [TrustDocument]

    public init(
        keys: [TrustedKey] = [], roots: [Certificate] = [], intermediates: [Certificate] = [], crls: [CertificateRevocationList] = [],
        documents: [TrustDocument] = []
    ) {
        self.keys = keys
        self.roots = roots
        self.intermediates = intermediates
        self.crls = crls
        self.documents = documents
    }

    /// Loads every file given (folders recursively): public keys (PEM/DER SPKI, PKCS#1) become
    /// trusted keys named after their file; self-signed certificates become trust anchors, other
    /// certificates join the untrusted intermediate pool (a chain file given to `--trust` must not
    /// turn its intermediates into anchors); CRLs are kept.
    ///
    /// - Throws: `FwgateError` naming the first file that is missing, a private key, or holds
    ///   nothing fwgate can trust. Trust material is never skipped silently.
    public static func load(_ paths: [String]) throws(FwgateError) -> TrustStore {
        var keys: [TrustedKey] = []
        var roots: [Certificate] = []
        var intermediates: [Certificate] = []
        var crls: [CertificateRevocationList] = []
        var documents: [TrustDocument] = []
        let extensions = TrustFiles.certificateExtensions.union(["key", "pub", "crl", "dtb", "esl", "json"])
        for path in paths where try TrustFiles.expand([path], extensions: extensions).isEmpty {
            throw FwgateError(.invalidTrust, "\(path): the folder holds no key, certificate or CRL file (.\(extensions.sorted().joined(separator: ", .")))")
        }
        let files = try TrustFiles.expand(paths, extensions: extensions)
        for file in files {
            let bytes = try InputFile.readInput(file)
            if Ed25519KeyFile.looksLikeOne(bytes) {
                keys.append(try Ed25519KeyFile.key(bytes, name: keyName(file), source: file))
                continue
            }
            if TUFFormat.looksLikeClientState(bytes) {
                let found = TUFFormat.looksLikeRoot(bytes) ? try tufClientState(root: file, bytes: bytes) : [TrustDocument(path: file, bytes: bytes)]
                for document in found where !documents.contains(where: { $0.path == document.path }) { documents.append(document) }
                continue
            }
            if UBootKeyDTB.isDeviceTree(bytes) {
                let found = try UBootKeyDTB.trust(bytes, source: file)
                keys += found.keys
                for certificate in found.certificates {
                    if certificate.info.selfSigned { roots.append(certificate) } else { intermediates.append(certificate) }
                }
                continue
            }
            if EFISignatureList.looksLikeOne(bytes) {
                do {
                    for der in try EFISignatureList.certificates(bytes) {
                        let certificate = try Certificate(der: der)
                        if certificate.info.selfSigned { roots.append(certificate) } else { intermediates.append(certificate) }
                    }
                } catch let error as MalformedInput {
                    throw FwgateError(.invalidTrust, "\(file): an EFI signature list that does not read: \(error.message)")
                } catch {
                    throw FwgateError(.invalidTrust, "\(file): an EFI signature list with a certificate that does not read: \(error)")
                }
                continue
            }
            if let certificates = try? Certificate.parseAll(bytes) {
                for certificate in certificates {
                    if certificate.info.selfSigned { roots.append(certificate) } else { intermediates.append(certificate) }
                }
                continue
            }
            if let list = try? CertificateRevocationList.parseAll(bytes) {
                crls += list
                continue
            }
            do {
                let key = try PublicKey(bytes: bytes)
                keys.append(TrustedKey(name: keyName(file), key: key, source: file))
            } catch {
                throw FwgateError(.invalidTrust, "\(file): not a public key, certificate or CRL: \(error.reason)")
            }
        }
        return TrustStore(keys: keys, roots: roots, intermediates: intermediates, crls: crls, documents: documents)
    }

    /// A TUF client's trusted root.json, and the trusted state beside it (TUF 1.0 §5.2: the
    /// client's last timestamp and snapshot, whose versions a repository may not go below).
    static func tufClientState(root: String, bytes: Data) throws(FwgateError) -> [TrustDocument] {
        var documents = [TrustDocument(path: root, bytes: bytes)]
        let folder = (root as NSString).deletingLastPathComponent
        for name in TUFFormat.clientStateFiles {
            let path = folder.isEmpty ? name : (folder as NSString).appendingPathComponent(name)
            guard path != root, FileManager.default.fileExists(atPath: path) else { continue }
            documents.append(TrustDocument(path: path, bytes: try InputFile.readInput(path)))
        }
        return documents
    }

    /// `vendor-keys/acme-prod.pub.pem` → `acme-prod`.
    static func keyName(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent
        for suffix in [".pem", ".der", ".pub", ".key", ".spki", ".crt"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        for suffix in [".pub", ".spki", ".public"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        return name
    }

    /// A store with the union of both.
    public func merging(_ other: TrustStore) -> TrustStore {
        TrustStore(
            keys: keys + other.keys, roots: roots + other.roots, intermediates: intermediates + other.intermediates,
            crls: crls + other.crls, documents: documents + other.documents)
    }
}
