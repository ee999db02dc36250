import FirmwareFormats

/// Decodes a list of format names (`[mcuboot, esp-idf]`) and refuses names fwgate does not
/// know, so that a misspelt format cannot silently accept or refuse nothing.
enum PolicyFormatList {
    /// The formats listed under `key`, or nil when the key is absent.
    ///
    /// - Parameter allowEmpty: whether `[]` is meaningful here (for `unsignedFormatsUnsafe` it
    ///   is; for an accepted-formats list it would accept nothing, so it is refused).
    /// - Throws: ``PolicyProblem`` naming the entry for an unknown format.
    static func decode<Key: CodingKey>(
        _ container: KeyedDecodingContainer<Key>, _ key: Key, allowEmpty: Bool
    ) throws -> Set<FormatID>? {
        guard let names = try container.decodeIfPresent([String].self, forKey: key) else { return nil }
        if names.isEmpty && !allowEmpty {
            throw PolicyProblem(
                codingPath: container.codingPath + [key], "an empty list accepts no format; omit the key to accept every format")
        }
        let known = FormatRegistry.formats.map(\.id.rawValue)
        var formats: Set<FormatID> = []
        for (index, name) in names.enumerated() {
            guard known.contains(name) else {
                var message = "unknown format '\(name)'"
                if let suggestion = StrictKeys.nearest(name, in: known) { message += " (did you mean '\(suggestion)'?)" }
                throw PolicyProblem(
                    codingPath: container.codingPath + [key, PolicyKey(intValue: index)],
                    message + "; fwgate knows: \(known.joined(separator: ", "))")
            }
            formats.insert(FormatID(rawValue: name))
        }
        return formats
    }
}
