import FirmwareCrypto
import Foundation

/// Reads an SWUpdate package (doc/source/swupdate.rst "Single image delivery"): a cpio archive
/// (newc or crc) whose first member is `sw-description` and, when signed, whose second is
/// `sw-description.sig`; then the images. Nothing is extracted.
enum SWUpdateParser {
    static let maxDescription = 1 << 20
    static let maxSignature = 64 << 10

    static func parse(_ source: any ByteSource) throws(MalformedInput) -> SWUpdateDescription {
        let members = try CpioArchive.entries(source)
        var names: Set<String> = []
        for member in members {
            if let reason = ArtifactFolder.unsafeReason(member.name) {
                throw MalformedInput(.malformedUnsafePath, at: member.dataOffset, "member '\(member.name)': \(reason)")
            }
            guard member.isRegularFile else {
                throw MalformedInput(.malformedEncoding, at: member.dataOffset, "member '\(member.name)' is not a regular file (mode \(String(member.mode, radix: 8)))")
            }
            guard names.insert(member.name).inserted else {
                throw MalformedInput(.malformedDuplicateEntry, at: member.dataOffset, "the package holds two members named '\(member.name)'")
            }
        }
        guard let first = members.first, first.name == "sw-description" else {
            throw MalformedInput(
                .malformedEncoding, at: members.first?.dataOffset ?? 0,
                "an SWUpdate package starts with sw-description; this one starts with '\(members.first?.name ?? "nothing")'")
        }
        if let index = members.firstIndex(where: { $0.name == "sw-description.sig" }), index != 1 {
            throw MalformedInput(.malformedEncoding, at: members[index].dataOffset, "sw-description.sig must directly follow sw-description")
        }
        guard first.size <= maxDescription else {
            throw MalformedInput(.malformedLength, at: first.dataOffset, "sw-description has \(first.size) bytes (at most \(maxDescription))")
        }
        let text = try read(source, first)
        var signature: Data?
        if members.count > 1, members[1].name == "sw-description.sig" {
            guard members[1].size <= maxSignature else {
                throw MalformedInput(.malformedLength, at: members[1].dataOffset, "sw-description.sig has \(members[1].size) bytes (at most \(maxSignature))")
            }
            signature = try read(source, members[1])
        }
        let (root, syntax) = try parseDescription(text, at: first.dataOffset)
        guard let software = root["software"], software.members != nil else {
            throw MalformedInput(.malformedEncoding, at: first.dataOffset, "sw-description has no 'software' group")
        }
        var artifacts: [SWUpdateArtifact] = []
        collect(software, into: &artifacts, depth: 0)
        return SWUpdateDescription(
            softwareVersion: software["version"]?.string, softwareDescription: software["description"]?.string,
            hardwareCompatibility: (software["hardware-compatibility"]?.elements ?? []).compactMap(\.string), artifacts: artifacts,
            syntax: syntax, members: members, swDescription: text, signature: signature)
    }

    static func read(_ source: any ByteSource, _ member: CpioEntry) throws(MalformedInput) -> Data {
        do {
            return try source.bytes(at: member.dataOffset, length: Int(member.size))
        } catch {
            throw MalformedInput(.malformedTruncated, at: member.dataOffset, error.reason)
        }
    }

    /// libconfig, or the JSON form SWUpdate also reads (a text starting with `{`).
    static func parseDescription(_ text: Data, at offset: Int64) throws(MalformedInput) -> (LibConfigValue, String) {
        if text.first(where: { ![0x20, 0x0a, 0x0d, 0x09].contains($0) }) == UInt8(ascii: "{") {
            do {
                return (convert(try JSONDocument.parse(text)), "json")
            } catch {
                throw MalformedInput(.malformedEncoding, at: offset, "sw-description (JSON) does not parse: \(error)")
            }
        }
        do {
            return (try LibConfig.parse(text), "libconfig")
        } catch {
            throw MalformedInput(.malformedEncoding, at: offset, "sw-description does not parse as libconfig: \(error)")
        }
    }

    static func convert(_ value: JSONDocument) -> LibConfigValue {
        switch value {
        case .null: .list([])
        case .bool(let flag): .bool(flag)
        case .integer(let number): .integer(number)
        case .string(let text): .string(text)
        case .array(let values): .list(values.map(convert))
        case .object(let members): .group(members.keys.sorted().map { ($0, convert(members[$0]!)) })
        }
    }

    /// Every `images`, `files` and `scripts` list anywhere under `software` (board-specific
    /// and collection sections included): all of them are what the package may install.
    static func collect(_ value: LibConfigValue, into artifacts: inout [SWUpdateArtifact], depth: Int) {
        guard depth < LibConfig.maxDepth, let members = value.members else { return }
        for (name, child) in members {
            if ["images", "files", "scripts"].contains(name), let entries = child.elements {
                for entry in entries {
                    guard let filename = entry["filename"]?.string else { continue }
                    artifacts.append(
                        SWUpdateArtifact(
                            section: name, filename: filename, sha256: entry["sha256"]?.string?.lowercased(), version: entry["version"]?.string,
                            type: entry["type"]?.string, target: entry["device"]?.string ?? entry["path"]?.string,
                            installedDirectly: entry["installed-directly"]?.bool))
                }
            } else {
                collect(child, into: &artifacts, depth: depth + 1)
            }
        }
    }
}
