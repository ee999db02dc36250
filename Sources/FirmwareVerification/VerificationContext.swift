import Foundation

/// The circumstances of one verification run: passed in, never read from a global.
public struct VerificationContext: Sendable {
    /// The time of verification (`--at`; default now, read once per run).
    public var at: Date
    /// The device the artifact is for, when known.
    public var deviceID: String?

    public init(at: Date, deviceID: String? = nil) {
        self.at = at
        self.deviceID = deviceID
    }
}
