import Foundation
import GRDB

/// One device of the fleet (table `device`).
public struct DeviceRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "device"

    /// Device id: unique, chosen by the hospital (asset system id, hostname, ...).
    public var id: String
    public var assetTag: String?
    /// Manufacturer (the policy's vendor).
    public var make: String?
    public var model: String?
    public var serialNumber: String?
    public var mac: String?
    public var ip: String?
    /// TLS port the device serves its certificate on, for expiry sweeps.
    public var tlsPort: Int?
    public var location: String?
    public var owner: String?
    /// Network segment / VLAN.
    public var networkSegment: String?
    public var clinicalUse: String?
    /// Whether the device stores or transmits ePHI.
    public var storesEPHI: Bool?
    /// Business associate agreement status with the vendor.
    public var baaStatus: String?
    /// Vendor support end date (YYYY-MM-DD).
    public var supportEndDate: String?
    public var installedVersion: String?
    public var installedSecurityCounter: Int64?
    public var updatedAt: Date

    public init(id: String, updatedAt: Date = Date()) {
        self.id = id
        self.updatedAt = updatedAt
    }

    /// The column names a devices file may use, in a stable order (CSV header, docs).
    public static let fieldNames = [
        "id", "assetTag", "make", "model", "serialNumber", "mac", "ip", "tlsPort", "location", "owner", "networkSegment",
        "clinicalUse", "storesEPHI", "baaStatus", "supportEndDate", "installedVersion", "installedSecurityCounter",
    ]
}
