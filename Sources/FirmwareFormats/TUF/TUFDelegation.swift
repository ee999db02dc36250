import FirmwareCrypto
import Foundation

/// A delegated role (TUF 1.0 §4.5 "delegations"): which target paths it may sign for.
struct TUFDelegatedRole: Sendable {
    let role: TUFRole
    let terminating: Bool
    /// Shell-style patterns (`firmware/pump-*`), matched segment by segment.
    let paths: [String]?
    /// Prefixes of the SHA-256 (hex) of the target path.
    let pathHashPrefixes: [String]?

    static func parse(_ entry: JSONDocument, file: String) throws(TUFProblem) -> TUFDelegatedRole {
        guard let name = entry["name"]?.string, !name.isEmpty else {
            throw TUFProblem(.malformedEncoding, "\(file): a delegated role needs a non-empty name")
        }
        // TUF 1.0 §5.6.7: role names are names, never paths. fwgate quotes them into file names
        // as python-tuf does, but a name that looks like a path is refused outright: a client or
        // server that decodes %2F would read a file outside metadata/.
        if name.contains("/") || name.contains("\\") || name == "." || name == ".." || name.unicodeScalars.contains(where: { $0.value < 0x20 }) {
            throw TUFProblem(.metadataDelegation, "\(file): the delegated role name '\(name)' is a path; role names are never used as paths")
        }
        let role = try TUFRole.parse(name: name, entry, file: file)
        let paths = entry["paths"]?.array.map { $0.compactMap(\.string) }
        let prefixes = entry["path_hash_prefixes"]?.array.map { $0.compactMap(\.string) }
        guard (paths == nil) != (prefixes == nil) else {
            throw TUFProblem(.malformedEncoding, "\(file): delegated role '\(name)' needs exactly one of paths and path_hash_prefixes")
        }
        return TUFDelegatedRole(role: role, terminating: entry["terminating"]?.bool ?? false, paths: paths, pathHashPrefixes: prefixes)
    }

    /// TUF 1.0 §5.6.7.1 (python-tuf `DelegatedRole.is_delegated_path`).
    func matches(_ target: String) -> Bool {
        if let paths {
            return paths.contains { Self.pattern($0, matches: target) }
        }
        let hash = (try? Digest.hash(Data(target.utf8), using: .sha256).hex) ?? ""
        return (pathHashPrefixes ?? []).contains { hash.hasPrefix($0.lowercased()) }
    }

    /// fnmatch on each `/`-separated segment; the segment counts must agree, so `*` never
    /// crosses a `/`.
    static func pattern(_ pattern: String, matches target: String) -> Bool {
        let patternParts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        let targetParts = target.split(separator: "/", omittingEmptySubsequences: false)
        guard patternParts.count == targetParts.count else { return false }
        return zip(patternParts, targetParts).allSatisfy { fnmatch(Array($0.unicodeScalars), Array($1.unicodeScalars)) }
    }

    /// Python's fnmatch: `*`, `?`, `[seq]`, `[!seq]`; everything else literal.
    static func fnmatch(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0
        var t = 0
        var star: Int?
        var starText = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p
                starText = t
                p += 1
                continue
            }
            if p < pattern.count, let next = single(pattern, p, text[t]) {
                if next.matched {
                    p = next.end
                    t += 1
                    continue
                }
            }
            guard let star else { return false }
            p = star + 1
            starText += 1
            t = starText
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether the single-character pattern at `p` (`?`, a class, or a literal) matches `c`,
    /// and where it ends.
    private static func single(_ pattern: [Unicode.Scalar], _ p: Int, _ c: Unicode.Scalar) -> (matched: Bool, end: Int)? {
        switch pattern[p] {
        case "?": return (true, p + 1)
        case "[":
            var index = p + 1
            var negate = false
            if index < pattern.count, pattern[index] == "!" {
                negate = true
                index += 1
            }
            var matched = false
            var first = true
            while index < pattern.count, pattern[index] != "]" || first {
                first = false
                if index + 2 < pattern.count, pattern[index + 1] == "-", pattern[index + 2] != "]" {
                    if pattern[index].value <= c.value && c.value <= pattern[index + 2].value { matched = true }
                    index += 3
                } else {
                    if pattern[index] == c { matched = true }
                    index += 1
                }
            }
            // An unclosed '[' is a literal '[' (as fnmatch translates it).
            guard index < pattern.count else { return (pattern[p] == c, p + 1) }
            return (matched != negate, index + 1)
        default: return (pattern[p] == c, p + 1)
        }
    }
}

extension String {
    /// Python's `urllib.parse.quote(name, "")`: how a TUF client turns a role name into a file
    /// name, so a name like `../targets` never becomes a path.
    var tufQuotedRoleName: String {
        var out = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
