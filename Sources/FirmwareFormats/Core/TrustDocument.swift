import Foundation

/// A trust file a format interprets itself rather than a key or certificate: a TUF client's
/// trusted `root.json` and the trusted state beside it. Loaded by the trust store (which reads
/// files); formats only see the bytes.
public struct TrustDocument: Sendable, Hashable {
    /// Where it was loaded from, for messages.
    public let path: String
    public let bytes: Data

    public init(path: String, bytes: Data) {
        self.path = path
        self.bytes = bytes
    }

    /// The file name without its folder (`timestamp.json`).
    public var fileName: String { (path as NSString).lastPathComponent }
}
