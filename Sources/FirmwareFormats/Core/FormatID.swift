/// Names a firmware format. String-backed so new formats need no enum change.
public struct FormatID: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    public static let mcuboot: FormatID = "mcuboot"
    public static let espImage: FormatID = "esp-idf"
}
