import FirmwareCrypto
import FirmwareFormats
import Foundation

/// One entry of `vendors:` in the policy: which keys and roots may sign firmware for a vendor
/// (optionally only some models), and which formats are accepted for it.
///
/// Key and root files are loaded once by ``Policy/load(path:)`` (paths relative to the policy
/// file's folder) with the same rules as `TrustStore.load`: a missing file, a private key or a
/// file with nothing trustable is an error, never skipped.
public struct VendorPolicy: Sendable, Decodable {
    /// The vendor, as the device inventory names it (compared case-insensitively).
    public var name: String
    /// The models this entry covers (compared case-insensitively); empty: every model.
    public var models: [String]
    /// Public-key files (or folders) as written in the policy.
    public var keyFiles: [String]
    /// Root-certificate files (or folders) as written in the policy.
    public var rootFiles: [String]
    /// The formats accepted for this vendor; nil: every format.
    public var formats: Set<FormatID>?
    /// The keys loaded from ``keyFiles``, named `<vendor>/<file name>`.
    public internal(set) var trustedKeys: [TrustedKey] = []
    /// The certificates loaded from ``rootFiles``.
    public internal(set) var roots: [Certificate] = []

    /// True when this entry covers the vendor and model. With no model given (procuring "any
    /// model" of a vendor, or a device whose model is not recorded), every entry of the vendor
    /// matches: trust stays scoped to that vendor.
    ///
    /// - Parameters:
    ///   - vendor: the device's vendor.
    ///   - model: the device's model, when known.
    /// - Returns: whether the entry applies.
    public func covers(vendor: String, model: String?) -> Bool {
        guard name.lowercased() == vendor.lowercased() else { return false }
        if models.isEmpty { return true }
        guard let model else { return true }
        return models.contains { $0.lowercased() == model.lowercased() }
    }

    /// `acme-medical (pump-x1, pump-x2)` for messages.
    public var label: String { models.isEmpty ? name : "\(name) (\(models.joined(separator: ", ")))" }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, models, keys, roots, formats
    }

    /// Decodes one `vendors:` entry (files are loaded later, by the policy loader).
    ///
    /// - Throws: a problem naming the key for an unknown key, a missing or empty name, an entry
    ///   with neither keys nor roots, or an unknown format.
    public init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name).trimmingCharacters(in: .whitespaces)
        if name.isEmpty {
            throw PolicyProblem(codingPath: container.codingPath + [CodingKeys.name], "the vendor name is empty")
        }
        models = try container.decodeIfPresent([String].self, forKey: .models) ?? []
        keyFiles = try container.decodeIfPresent([String].self, forKey: .keys) ?? []
        rootFiles = try container.decodeIfPresent([String].self, forKey: .roots) ?? []
        if keyFiles.isEmpty && rootFiles.isEmpty {
            throw PolicyProblem(
                codingPath: container.codingPath,
                "vendor '\(name)' lists no keys and no roots, so nothing it ships could verify; add `keys:` or `roots:`")
        }
        formats = try PolicyFormatList.decode(container, .formats, allowEmpty: false)
    }
}
