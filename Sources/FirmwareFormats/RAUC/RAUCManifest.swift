import Foundation

/// `manifest.raucm` (RAUC docs "Manifest"): an INI (GLib key file) of sections `[update]`,
/// `[bundle]`, `[image.<slot-class>]`, with `key=value` lines and `#` comments. Read bounded:
/// duplicate sections or keys are refused (GLib keeps the last, so two readers could disagree).
public struct RAUCManifest: Sendable, Hashable, Codable {
    public var sections: [String: [String: String]]
    /// Section names in file order.
    public var order: [String]

    public subscript(section: String, key: String) -> String? { sections[section]?[key] }

    /// The images, by slot class (`[image.rootfs]` → `rootfs`).
    public var images: [(slotClass: String, values: [String: String])] {
        order.filter { $0.hasPrefix("image.") }.map { (String($0.dropFirst(6)), sections[$0] ?? [:]) }
    }

    public static let maxSize = 1 << 20

    public static func parse(_ bytes: Data) throws(MalformedInput) -> RAUCManifest {
        guard bytes.count <= maxSize, let text = String(data: bytes, encoding: .utf8) else {
            throw MalformedInput(.malformedEncoding, at: 0, "the manifest is not UTF-8 text of at most 1 MiB")
        }
        var sections: [String: [String: String]] = [:]
        var order: [String] = []
        var current: String?
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw MalformedInput(.malformedEncoding, at: 0, "manifest line \(number + 1): a section header must be [name]")
                }
                let name = String(line.dropFirst().dropLast())
                guard sections[name] == nil else {
                    throw MalformedInput(.malformedEncoding, at: 0, "manifest line \(number + 1): section [\(name)] appears twice")
                }
                sections[name] = [:]
                order.append(name)
                current = name
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else {
                throw MalformedInput(.malformedEncoding, at: 0, "manifest line \(number + 1): 'key=value' inside a [section] expected")
            }
            let key = line[line.startIndex..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, sections[current]?[key] == nil else {
                throw MalformedInput(.malformedEncoding, at: 0, "manifest line \(number + 1): key '\(key)' is empty or appears twice in [\(current)]")
            }
            sections[current]?[key] = value
        }
        return RAUCManifest(sections: sections, order: order)
    }
}
