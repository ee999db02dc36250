import FirmwareCrypto
import FirmwareFormats
import Foundation

extension Policy {
    /// Reads, decodes and validates a policy file, loading every key and root file it names.
    ///
    /// Paths inside the policy are relative to the policy file's folder. Unknown keys are errors
    /// (a typo must not silently weaken the policy), and so are unknown format names, key or
    /// root files that are missing, hold a private key or nothing trustable, and `allowUnsafe`
    /// entries that are not known test keys.
    ///
    /// - Parameter path: the policy file (`--policy`).
    /// - Returns: the validated policy, with ``digest`` taken of the file's bytes.
    /// - Throws: `FwgateError(.fileNotFound / .unreadableInput)` when the file cannot be read;
    ///   `FwgateError(.invalidPolicy)` for anything wrong inside it, as
    ///   `file:line: key.path: what to change` (the CLI exits 2).
    public static func load(path: String) throws(FwgateError) -> Policy {
        if InputFile.isMissing(path) { throw FwgateError(.fileNotFound, "\(path): no such policy file") }
        let bytes = try InputFile.readInput(path, limit: 16 << 20)
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw FwgateError(.invalidPolicy, "\(path): the policy is not UTF-8 text")
        }
        let digest: String
        do {
            digest = try Digest.hash(bytes, using: .sha256).hex
        } catch {
            throw FwgateError(.io, "\(path): cannot hash the policy: \(error.reason)")
        }
        let document = try PolicyDocument(text: text, path: path)
        let file = try document.decode(PolicyFile.self)
        let folder = (path as NSString).deletingLastPathComponent
        var vendors: [VendorPolicy] = []
        for (index, entry) in file.vendors.enumerated() {
            vendors.append(try resolve(entry, index: index, folder: folder, document: document))
        }
        return Policy(
            source: path, digest: digest, vendors: vendors, formats: file.formats, unsignedFormatsUnsafe: file.unsignedFormatsUnsafe,
            algorithms: file.algorithms, rollback: file.rollback, expiry: file.expiry, knownTestKeys: file.knownTestKeys,
            unsignedTrailingData: file.unsignedTrailingData, compatible: file.compatible)
    }

    /// Loads a vendor entry's key and root files (with `TrustStore.load`'s rules) and names the
    /// keys `<vendor>/<file name>`.
    private static func resolve(_ entry: VendorPolicy, index: Int, folder: String, document: PolicyDocument) throws(FwgateError)
        -> VendorPolicy
    {
        var resolved = entry
        let base = [PolicyKey(stringValue: "vendors"), PolicyKey(intValue: index)]
        for (position, file) in entry.keyFiles.enumerated() {
            let location = base + [PolicyKey(stringValue: "keys"), PolicyKey(intValue: position)]
            let store = try load(file, folder: folder, at: location, document: document)
            guard store.roots.isEmpty && store.crls.isEmpty else {
                throw document.error(
                    PolicyProblem(location, "\(file) holds certificates or CRLs; list root certificates under `roots:` and public keys under `keys:`"))
            }
            guard !store.keys.isEmpty else {
                throw document.error(PolicyProblem(location, "\(file) holds no public key"))
            }
            for key in store.keys {
                let named = TrustedKey(name: "\(entry.name)/\(key.name)", key: key.key, source: key.source)
                if !resolved.trustedKeys.contains(named) { resolved.trustedKeys.append(named) }
            }
        }
        for (position, file) in entry.rootFiles.enumerated() {
            let location = base + [PolicyKey(stringValue: "roots"), PolicyKey(intValue: position)]
            let store = try load(file, folder: folder, at: location, document: document)
            guard store.keys.isEmpty && store.crls.isEmpty else {
                throw document.error(
                    PolicyProblem(location, "\(file) holds public keys or CRLs; list public keys under `keys:` and only root certificates under `roots:`"))
            }
            guard !store.roots.isEmpty else {
                throw document.error(PolicyProblem(location, "\(file) holds no certificate"))
            }
            for root in store.roots where !resolved.roots.contains(root) { resolved.roots.append(root) }
        }
        return resolved
    }

    private static func load(_ file: String, folder: String, at location: [PolicyKey], document: PolicyDocument) throws(FwgateError)
        -> TrustStore
    {
        let full = file.hasPrefix("/") || folder.isEmpty ? file : (folder as NSString).appendingPathComponent(file)
        do {
            return try TrustStore.load([full])
        } catch {
            var reason = error.reason
            if error.code == .fileNotFound {
                reason += "; paths in a policy are relative to the policy's folder (\(folder.isEmpty ? "." : folder))"
            }
            throw document.error(PolicyProblem(location, reason))
        }
    }
}
