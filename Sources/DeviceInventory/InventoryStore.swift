import FirmwareVerification
import Foundation

/// What the commands need of an inventory, whichever engine keeps it: SQLite through GRDB
/// (``Inventory``, the embedded default) or PostgreSQL through postgres-nio
/// (``PostgresInventory``, for many sites and one fleet). Both keep the same guarantees:
/// posture entries append-only (triggers refuse UPDATE and DELETE) and hash-chained with the
/// same canonical form, appends serialised so concurrent writers keep one chain, and the same
/// audit rules (``ChainWalk``). Every method is one transaction.
public protocol InventoryStore: Sendable {
    /// Where the inventory lives, as shown to the user: a path, or a PostgreSQL URL without its
    /// password.
    var path: String { get }

    /// Inserts or updates devices by id (every column replaced), in one transaction.
    func upsert(_ devices: [DeviceRecord], progress: (@Sendable (Int) -> Void)?) throws(FwgateError)
    func device(_ id: String) throws(FwgateError) -> DeviceRecord?
    /// Every device, by id.
    func devices() throws(FwgateError) -> [DeviceRecord]
    /// The devices among `ids` that the inventory has, by id.
    func devices(ids: Set<String>) throws(FwgateError) -> [DeviceRecord]

    /// Records several entries in ONE transaction, chained in order after the current head.
    /// Nothing is recorded when it throws.
    @discardableResult
    func record(
        all items: [Inventory.PendingEntry], policyDigest: String?, toolVersion: String, at: Date, site: String?
    ) throws(FwgateError) -> [PostureEntry]
    /// Entries in recording order, filtered.
    func entries(_ filter: Inventory.EntryFilter) throws(FwgateError) -> [PostureEntry]
    func entry(_ id: Int64) throws(FwgateError) -> PostureEntry?
    /// Every (artifact path, device) pair already recorded, as ``Inventory/pairKey(artifactPath:deviceID:)``.
    func recordedPairs() throws(FwgateError) -> Set<String>
    func entryCount() throws(FwgateError) -> Int
    /// The chain's count and head, without walking it.
    func head() throws(FwgateError) -> Inventory.ChainHead
    /// Re-walks the chain (``ChainWalk``) and names the first problem.
    func verifyAuditChain(expecting expectation: Inventory.AuditExpectation) throws(FwgateError) -> Inventory.AuditResult

    /// The fleet's posture as of `at` (entries recorded later are ignored).
    func fleetPosture(at: Date, staleAfter: TimeInterval, signerWarning: TimeInterval) throws(FwgateError) -> FleetPosture
    /// Records a sweep's certificates and locations (one transaction).
    @discardableResult
    func record(sweep: SweepResult) throws(FwgateError) -> (certificates: Int, locations: Int)
    /// The certificates recorded for a device, soonest expiry first.
    func certificates(forDevice id: String) throws(FwgateError) -> [Inventory.DeviceCertificate]
}

extension InventoryStore {
    public func upsert(_ devices: [DeviceRecord]) throws(FwgateError) { try upsert(devices, progress: nil) }

    /// Records one report as a posture entry, chained to the last entry, in one transaction.
    ///
    /// - Parameters:
    ///   - report: the verification report.
    ///   - deviceID: the device (must exist in the inventory), or nil.
    ///   - size: the artifact's size in bytes.
    ///   - policyDigest: SHA-256 of the policy file used, if any.
    ///   - toolVersion: fwgate's version.
    ///   - at: the time recorded.
    ///   - site: the site recording it (hashed into the entry), or nil.
    /// - Returns: the stored entry.
    /// - Throws: `FwgateError` (an unknown device is refused).
    @discardableResult
    public func record(
        _ report: VerificationReport, deviceID: String?, size: Int64, policyDigest: String?, toolVersion: String, at: Date,
        site: String? = nil
    ) throws(FwgateError) -> PostureEntry {
        try record(
            all: [Inventory.PendingEntry(report: report, deviceID: deviceID, size: size)], policyDigest: policyDigest,
            toolVersion: toolVersion, at: at, site: site
        )[0]
    }

    /// ``record(all:policyDigest:toolVersion:at:site:)`` without a site.
    @discardableResult
    public func record(all items: [Inventory.PendingEntry], policyDigest: String?, toolVersion: String, at: Date) throws(FwgateError)
        -> [PostureEntry]
    {
        try record(all: items, policyDigest: policyDigest, toolVersion: toolVersion, at: at, site: nil)
    }

    public func entries() throws(FwgateError) -> [PostureEntry] { try entries(Inventory.EntryFilter()) }

    public func verifyAuditChain() throws(FwgateError) -> Inventory.AuditResult {
        try verifyAuditChain(expecting: Inventory.AuditExpectation())
    }

    public func fleetPosture(at: Date, staleAfter: TimeInterval) throws(FwgateError) -> FleetPosture {
        try fleetPosture(at: at, staleAfter: staleAfter, signerWarning: TimeInterval(FleetPosture.defaultSignerWarningDays) * 86_400)
    }

    /// The verification facts of a device, or nil when it is not in the inventory.
    public func facts(for id: String) throws(FwgateError) -> DeviceFacts? {
        try device(id).map(Self.facts)
    }

    /// The verification facts of every device, by id.
    public func allFacts() throws(FwgateError) -> [String: DeviceFacts] {
        var result: [String: DeviceFacts] = [:]
        for device in try devices() { result[device.id] = Self.facts(device) }
        return result
    }

    static func facts(_ device: DeviceRecord) -> DeviceFacts {
        DeviceFacts(
            deviceID: device.id, vendor: device.make, model: device.model, installedVersion: device.installedVersion,
            installedSecurityCounter: device.installedSecurityCounter.map { UInt64(max(0, $0)) })
    }

    /// The verification facts of the devices among `ids` that the inventory has, by id.
    public func facts(for ids: Set<String>) throws(FwgateError) -> [String: DeviceFacts] {
        var result: [String: DeviceFacts] = [:]
        for device in try devices(ids: ids) { result[device.id] = Self.facts(device) }
        return result
    }

    /// Devices that can be swept over TLS: an IP (or host) and a TLS port.
    public func tlsEndpoints() throws(FwgateError) -> [(device: String, host: String, port: Int)] {
        try devices().compactMap { device in
            guard let ip = device.ip, let port = device.tlsPort else { return nil }
            return (device.id, ip, port)
        }
    }
}

extension Inventory: InventoryStore {
    /// Every device, filtered (SQLite reads them all in a few milliseconds).
    public func devices(ids: Set<String>) throws(FwgateError) -> [DeviceRecord] {
        try devices().filter { ids.contains($0.id) }
    }
}
