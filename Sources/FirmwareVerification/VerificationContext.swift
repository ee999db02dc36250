import Foundation

/// What is known about the device an artifact is meant for (from the inventory).
public struct DeviceFacts: Sendable, Codable, Hashable {
    public var deviceID: String
    public var vendor: String?
    public var model: String?
    /// The firmware version installed now (for `rollback.version`).
    public var installedVersion: String?
    /// The security counter installed now (for `rollback.security-counter`).
    public var installedSecurityCounter: UInt64?

    public init(
        deviceID: String, vendor: String? = nil, model: String? = nil, installedVersion: String? = nil,
        installedSecurityCounter: UInt64? = nil
    ) {
        self.deviceID = deviceID
        self.vendor = vendor
        self.model = model
        self.installedVersion = installedVersion
        self.installedSecurityCounter = installedSecurityCounter
    }
}

/// The circumstances of one verification run: passed in, never read from a global.
public struct VerificationContext: Sendable {
    /// The time of verification (`--at`; default now, read once per run).
    public var at: Date
    /// The device the artifact is for, when known.
    public var device: DeviceFacts?
    /// Vendor and model when no device is named (procurement of a model: `gate --device-model`).
    public var vendor: String?
    public var model: String?
    /// True for the procurement gate: certificate validity must also meet the policy's minimum.
    public var procurement: Bool

    public init(at: Date, device: DeviceFacts? = nil, vendor: String? = nil, model: String? = nil, procurement: Bool = false) {
        self.at = at
        self.device = device
        self.vendor = vendor ?? device?.vendor
        self.model = model ?? device?.model
        self.procurement = procurement
    }

    public var deviceID: String? { device?.deviceID }
}
