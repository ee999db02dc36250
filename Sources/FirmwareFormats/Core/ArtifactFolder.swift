import FirmwareCrypto
import Foundation

/// An artifact that is a folder (a TUF repository): files inside it are opened by relative
/// paths that come from signed but untrusted metadata, so every path is checked before use.
///
/// A path must be relative, made of non-empty components other than `.` and `..`, with no
/// backslash or NUL; the file it names must be a regular file whose real path stays inside the
/// folder (a symbolic link out of it is refused), and is read through ``FileByteSource``.
public struct ArtifactFolder: Sendable, Hashable {
    /// The folder as given.
    public let root: String

    public init(_ root: String) { self.root = root }

    /// Why a relative path is refused, or nil when it is safe to join.
    public static func unsafeReason(_ relative: String) -> String? {
        if relative.isEmpty { return "an empty path" }
        if relative.hasPrefix("/") { return "an absolute path" }
        if relative.contains("\\") { return "a backslash in the path" }
        if relative.utf8.contains(0) { return "a NUL byte in the path" }
        for component in relative.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty { return "an empty path component" }
            if component == "." || component == ".." { return "a '\(component)' component (it would leave the folder)" }
        }
        return nil
    }

    /// The path of `relative` inside the folder (not checked: see ``open(_:)``).
    public func path(of relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// True when `relative` is safe and names an existing entry.
    public func exists(_ relative: String) -> Bool {
        Self.unsafeReason(relative) == nil && FileManager.default.fileExists(atPath: path(of: relative))
    }

    /// What opening a file found.
    public enum Opened: Sendable {
        case file(FileByteSource)
        /// No such file.
        case missing
        /// The path is unsafe, leaves the folder, or is not a regular file.
        case refused(String)
    }

    /// Opens a file of the folder for reading.
    public func open(_ relative: String) -> Opened {
        if let reason = Self.unsafeReason(relative) { return .refused(reason) }
        let full = path(of: relative)
        guard FileManager.default.fileExists(atPath: full) else { return .missing }
        let base = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
        let resolved = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(base.hasSuffix("/") ? base : base + "/") else {
            return .refused("it resolves to \(resolved), outside the folder")
        }
        do {
            return .file(try FileByteSource(path: full))
        } catch {
            return .refused(error.reason)
        }
    }
}
