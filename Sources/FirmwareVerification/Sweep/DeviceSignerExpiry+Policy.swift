import FirmwareCrypto
import FirmwareFormats
import Foundation

extension DeviceSignerExpiry {
    /// The last day a device can take an update signed under the policy's certificates for its
    /// vendor and model: the latest notAfter of the roots and intermediates that scope trusts.
    ///
    /// - Parameters:
    ///   - device: the device's id.
    ///   - vendor: its vendor (nil: unknown, so no signer is in scope).
    ///   - model: its model.
    ///   - policy: the policy naming each vendor's roots and keys.
    ///   - at: the sweep time.
    ///   - windows: the sweep's warning and critical windows.
    /// - Returns: the expiry, its bucket and a plain-English note. Raw keys do not expire, so a
    ///   scope that trusts one gets no bucket.
    public static func evaluate(device: String, vendor: String?, model: String?, policy: Policy, at: Date, windows: ExpiryWindows)
        -> DeviceSignerExpiry
    {
        guard let vendor, let store = try? policy.trustStore(vendor: vendor, model: model) else {
            return DeviceSignerExpiry(
                device: device, updatesPossibleUntil: nil, daysLeft: nil, bucket: nil,
                note: "the policy does not cover this device's vendor/model: no update signer is trusted")
        }
        guard let last = (store.roots + store.intermediates).map(\.notAfter).max() else {
            let note = store.keys.isEmpty ? "no update signer is trusted" : "trusted by raw keys (\(store.keys.count)), which do not expire"
            return DeviceSignerExpiry(device: device, updatesPossibleUntil: nil, daysLeft: nil, bucket: nil, note: note)
        }
        let bucket = store.keys.isEmpty ? windows.bucket(end: last, at: at) : nil
        let note =
            store.keys.isEmpty
            ? "can take updates until \(RFC3339.string(last)) (its last trusted signer certificate expires then)"
            : "signer certificates end \(RFC3339.string(last)); raw keys (\(store.keys.count)) stay trusted after that"
        return DeviceSignerExpiry(
            device: device, updatesPossibleUntil: last, daysLeft: ExpiryWindows.daysLeft(until: last, at: at), bucket: bucket, note: note)
    }
}
