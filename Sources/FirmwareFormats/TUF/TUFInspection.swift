import FirmwareCrypto
import Foundation

/// What `fwgate inspect REPOSITORY/` shows beyond the timestamp: each role's metadata as the
/// repository holds it (the newest root, snapshot, targets and delegated roles), with versions,
/// expiries, thresholds and targets. Nothing here is verified, and nothing fails: a file that
/// cannot be read is shown as such (`verify` reports why).
enum TUFInspection {
    static func describe(_ folder: ArtifactFolder, into description: inout TUFDescription) {
        let root = newestRoot(folder)
        description.consistentSnapshot = root?.metadata.signed["consistent_snapshot"]?.bool
        var roles: [TUFDescription.Role] = []
        if let root { roles.append(role("root", root.file, root.metadata, rootRole: root.metadata)) }
        let timestamp = read(folder, "metadata/timestamp.json", type: "timestamp")
        roles.append(entry("timestamp", "metadata/timestamp.json", timestamp, rootRole: root?.metadata))
        let consistent = description.consistentSnapshot ?? false
        let snapshotFile = "metadata/" + (consistent ? "\(description.snapshotVersion).snapshot.json" : "snapshot.json")
        let snapshot = read(folder, snapshotFile, type: "snapshot")
        roles.append(entry("snapshot", snapshotFile, snapshot, rootRole: root?.metadata))
        guard case .success(let snapshotMetadata) = snapshot else {
            description.roles = roles
            return
        }
        var targets: [TUFDescription.Target] = []
        // Top-level targets, then delegated roles depth first, each as the snapshot lists it.
        var queue: [(name: String, threshold: Int64?, keys: Int?)] = [("targets", nil, nil)]
        var seen: Set<String> = []
        while let next = queue.first, roles.count < 64 {
            queue.removeFirst()
            guard seen.insert(next.name).inserted else { continue }
            let version = snapshotMetadata.signed["meta"]?["\(next.name).json"]?["version"]?.integer
            let quoted = next.name.tufQuotedRoleName
            let file = "metadata/" + (consistent ? "\(version ?? 0).\(quoted).json" : "\(quoted).json")
            let result = read(folder, file, type: "targets")
            var described = entry(next.name, file, result, rootRole: next.name == "targets" ? root?.metadata : nil)
            if next.name != "targets" {
                described.threshold = next.threshold
                described.keys = next.keys
            }
            roles.append(described)
            guard case .success(let metadata) = result else { continue }
            for (path, target) in (metadata.signed["targets"]?.object ?? [:]).sorted(by: { $0.key < $1.key }) {
                targets.append(
                    TUFDescription.Target(path: path, length: target["length"]?.integer, sha256: target["hashes"]?["sha256"]?.string, role: next.name))
            }
            for delegated in metadata.signed["delegations"]?["roles"]?.array ?? [] {
                guard let name = delegated["name"]?.string else { continue }
                queue.append((name, delegated["threshold"]?.integer, delegated["keyids"]?.array?.count))
            }
        }
        description.roles = roles
        description.targets = targets
    }

    /// The highest `N.root.json`, else `root.json`.
    static func newestRoot(_ folder: ArtifactFolder) -> (file: String, metadata: TUFMetadata)? {
        var best: (String, TUFMetadata)?
        var version: Int64 = 1
        while version < 1024, case .success(let metadata) = read(folder, "metadata/\(version).root.json", type: "root") {
            best = ("metadata/\(version).root.json", metadata)
            version += 1
        }
        if best == nil, case .success(let metadata) = read(folder, "metadata/root.json", type: "root") { best = ("metadata/root.json", metadata) }
        return best
    }

    static func read(_ folder: ArtifactFolder, _ file: String, type: String) -> Result<TUFMetadata, TUFProblem> {
        switch folder.open(file) {
        case .missing: return .failure(TUFProblem(.manifestMissingEntry, "missing"))
        case .refused(let reason): return .failure(TUFProblem(.malformedUnsafePath, reason))
        case .file(let source):
            guard source.count <= TUFMetadata.maxLength(type), let bytes = try? source.bytes(at: 0, length: Int(source.count)) else {
                return .failure(TUFProblem(.malformedLength, "larger than \(TUFMetadata.maxLength(type)) bytes"))
            }
            do throws(TUFProblem) {
                return .success(try TUFMetadata.parse(bytes, type: type, file: file))
            } catch {
                return .failure(error)
            }
        }
    }

    static func entry(_ name: String, _ file: String, _ result: Result<TUFMetadata, TUFProblem>, rootRole: TUFMetadata?) -> TUFDescription.Role {
        switch result {
        case .success(let metadata): role(name, file, metadata, rootRole: rootRole)
        case .failure(let problem): TUFDescription.Role(name: name, file: file, unreadable: problem.message)
        }
    }

    static func role(_ name: String, _ file: String, _ metadata: TUFMetadata, rootRole: TUFMetadata?) -> TUFDescription.Role {
        let entry = rootRole?.signed["roles"]?[name]
        return TUFDescription.Role(
            name: name, file: file, version: metadata.version, expires: metadata.expiresText, threshold: entry?["threshold"]?.integer,
            keys: entry?["keyids"]?.array?.count, signatures: metadata.signatures.count)
    }
}
