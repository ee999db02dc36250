import FirmwareVerification
import Foundation

/// A central inventory for many sites (PostgreSQL), as the commands use it without linking its
/// driver. `PostgresBackend.PostgresInventory` implements it; the `fwgate-pg` executable links
/// that module and registers a ``CentralInventoryOpener``. `fwgate` does not link SwiftNIO at
/// all: it hands every run that names a `postgresql://` inventory to `fwgate-pg`.
public protocol CentralInventory: InventoryStore {
    /// Creates (or updates) the role the sites write with: it may read and INSERT posture
    /// entries, never UPDATE or DELETE them.
    func createWriterRole(_ name: String) throws(FwgateError)

    /// Copies a site's (already audited) entries that this inventory lacks, `chunk` entries per
    /// transaction; see `PostgresInventory.push`.
    func push(
        _ entries: [PostureEntry], devices: [DeviceRecord], site: String, chunk: Int, progress: ((Int) -> Void)?
    ) throws(FwgateError) -> InventoryPushResult
}

extension CentralInventory {
    /// ``push(_:devices:site:chunk:progress:)`` in chunks of 1,000 entries, without progress.
    public func push(_ entries: [PostureEntry], devices: [DeviceRecord], site: String) throws(FwgateError) -> InventoryPushResult {
        try push(entries, devices: devices, site: site, chunk: 1000, progress: nil)
    }
}

/// What a push from a site did.
public struct InventoryPushResult: Sendable, Codable, Equatable {
    /// Entries copied now.
    public var copied: Int
    /// Entries the central inventory already had from an earlier push.
    public var alreadyThere: Int
    /// Devices created in the central inventory (those the site's entries name and it lacked).
    public var devicesAdded: Int

    public init(copied: Int, alreadyThere: Int, devicesAdded: Int) {
        self.copied = copied
        self.alreadyThere = alreadyThere
        self.devicesAdded = devicesAdded
    }
}

/// Opens a `postgresql://` inventory: given by the executable that links the backend.
public struct CentralInventoryOpener: Sendable {
    public let open: @Sendable (_ url: String, _ access: Inventory.Access) throws(FwgateError) -> any CentralInventory

    public init(open: @escaping @Sendable (_ url: String, _ access: Inventory.Access) throws(FwgateError) -> any CentralInventory) {
        self.open = open
    }
}
