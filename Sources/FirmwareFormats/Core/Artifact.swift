/// What is verified: a primary file (or folder) plus the companions it needs.
///
/// - A detached signature: `fwgate verify CONTENT --signature SIG` (the content is primary).
/// - A manifest that describes a separate payload: `fwgate verify MANIFEST --payload FILE`.
/// - A whole folder (a TUF repository): the primary path is the folder.
///
/// Batch manifests carry the same companions (`signature` and `payload` columns), and posture
/// entries record them, so formats that need companions plug in without new plumbing.
public struct Artifact: Sendable, Hashable, Codable, CustomStringConvertible {
    /// What a companion file is to the primary.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// A detached signature over the primary file.
        case signature
        /// A payload that the primary (a manifest) describes.
        case payload

        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// One companion file.
    public struct Companion: Sendable, Hashable, Codable {
        public var role: Role
        public var path: String

        public init(_ role: Role, path: String) {
            self.role = role
            self.path = path
        }
    }

    /// The primary file or folder.
    public var path: String
    /// Companions, at most one per role.
    public var companions: [Companion]

    /// - Parameters:
    ///   - path: the primary file or folder.
    ///   - signature: a detached signature file, if any.
    ///   - payload: a payload file the primary describes, if any.
    public init(path: String, signature: String? = nil, payload: String? = nil) {
        self.path = path
        var companions: [Companion] = []
        if let signature { companions.append(Companion(.signature, path: signature)) }
        if let payload { companions.append(Companion(.payload, path: payload)) }
        self.companions = companions
    }

    /// The companion with this role.
    public func companion(_ role: Role) -> String? { companions.first { $0.role == role }?.path }

    /// The roles of the companions present.
    public var roles: Set<Role> { Set(companions.map(\.role)) }

    /// `file` or `file (+ signature sig.p7s)`: for messages.
    public var description: String {
        companions.isEmpty ? path : "\(path) (+ " + companions.map { "\($0.role.rawValue) \($0.path)" }.joined(separator: ", ") + ")"
    }
}
