internal import CZlib
import Foundation

/// CRC-32 (ISO-HDLC, as zlib computes it: reflected, polynomial 0xEDB88320, init and xorout
/// 0xFFFFFFFF). An integrity check against accidents, not an authenticity check.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Adds bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let next = crc32_z(UInt(value), base.assumingMemoryBound(to: UInt8.self), bytes.count)
        value = UInt32(truncatingIfNeeded: next)
    }

    /// Adds bytes.
    public mutating func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// The CRC-32 of `data`.
    public static func checksum(_ data: Data) -> UInt32 {
        var crc = CRC32()
        crc.update(data)
        return crc.value
    }

    /// The CRC-32 of `range` of `source`, streamed.
    ///
    /// - Throws: `CryptoError(.io)` when a read fails.
    public static func checksum(_ source: some ByteSource, range: Range<Int64>? = nil) throws(CryptoError) -> UInt32 {
        var crc = CRC32()
        do {
            try source.forEachChunk(in: range ?? 0..<source.count) { crc.update($0) }
        } catch {
            throw CryptoError(.io, "\(error)")
        }
        return crc.value
    }
}
