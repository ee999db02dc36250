import FirmwareCrypto
import Foundation

/// A finding that stops the TUF client workflow: its check code and a plain message.
struct TUFProblem: Error, Sendable {
    let code: CheckCode
    let message: String
    init(_ code: CheckCode, _ message: String) {
        self.code = code
        self.message = message
    }
}

/// One metadata file (TUF 1.0 §4.2): `{"signed": {...}, "signatures": [{"keyid", "sig"}]}`.
struct TUFMetadata: Sendable {
    let file: String
    let type: String
    let version: Int64
    let expires: Date
    let expiresText: String
    let specVersion: String
    let signed: JSONDocument
    let signatures: [(keyID: String, signature: String)]
    let length: Int

    /// The largest metadata files read, as python-tuf's client bounds them (ngclient config):
    /// root 512,000 bytes, timestamp 16,384, snapshot 2,000,000, targets 5,000,000.
    static func maxLength(_ type: String) -> Int64 {
        switch type {
        case "root": 512_000
        case "timestamp": 16_384
        case "snapshot": 2_000_000
        default: 5_000_000
        }
    }

    /// Reads and checks the envelope: JSON, `_type`, `spec_version` 1.x, `version` ≥ 1, `expires`.
    static func parse(_ bytes: Data, type: String, file: String) throws(TUFProblem) -> TUFMetadata {
        guard Int64(bytes.count) <= maxLength(type) else {
            throw TUFProblem(.malformedLength, "\(file) has \(bytes.count) bytes, more than the \(maxLength(type)) a \(type) metadata file may have")
        }
        let document: JSONDocument
        do {
            document = try JSONDocument.parse(bytes)
        } catch {
            throw TUFProblem(.malformedEncoding, "\(file) is not valid metadata JSON: \(error)")
        }
        guard let signed = document["signed"], signed.object != nil, let signatureList = document["signatures"]?.array else {
            throw TUFProblem(.malformedEncoding, "\(file) is not TUF metadata: it needs a \"signed\" object and a \"signatures\" list")
        }
        guard document.object?.count == 2 else {
            throw TUFProblem(.malformedEncoding, "\(file) has members besides \"signed\" and \"signatures\" (they would be unsigned)")
        }
        guard signed["_type"]?.string == type else {
            throw TUFProblem(.malformedEncoding, "\(file): _type is \(signed["_type"]?.string.map { "'\($0)'" } ?? "missing"), expected '\(type)'")
        }
        guard let spec = signed["spec_version"]?.string, spec.split(separator: ".").first == "1" else {
            throw TUFProblem(.malformedEncoding, "\(file): spec_version \(signed["spec_version"]?.string ?? "missing") is not 1.x")
        }
        guard let version = signed["version"]?.integer, version >= 1 else {
            throw TUFProblem(.malformedEncoding, "\(file): version must be an integer of at least 1")
        }
        guard let expiresText = signed["expires"]?.string, let expires = RFC3339.parse(expiresText) else {
            throw TUFProblem(.malformedEncoding, "\(file): expires is missing or not an RFC 3339 time")
        }
        var signatures: [(String, String)] = []
        for entry in signatureList {
            guard let keyID = entry["keyid"]?.string, let signature = entry["sig"]?.string else {
                throw TUFProblem(.malformedEncoding, "\(file): a signature needs \"keyid\" and \"sig\" strings")
            }
            signatures.append((keyID, signature))
        }
        return TUFMetadata(
            file: file, type: type, version: version, expires: expires, expiresText: expiresText, specVersion: spec, signed: signed,
            signatures: signatures, length: bytes.count)
    }
}

/// A public key as metadata lists it (TUF 1.0 §4.2 "KEY").
struct TUFKey: Sendable {
    let id: String
    let key: PublicKey
    let scheme: SignatureScheme
    let schemeName: String

    /// Decodes a key entry; nil (with the reason) for a type or scheme fwgate does not verify.
    static func decode(id: String, _ entry: JSONDocument) -> Result<TUFKey, TUFProblem> {
        guard let keyType = entry["keytype"]?.string, let schemeName = entry["scheme"]?.string, let value = entry["keyval"]?["public"]?.string else {
            return .failure(TUFProblem(.malformedEncoding, "key \(id.prefix(16)): keytype, scheme and keyval.public are required"))
        }
        do {
            switch (keyType, schemeName) {
            case ("ed25519", "ed25519"):
                guard let raw = Data(hexString: value), raw.count == 32 else {
                    return .failure(TUFProblem(.malformedEncoding, "key \(id.prefix(16)): an ed25519 key is 64 hex digits"))
                }
                return .success(TUFKey(id: id, key: try PublicKey(rawEd25519: raw), scheme: .ed25519, schemeName: schemeName))
            case ("ecdsa", "ecdsa-sha2-nistp256"), ("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256"):
                return .success(TUFKey(id: id, key: try PublicKey(bytes: Data(value.utf8)), scheme: .ecdsa(.sha256, encoding: .der), schemeName: schemeName))
            case ("ecdsa", "ecdsa-sha2-nistp384"), ("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384"):
                return .success(TUFKey(id: id, key: try PublicKey(bytes: Data(value.utf8)), scheme: .ecdsa(.sha384, encoding: .der), schemeName: schemeName))
            case ("rsa", "rsassa-pss-sha256"):
                return .success(
                    TUFKey(id: id, key: try PublicKey(bytes: Data(value.utf8)), scheme: .rsaPSS(.sha256, saltLength: .auto), schemeName: schemeName))
            default:
                return .failure(TUFProblem(.signatureUnsupportedAlgorithm, "key \(id.prefix(16)): keytype \(keyType) with scheme \(schemeName) is not supported"))
            }
        } catch {
            return .failure(TUFProblem(.malformedEncoding, "key \(id.prefix(16)): \(error.reason)"))
        }
    }

    /// Keys of a `keys` object; entries that cannot be used are left out (a role that needs them
    /// then misses its threshold, which says so).
    static func keys(_ object: JSONDocument?) -> [String: TUFKey] {
        var keys: [String: TUFKey] = [:]
        for (id, entry) in object?.object ?? [:] {
            if case .success(let key) = decode(id: id, entry) { keys[id] = key }
        }
        return keys
    }
}

/// A role's keys and threshold (root roles, and delegated roles).
struct TUFRole: Sendable {
    let name: String
    let keyIDs: [String]
    let threshold: Int64

    static func parse(name: String, _ entry: JSONDocument?, file: String) throws(TUFProblem) -> TUFRole {
        guard let entry, let ids = entry["keyids"]?.array, let threshold = entry["threshold"]?.integer else {
            throw TUFProblem(.malformedEncoding, "\(file): role '\(name)' needs keyids and a threshold")
        }
        let keyIDs = ids.compactMap(\.string)
        guard keyIDs.count == ids.count else { throw TUFProblem(.malformedEncoding, "\(file): role '\(name)' has a keyid that is not a string") }
        return TUFRole(name: name, keyIDs: keyIDs, threshold: threshold)
    }

    /// TUF 1.0 §5: metadata is trusted when at least `threshold` signatures by distinct keys of
    /// the role verify over the canonical form of `signed`. A signature repeated, or one key
    /// listed under two key ids, counts once; a threshold below 1 trusts nothing.
    ///
    /// - Returns: the number of distinct keys whose signature verified.
    func verify(_ metadata: TUFMetadata, keys: [String: TUFKey], by signer: String) throws(TUFProblem) -> Int {
        guard threshold >= 1 else {
            throw TUFProblem(.metadataThreshold, "\(metadata.file): the \(name) role's threshold is \(threshold) (by \(signer)); a threshold below 1 would trust unsigned metadata")
        }
        let message = metadata.signed.canonical
        var verified: Set<Data> = []
        var bad = 0
        var repeated = 0
        for (keyID, hex) in metadata.signatures where keyIDs.contains(keyID) {
            guard let key = keys[keyID], let signature = Data(hexString: hex) else { continue }
            if case .valid = key.key.verify(signature: signature, over: .message(message), scheme: key.scheme) {
                if !verified.insert(key.key.spkiDER).inserted { repeated += 1 }
            } else {
                bad += 1
            }
        }
        guard verified.count >= threshold else {
            let badText = bad > 0 ? "; \(bad) signature(s) by the role's keys do not verify (the metadata or the signature was changed)" : ""
            let repeatedText = repeated > 0 ? "; \(repeated) more valid signature(s) came from a key already counted (a repeated signature, or one key under two key ids), which counts once" : ""
            throw TUFProblem(
                .metadataThreshold,
                "\(metadata.file): \(verified.count) distinct key(s) of the \(name) role (by \(signer)) signed it, the threshold is \(threshold)\(badText)\(repeatedText)")
        }
        return verified.count
    }
}

/// A `meta` entry of timestamp or snapshot (TUF 1.0 §4.4 METAFILES).
struct TUFMetaFile: Sendable {
    let version: Int64
    let length: Int64?
    let hashes: [String: String]

    static func parse(_ entry: JSONDocument?, name: String, file: String) throws(TUFProblem) -> TUFMetaFile {
        guard let entry, let version = entry["version"]?.integer, version >= 1 else {
            throw TUFProblem(.malformedEncoding, "\(file): meta entry \(name) needs a version of at least 1")
        }
        let length = entry["length"]?.integer
        if let length, length < 0 { throw TUFProblem(.malformedEncoding, "\(file): meta entry \(name) has a negative length") }
        return TUFMetaFile(version: version, length: length, hashes: try TUFHashes.parse(entry["hashes"], what: "meta entry \(name)", file: file))
    }
}

/// `hashes` objects: algorithm name → lowercase hex.
enum TUFHashes {
    static let algorithms: [String: DigestAlgorithm] = ["sha256": .sha256, "sha384": .sha384, "sha512": .sha512]

    static func parse(_ entry: JSONDocument?, what: String, file: String) throws(TUFProblem) -> [String: String] {
        guard let entry else { return [:] }
        guard let object = entry.object else { throw TUFProblem(.malformedEncoding, "\(file): \(what): hashes must be an object") }
        var hashes: [String: String] = [:]
        for (name, value) in object {
            guard let hex = value.string, Data(hexString: hex) != nil else {
                throw TUFProblem(.malformedEncoding, "\(file): \(what): the \(name) hash is not hex")
            }
            hashes[name] = hex.lowercased()
        }
        return hashes
    }

    /// Checks bytes against length and every hash fwgate knows; at least one known hash is
    /// required when any hash is given (an unknown algorithm alone proves nothing).
    static func check(_ bytes: Data, length: Int64?, hashes: [String: String], what: String) throws(TUFProblem) {
        if let length, Int64(bytes.count) != length {
            throw TUFProblem(.integrityDigestMismatch, "\(what) has \(bytes.count) bytes; the signed length is \(length)")
        }
        guard !hashes.isEmpty else { return }
        let known = hashes.filter { algorithms[$0.key] != nil }
        guard !known.isEmpty else {
            throw TUFProblem(.integrityUnverifiable, "\(what): none of its hash algorithms (\(hashes.keys.sorted().joined(separator: ", "))) is one fwgate computes")
        }
        for (name, hex) in known.sorted(by: { $0.key < $1.key }) {
            guard let actual = try? Digest.hash(bytes, using: algorithms[name]!).hex else {
                throw TUFProblem(.integrityUnverifiable, "\(what): \(name) is not available")
            }
            guard actual == hex else {
                throw TUFProblem(.integrityDigestMismatch, "\(what): its \(name) is \(actual), the signed \(name) is \(hex)")
            }
        }
    }
}
