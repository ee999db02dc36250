import FirmwareFormats

/// The policy file's top level as written, before its key and root files are loaded.
/// ``Policy/load(path:)`` decodes this, then resolves it into a ``Policy``.
struct PolicyFile: Decodable {
    /// The only policy format version this fwgate reads.
    static let supportedVersion = 1

    var version: Int
    var vendors: [VendorPolicy]
    var formats: Set<FormatID>?
    var unsignedFormatsUnsafe: Set<FormatID>
    var algorithms: AlgorithmPolicy
    var rollback: RollbackPolicy
    var expiry: ExpiryPolicy
    var knownTestKeys: KnownTestKeyPolicy
    var unsignedTrailingData: TrailingDataHandling
    /// Model (lowercased) → compatible strings.
    var compatible: [String: [String]]?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case version, vendors, formats, unsignedFormatsUnsafe, algorithms, rollback, expiry, knownTestKeys, unsignedTrailingData, compatible
    }

    init(from decoder: any Decoder) throws {
        try StrictKeys.check(decoder, allowed: CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let version = try container.decodeIfPresent(Int.self, forKey: .version) else {
            throw PolicyProblem(codingPath: [], "missing required key 'version'; write `version: 1` at the top")
        }
        guard version == Self.supportedVersion else {
            throw PolicyProblem(
                codingPath: [CodingKeys.version], "policy version \(version) is not supported; this fwgate reads version \(Self.supportedVersion)")
        }
        self.version = version
        vendors = try container.decodeIfPresent([VendorPolicy].self, forKey: .vendors) ?? []
        formats = try PolicyFormatList.decode(container, .formats, allowEmpty: false)
        unsignedFormatsUnsafe = try PolicyFormatList.decode(container, .unsignedFormatsUnsafe, allowEmpty: true) ?? []
        algorithms = try container.decodeIfPresent(AlgorithmPolicy.self, forKey: .algorithms) ?? .strict
        rollback = try container.decodeIfPresent(RollbackPolicy.self, forKey: .rollback) ?? .strict
        expiry = try container.decodeIfPresent(ExpiryPolicy.self, forKey: .expiry) ?? .strict
        knownTestKeys = try container.decodeIfPresent(KnownTestKeyPolicy.self, forKey: .knownTestKeys) ?? .strict
        if let text = try container.decodeIfPresent(String.self, forKey: .unsignedTrailingData) {
            guard let value = TrailingDataHandling(rawValue: text) else {
                throw PolicyProblem(
                    codingPath: [CodingKeys.unsignedTrailingData], "'\(text)' is not one of: warn, fail")
            }
            unsignedTrailingData = value
        } else {
            unsignedTrailingData = .warn
        }
        if let map = try container.decodeIfPresent([String: [String]].self, forKey: .compatible) {
            var lowered: [String: [String]] = [:]
            for (model, strings) in map {
                let key = model.trimmingCharacters(in: .whitespaces).lowercased()
                guard !key.isEmpty, !strings.isEmpty, strings.allSatisfy({ !$0.isEmpty }) else {
                    throw PolicyProblem(
                        codingPath: [CodingKeys.compatible], "model '\(model)' needs a non-empty list of compatible strings (as the package's updater compares them)")
                }
                guard lowered[key] == nil else {
                    throw PolicyProblem(codingPath: [CodingKeys.compatible], "model '\(model)' is listed twice (models compare case-insensitively)")
                }
                lowered[key] = strings
            }
            compatible = lowered
        }
    }
}
