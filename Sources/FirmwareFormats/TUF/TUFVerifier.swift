import FirmwareCrypto
import Foundation

/// The TUF 1.0 client workflow (§5), offline, over a repository folder. Each step either adds
/// passed checks or stops the workflow with the problem it found (as a client stops updating):
/// later steps would only judge metadata that is not trusted.
struct TUFVerifier {
    let input: FormatVerificationInput
    private var checks: [Check] = []
    private var signer: Signer?
    /// The deepest delegation chain and the most delegated roles followed.
    static let maxDelegationDepth = 32
    static let maxDelegatedRoles = 256
    /// The most root versions followed in one verification (python-tuf: 256).
    static let maxRootRotations = 256

    init(input: FormatVerificationInput) { self.input = input }

    private var subject: String { input.path }

    func result() -> FormatVerificationResult {
        var verifier = self
        do throws(TUFProblem) {
            try verifier.run()
        } catch {
            verifier.checks.append(.failed(error.code, subject: verifier.subject, error.message))
        }
        let failed = verifier.checks.contains { $0.status == .failed }
        return FormatVerificationResult(checks: verifier.checks, signer: failed ? nil : verifier.signer, signed: true)
    }

    private mutating func pass(_ code: CheckCode, _ message: String) { checks.append(.passed(code, subject: subject, message)) }

    // MARK: - The workflow

    private mutating func run() throws(TUFProblem) {
        guard let folder = input.folder else {
            throw TUFProblem(.malformedEncoding, "a TUF repository is a folder (REPOSITORY/ with metadata/ and targets/)")
        }
        let root = try updateRoot(folder)
        let rootKeys = TUFKey.keys(root.signed["keys"])
        let consistent = root.signed["consistent_snapshot"]?.bool ?? false
        let timestamp = try updateTimestamp(folder, root: root, keys: rootKeys)
        let snapshot = try updateSnapshot(folder, root: root, keys: rootKeys, timestamp: timestamp, consistent: consistent)
        let targets = try updateTargets(folder, root: root, keys: rootKeys, snapshot: snapshot, consistent: consistent)
        let delegated = try loadDelegations(folder, from: targets, snapshot: snapshot, consistent: consistent)
        let authoritative = try authoritativeTargets(top: targets, delegated: delegated)
        checkTargetFiles(folder, authoritative, consistent: consistent)
        signer = Signer(name: "TUF root v\(root.version), targets v\(targets.metadata.version)")
    }

    /// §5.3: the trusted root, then `N+1.root.json` while there is one.
    private mutating func updateRoot(_ folder: ArtifactFolder) throws(TUFProblem) -> TUFMetadata {
        guard let document = input.trustDocuments.first(where: { TUFFormat.looksLikeRoot($0.bytes) }) else {
            throw TUFProblem(
                .keyUntrusted, "no trusted TUF root was given: pass the client's trusted root.json with --trust CLIENT/metadata/root.json")
        }
        var root = try TUFMetadata.parse(document.bytes, type: "root", file: document.path)
        let initialVersion = root.version
        _ = try rootRole(root).verify(root, keys: TUFKey.keys(root.signed["keys"]), by: "its own keys")
        for _ in 0..<Self.maxRootRotations {
            let next = root.version + 1
            guard let bytes = try read(folder, "metadata/\(next).root.json", type: "root") else { break }
            let new = try TUFMetadata.parse(bytes, type: "root", file: "metadata/\(next).root.json")
            _ = try rootRole(root).verify(new, keys: TUFKey.keys(root.signed["keys"]), by: "the trusted root v\(root.version)")
            _ = try rootRole(new).verify(new, keys: TUFKey.keys(new.signed["keys"]), by: "its own keys")
            guard new.version == next else {
                throw TUFProblem(.metadataVersionMismatch, "metadata/\(next).root.json holds root version \(new.version), not \(next)")
            }
            root = new
        }
        try notExpired(root)
        let rotated = root.version == initialVersion ? "no newer root in the repository" : "rotated from v\(initialVersion) through \(root.version - initialVersion) new root(s), each signed by the previous and its own threshold"
        pass(.metadataThreshold, "root v\(root.version) trusted: \(rotated)")
        return root
    }

    private func rootRole(_ root: TUFMetadata, _ name: String = "root") throws(TUFProblem) -> TUFRole {
        try TUFRole.parse(name: name, root.signed["roles"]?[name], file: root.file)
    }

    /// §5.4 timestamp.
    private mutating func updateTimestamp(_ folder: ArtifactFolder, root: TUFMetadata, keys: [String: TUFKey]) throws(TUFProblem) -> TUFMetadata {
        guard let bytes = try read(folder, "metadata/timestamp.json", type: "timestamp") else {
            throw TUFProblem(.manifestMissingEntry, "metadata/timestamp.json is missing")
        }
        let timestamp = try TUFMetadata.parse(bytes, type: "timestamp", file: "metadata/timestamp.json")
        let count = try rootRole(root, "timestamp").verify(timestamp, keys: keys, by: "root v\(root.version)")
        let snapshotMeta = try meta(timestamp, "snapshot.json")
        if let trusted = try clientState("timestamp") {
            guard timestamp.version >= trusted.version else {
                throw TUFProblem(.rollbackVersion, "timestamp version \(timestamp.version) is below the client's trusted version \(trusted.version) (\(trusted.file))")
            }
            let trustedSnapshot = try meta(trusted, "snapshot.json")
            guard snapshotMeta.version >= trustedSnapshot.version else {
                throw TUFProblem(
                    .rollbackVersion, "the timestamp names snapshot version \(snapshotMeta.version), below the \(trustedSnapshot.version) the client trusts")
            }
        }
        try notExpired(timestamp)
        pass(.metadataThreshold, "timestamp v\(timestamp.version) signed by \(count) distinct timestamp key(s)")
        return timestamp
    }

    /// §5.5 snapshot.
    private mutating func updateSnapshot(
        _ folder: ArtifactFolder, root: TUFMetadata, keys: [String: TUFKey], timestamp: TUFMetadata, consistent: Bool
    ) throws(TUFProblem) -> TUFMetadata {
        let expected = try meta(timestamp, "snapshot.json")
        let file = "metadata/" + (consistent ? "\(expected.version).snapshot.json" : "snapshot.json")
        guard let bytes = try read(folder, file, type: "snapshot") else { throw TUFProblem(.manifestMissingEntry, "\(file) is missing") }
        try TUFHashes.check(bytes, length: expected.length, hashes: expected.hashes, what: file)
        let snapshot = try TUFMetadata.parse(bytes, type: "snapshot", file: file)
        let count = try rootRole(root, "snapshot").verify(snapshot, keys: keys, by: "root v\(root.version)")
        guard snapshot.version == expected.version else {
            throw TUFProblem(.metadataVersionMismatch, "\(file) is version \(snapshot.version); the timestamp names version \(expected.version)")
        }
        if let trusted = try clientState("snapshot") {
            for (name, entry) in (trusted.signed["meta"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                let old = try TUFMetaFile.parse(entry, name: name, file: trusted.file)
                guard let newEntry = snapshot.signed["meta"]?[name] else {
                    throw TUFProblem(.rollbackVersion, "\(file) no longer lists \(name), which the client's trusted snapshot lists (version \(old.version))")
                }
                let new = try TUFMetaFile.parse(newEntry, name: name, file: file)
                guard new.version >= old.version else {
                    throw TUFProblem(.rollbackVersion, "\(file) lists \(name) version \(new.version), below the \(old.version) the client trusts")
                }
            }
        }
        try notExpired(snapshot)
        pass(.metadataThreshold, "snapshot v\(snapshot.version) signed by \(count) distinct snapshot key(s)")
        if expected.length != nil || !expected.hashes.isEmpty {
            pass(.integrityDigestMismatch, "\(file) matches the length and hashes the timestamp signs")
        }
        return snapshot
    }

    /// A loaded targets role: the metadata, the role's name, its delegations and the chain of
    /// delegations that leads to it.
    private struct LoadedTargets {
        let name: String
        let metadata: TUFMetadata
        let chain: [TUFDelegatedRole]
        var targets: [String: JSONDocument] { metadata.signed["targets"]?.object ?? [:] }
        var delegations: [TUFDelegatedRole] {
            (metadata.signed["delegations"]?["roles"]?.array ?? []).compactMap { try? TUFDelegatedRole.parse($0, file: metadata.file) }
        }
    }

    /// §5.6 top-level targets.
    private mutating func updateTargets(
        _ folder: ArtifactFolder, root: TUFMetadata, keys: [String: TUFKey], snapshot: TUFMetadata, consistent: Bool
    ) throws(TUFProblem) -> LoadedTargets {
        let metadata = try loadTargetsMetadata(folder, name: "targets", snapshot: snapshot, consistent: consistent)
        let count = try rootRole(root, "targets").verify(metadata, keys: keys, by: "root v\(root.version)")
        try notExpired(metadata)
        pass(.metadataThreshold, "targets v\(metadata.version) signed by \(count) distinct targets key(s)")
        return LoadedTargets(name: "targets", metadata: metadata, chain: [])
    }

    /// A targets metadata file as the snapshot lists it: name, length, hashes, version.
    private mutating func loadTargetsMetadata(_ folder: ArtifactFolder, name: String, snapshot: TUFMetadata, consistent: Bool) throws(TUFProblem)
        -> TUFMetadata
    {
        guard let entry = snapshot.signed["meta"]?["\(name).json"] else {
            let code: CheckCode = name == "targets" ? .manifestMissingEntry : .metadataDelegation
            throw TUFProblem(code, "the snapshot does not list \(name).json, so the \(name) role cannot be trusted")
        }
        let expected = try TUFMetaFile.parse(entry, name: "\(name).json", file: snapshot.file)
        let quoted = name.tufQuotedRoleName
        let file = "metadata/" + (consistent ? "\(expected.version).\(quoted).json" : "\(quoted).json")
        guard let bytes = try read(folder, file, type: "targets") else { throw TUFProblem(.manifestMissingEntry, "\(file) is missing") }
        try TUFHashes.check(bytes, length: expected.length, hashes: expected.hashes, what: file)
        let metadata = try TUFMetadata.parse(bytes, type: "targets", file: file)
        guard metadata.version == expected.version else {
            throw TUFProblem(.metadataVersionMismatch, "\(file) is version \(metadata.version); the snapshot lists version \(expected.version)")
        }
        return metadata
    }

    /// §5.6.7: every delegated role reachable from targets, depth first in order, each signed by
    /// its delegator's keys for it.
    private mutating func loadDelegations(_ folder: ArtifactFolder, from top: LoadedTargets, snapshot: TUFMetadata, consistent: Bool) throws(TUFProblem)
        -> [LoadedTargets]
    {
        var loaded: [LoadedTargets] = []
        var seen: Set<String> = ["targets"]
        func visit(_ parent: LoadedTargets, depth: Int, into verifier: inout TUFVerifier) throws(TUFProblem) {
            guard let delegations = parent.metadata.signed["delegations"] else { return }
            let keys = TUFKey.keys(delegations["keys"])
            var roles: [TUFDelegatedRole] = []
            for entry in delegations["roles"]?.array ?? [] { roles.append(try TUFDelegatedRole.parse(entry, file: parent.metadata.file)) }
            for role in roles where !seen.contains(role.role.name) {
                guard depth < Self.maxDelegationDepth, loaded.count < Self.maxDelegatedRoles else {
                    throw TUFProblem(
                        .metadataDelegation, "more than \(Self.maxDelegationDepth) levels or \(Self.maxDelegatedRoles) delegated roles: refused as a denial of service")
                }
                seen.insert(role.role.name)
                let metadata = try verifier.loadTargetsMetadata(folder, name: role.role.name, snapshot: snapshot, consistent: consistent)
                let count = try role.role.verify(metadata, keys: keys, by: "its delegator '\(parent.name)'")
                try verifier.notExpired(metadata)
                verifier.pass(.metadataThreshold, "delegated role '\(role.role.name)' v\(metadata.version) signed by \(count) distinct key(s) '\(parent.name)' delegates to")
                let child = LoadedTargets(name: role.role.name, metadata: metadata, chain: parent.chain + [role])
                loaded.append(child)
                try visit(child, depth: depth + 1, into: &verifier)
            }
        }
        try visit(top, depth: 0, into: &self)
        return loaded
    }

    /// §5.6.7: for each target path listed anywhere, the role the client would take it from (a
    /// pre-order search that follows only delegations whose paths match, and stops at a
    /// terminating one). A role that lists a path its delegation chain does not give it fails.
    private mutating func authoritativeTargets(top: LoadedTargets, delegated: [LoadedTargets]) throws(TUFProblem) -> [(path: String, entry: JSONDocument, role: String)] {
        var byName: [String: LoadedTargets] = [:]
        for role in delegated { byName[role.name] = role }
        var outside: [String] = []
        for role in delegated {
            for path in role.targets.keys.sorted() where !role.chain.allSatisfy({ $0.matches(path) }) {
                outside.append("'\(role.name)' lists \(path)")
            }
        }
        guard outside.isEmpty else {
            throw TUFProblem(.metadataDelegation, "a delegated role lists targets outside the paths delegated to it: \(outside.joined(separator: "; "))")
        }
        func search(_ path: String, in role: LoadedTargets, depth: Int) -> (JSONDocument, String)? {
            if let entry = role.targets[path] { return (entry, role.name) }
            guard depth < Self.maxDelegationDepth else { return nil }
            for delegation in role.delegations where delegation.matches(path) {
                if let child = byName[delegation.role.name], let found = search(path, in: child, depth: depth + 1) { return found }
                if delegation.terminating { return nil }
            }
            return nil
        }
        var paths: Set<String> = Set(top.targets.keys)
        for role in delegated { paths.formUnion(role.targets.keys) }
        var result: [(String, JSONDocument, String)] = []
        for path in paths.sorted() {
            if let (entry, role) = search(path, in: top, depth: 0) { result.append((path, entry, role)) }
        }
        pass(.metadataDelegation, delegated.isEmpty ? "no delegations" : "\(delegated.count) delegated role(s); every target is listed within its delegated paths")
        return result
    }

    /// §5.7: every target file by length and hashes, streamed.
    private mutating func checkTargetFiles(_ folder: ArtifactFolder, _ targets: [(path: String, entry: JSONDocument, role: String)], consistent: Bool) {
        var failures = 0
        var unsafe = 0
        for (path, entry, role) in targets {
            if let reason = ArtifactFolder.unsafeReason(path) {
                checks.append(.failed(.malformedUnsafePath, subject: subject, "target '\(path)' (role '\(role)'): \(reason); it is not read"))
                unsafe += 1
                continue
            }
            guard let length = entry["length"]?.integer, length >= 0, let hashes = try? TUFHashes.parse(entry["hashes"], what: path, file: role),
                !hashes.isEmpty
            else {
                checks.append(.failed(.malformedEncoding, subject: subject, "target '\(path)' (role '\(role)') needs a length and hashes"))
                failures += 1
                continue
            }
            if let problem = checkTarget(folder, path: path, length: length, hashes: hashes, consistent: consistent) {
                checks.append(.failed(problem.code, subject: "targets/\(path)", "\(problem.message) (listed by '\(role)')"))
                failures += 1
            }
        }
        if unsafe == 0 { pass(.malformedUnsafePath, "every target path stays inside targets/") }
        if failures == 0 && unsafe == 0 {
            pass(.manifestEntryMismatch, "\(targets.count) target file(s) match their signed length and hashes")
            pass(.manifestMissingEntry, "every listed target file is present")
        }
    }

    private func checkTarget(_ folder: ArtifactFolder, path: String, length: Int64, hashes: [String: String], consistent: Bool) -> TUFProblem? {
        var candidates = ["targets/" + path]
        if consistent {
            let directory = (path as NSString).deletingLastPathComponent
            let base = (path as NSString).lastPathComponent
            candidates = hashes.keys.sorted().map { name in
                "targets/" + (directory.isEmpty ? "" : directory + "/") + "\(hashes[name]!).\(base)"
            }
        }
        for candidate in candidates {
            switch folder.open(candidate) {
            case .missing: continue
            case .refused(let reason): return TUFProblem(.malformedUnsafePath, "\(candidate): \(reason)")
            case .file(let source):
                guard source.count == length else {
                    return TUFProblem(.manifestEntryMismatch, "\(candidate) has \(source.count) bytes; the signed length is \(length)")
                }
                let known = hashes.compactMap { name, hex in TUFHashes.algorithms[name].map { (name, $0, hex) } }
                guard !known.isEmpty else {
                    return TUFProblem(.integrityUnverifiable, "none of its hash algorithms (\(hashes.keys.sorted().joined(separator: ", "))) is one fwgate computes")
                }
                let requests = known.map { DigestRequest($0.1, 0..<source.count) }
                guard let digests = try? MultiRangeDigest.compute(requests, over: source) else {
                    return TUFProblem(.integrityUnverifiable, "\(candidate) could not be read")
                }
                for (name, algorithm, hex) in known.sorted(by: { $0.0 < $1.0 }) {
                    let actual = digests[DigestRequest(algorithm, 0..<source.count)]?.hex
                    guard actual == hex else {
                        return TUFProblem(.manifestEntryMismatch, "\(candidate): its \(name) is \(actual ?? "?"), the signed \(name) is \(hex): the file was changed")
                    }
                }
                return nil
            }
        }
        return TUFProblem(.manifestMissingEntry, "\(candidates.first!) is listed in signed metadata but missing")
    }

    // MARK: - Helpers

    private func notExpired(_ metadata: TUFMetadata) throws(TUFProblem) {
        guard input.at < metadata.expires else {
            throw TUFProblem(.metadataExpired, "\(metadata.file) (\(metadata.type) v\(metadata.version)) expired at \(metadata.expiresText); verified at \(RFC3339.string(input.at))")
        }
    }

    private func meta(_ metadata: TUFMetadata, _ name: String) throws(TUFProblem) -> TUFMetaFile {
        try TUFMetaFile.parse(metadata.signed["meta"]?[name], name: name, file: metadata.file)
    }

    /// The client's trusted metadata of a role, from the folder of its root.json.
    private func clientState(_ type: String) throws(TUFProblem) -> TUFMetadata? {
        guard let document = input.trustDocuments.first(where: { $0.fileName == "\(type).json" }) else { return nil }
        return try TUFMetadata.parse(document.bytes, type: type, file: document.path)
    }

    /// A metadata file's bytes, or nil when it is not there; bounded by the role's size cap.
    private func read(_ folder: ArtifactFolder, _ relative: String, type: String) throws(TUFProblem) -> Data? {
        switch folder.open(relative) {
        case .missing: return nil
        case .refused(let reason): throw TUFProblem(.malformedUnsafePath, "\(relative): \(reason)")
        case .file(let source):
            guard source.count <= TUFMetadata.maxLength(type) else {
                throw TUFProblem(.malformedLength, "\(relative) has \(source.count) bytes, more than the \(TUFMetadata.maxLength(type)) a \(type) metadata file may have")
            }
            do {
                return try source.bytes(at: 0, length: Int(source.count))
            } catch {
                throw TUFProblem(.integrityUnverifiable, "\(relative): \(error.reason)")
            }
        }
    }
}
