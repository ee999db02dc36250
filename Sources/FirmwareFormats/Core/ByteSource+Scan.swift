import FirmwareCrypto

extension ByteSource {
    /// The offset of the first byte in `range` that is not `value`, or nil when every byte is
    /// (padding checks: erased flash reads 0xFF). Streams in chunks; a range that cannot be read
    /// answers its first offset, so unreadable padding never counts as clean.
    public func firstByte(notEqualTo value: UInt8, in range: Range<Int64>) -> Int64? {
        guard !range.isEmpty else { return nil }
        var offset = range.lowerBound
        var found: Int64?
        do {
            try forEachChunk(in: range) { chunk in
                guard found == nil else { return }
                if let index = chunk.firstIndex(where: { $0 != value }) { found = offset + Int64(index) }
                offset += Int64(chunk.count)
            }
        } catch {
            return range.lowerBound
        }
        return found
    }
}
