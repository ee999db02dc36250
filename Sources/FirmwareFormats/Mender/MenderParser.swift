import FirmwareCrypto
import Foundation

/// Reads a Mender artifact (format version 3, mender-artifact's `Documentation/artifact-format-v3.md`)
/// without extracting anything: the outer tar's members with their offsets, `version`, the
/// `manifest` and `manifest.sig`, and the header's `header-info` and `type-info` for the
/// description. Data archives are only located here; the verifier streams them.
enum MenderParser {
    /// Small members are read whole, up to these sizes.
    static let maxVersion = 4096
    static let maxManifest = 1 << 20
    static let maxSignature = 8192
    static let maxHeaderJSON = 1 << 20
    /// What a compressed header may inflate to.
    static let maxHeader: Int64 = 16 << 20

    static func parse(_ source: any ByteSource) throws(MalformedInput) -> MenderDescription {
        var reader = TarReader(SourceInput(source))
        var members: [MenderMember] = []
        var seen: Set<String> = []
        var versionBytes: Data?
        var manifest: Data?
        var signature: Data?
        var augment: Data?
        while let entry = try reader.next() {
            guard entry.kind == .file else {
                throw MalformedInput(.malformedEncoding, at: entry.dataOffset, "member '\(entry.name)' of the artifact is not a regular file (\(entry.kind))")
            }
            if let reason = ArtifactFolder.unsafeReason(entry.name) {
                throw MalformedInput(.malformedUnsafePath, at: entry.dataOffset, "member '\(entry.name)': \(reason)")
            }
            guard seen.insert(entry.name).inserted else {
                throw MalformedInput(.malformedDuplicateEntry, at: entry.dataOffset, "the artifact holds two members named '\(entry.name)'")
            }
            if members.isEmpty && entry.name != "version" {
                throw MalformedInput(.malformedEncoding, at: entry.dataOffset, "a Mender artifact starts with its 'version' member; this one starts with '\(entry.name)'")
            }
            if members.count == 1 && entry.name != "manifest" {
                throw MalformedInput(.malformedEncoding, at: entry.dataOffset, "a Mender artifact's second member is 'manifest'; this one's is '\(entry.name)'")
            }
            members.append(MenderMember(name: entry.name, offset: entry.dataOffset, size: entry.size))
            switch entry.name {
            case "version": versionBytes = try reader.readData(limit: maxVersion)
            case "manifest": manifest = try reader.readData(limit: maxManifest)
            case "manifest.sig": signature = try reader.readData(limit: maxSignature)
            case "manifest-augment": augment = try reader.readData(limit: maxManifest)
            default: break
            }
        }
        guard let versionBytes else { throw MalformedInput(.malformedEncoding, at: 0, "the artifact has no 'version' member") }
        try checkVersion(versionBytes)
        guard let manifest else {
            throw MalformedInput(.malformedEncoding, at: 0, "the artifact has no 'manifest' member (every version 3 artifact lists its checksums there)")
        }
        let decodedSignature: Data? = if let signature { try decodeSignature(signature) } else { nil }
        let augmentEntries: [MenderManifestEntry] = if let augment { try manifestEntries(augment, name: "manifest-augment") } else { [] }
        var description = MenderDescription(
            members: members, manifest: try manifestEntries(manifest, name: "manifest"), manifestBytes: manifest,
            signature: decodedSignature, augment: augmentEntries)
        if let header = members.first(where: { $0.name.hasPrefix("header.tar") }) {
            try readHeader(source, header, into: &description)
        } else {
            throw MalformedInput(.malformedEncoding, at: 0, "the artifact has no header.tar member")
        }
        return description
    }

    /// `{"format": "mender", "version": 3}`.
    static func checkVersion(_ bytes: Data) throws(MalformedInput) {
        guard let document = try? JSONDocument.parse(bytes), document["format"]?.string == "mender" else {
            throw MalformedInput(.malformedEncoding, at: 0, "the 'version' member is not {\"format\": \"mender\", \"version\": N}")
        }
        guard document["version"]?.integer == 3 else {
            throw MalformedInput(
                .malformedEncoding, at: 0,
                "Mender artifact format version \(document["version"]?.integer.map(String.init) ?? "?") is not supported: fwgate verifies version 3 (signed manifests)")
        }
    }

    /// `manifest`: one `SHA256HEX  PATH` line per member (two spaces), as sha256sum writes.
    static func manifestEntries(_ bytes: Data, name: String) throws(MalformedInput) -> [MenderManifestEntry] {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw MalformedInput(.malformedEncoding, at: 0, "the \(name) is not UTF-8 text")
        }
        var entries: [MenderManifestEntry] = []
        var paths: Set<String> = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            let parts = line.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 64, Data(hexString: String(parts[0])) != nil, parts[1].hasPrefix(" ") else {
                throw MalformedInput(.malformedEncoding, at: 0, "\(name) line \(number + 1) is not 'SHA256  PATH'")
            }
            let path = String(parts[1].dropFirst())
            if let reason = ArtifactFolder.unsafeReason(path) {
                throw MalformedInput(.malformedUnsafePath, at: 0, "\(name) line \(number + 1) names '\(path)': \(reason)")
            }
            guard paths.insert(path).inserted else {
                throw MalformedInput(.malformedDuplicateEntry, at: 0, "the \(name) lists '\(path)' twice")
            }
            entries.append(MenderManifestEntry(path: path, sha256: String(parts[0]).lowercased()))
        }
        return entries
    }

    /// `manifest.sig`: base64 of the signature over `manifest`.
    static func decodeSignature(_ bytes: Data) throws(MalformedInput) -> Data {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let signature = Data(base64Encoded: text), !signature.isEmpty else {
            throw MalformedInput(.malformedEncoding, at: 0, "manifest.sig is not base64 text")
        }
        return signature
    }

    /// `header.tar.gz`: `header-info`, and each payload's `headers/NNNN/type-info`.
    static func readHeader(_ source: any ByteSource, _ member: MenderMember, into description: inout MenderDescription) throws(MalformedInput) {
        let range = member.offset..<(member.offset + member.size)
        switch member.name {
        case "header.tar.gz":
            var reader = TarReader(try GzipInput(source, range: range, limit: maxHeader))
            try readHeaderMembers(&reader, into: &description)
        case "header.tar":
            var reader = TarReader(SourceInput(source, range: range))
            try readHeaderMembers(&reader, into: &description)
        default:
            description.unsupportedCompression = String(member.name.dropFirst("header.tar.".count))
        }
    }

    static func readHeaderMembers<Input>(_ reader: inout TarReader<Input>, into description: inout MenderDescription) throws(MalformedInput) {
        while let entry = try reader.next() {
            if entry.name == "header-info" {
                let info = try json(try reader.readData(limit: maxHeaderJSON), "header-info")
                description.artifactName = info["artifact_provides"]?["artifact_name"]?.string
                description.artifactGroup = info["artifact_provides"]?["artifact_group"]?.string
                description.deviceTypes = (info["artifact_depends"]?["device_type"]?.array ?? []).compactMap(\.string)
                description.payloadTypes = (info["payloads"]?.array ?? []).map { $0["type"]?.string ?? "" }
            } else if entry.name.hasPrefix("headers/"), entry.name.hasSuffix("/type-info") {
                let info = try json(try reader.readData(limit: maxHeaderJSON), entry.name)
                for (key, value) in info["artifact_provides"]?.object ?? [:] {
                    if let text = value.string { description.provides[key] = text }
                }
            }
        }
    }

    static func json(_ bytes: Data, _ name: String) throws(MalformedInput) -> JSONDocument {
        do {
            return try JSONDocument.parse(bytes)
        } catch {
            throw MalformedInput(.malformedEncoding, at: 0, "the header's \(name) is not JSON: \(error)")
        }
    }
}
