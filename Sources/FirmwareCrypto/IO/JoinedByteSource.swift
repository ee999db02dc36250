import Foundation

/// Ranges of other byte sources read as one: what a signature covers when it signs a part of a
/// file followed by other bytes (a UEFI capsule signs its payload followed by the monotonic
/// count). Nothing is copied; reads are split across the parts.
public struct JoinedByteSource: ByteSource {
    public struct Part: Sendable {
        public let source: any ByteSource
        public let range: Range<Int64>
        public init(_ source: any ByteSource, _ range: Range<Int64>) {
            self.source = source
            self.range = range
        }
    }

    public let parts: [Part]
    public let count: Int64

    /// - Precondition: every range lies inside its source.
    public init(_ parts: [Part]) {
        for part in parts {
            precondition(part.range.lowerBound >= 0 && part.range.upperBound <= part.source.count, "a joined part outside its source")
        }
        self.parts = parts
        self.count = parts.reduce(0) { $0 + Int64($1.range.count) }
    }

    public func read(at offset: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
        try checkRange(offset: offset, length: Int64(length))
        guard length <= buffer.count else { throw ByteSourceError(.outOfRange, offset: offset, "buffer too small for \(length) bytes") }
        var position = offset
        var written = 0
        var partStart: Int64 = 0
        for part in parts {
            let partEnd = partStart + Int64(part.range.count)
            defer { partStart = partEnd }
            guard written < length, position < partEnd else { continue }
            let inPart = position - partStart
            let take = Int(min(Int64(length - written), partEnd - position))
            try part.source.read(
                at: part.range.lowerBound + inPart, length: take,
                into: UnsafeMutableRawBufferPointer(rebasing: buffer[written..<(written + take)]))
            written += take
            position += Int64(take)
        }
    }
}
