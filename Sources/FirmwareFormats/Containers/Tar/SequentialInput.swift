import FirmwareCrypto
import Foundation

/// Bytes read front to back: a range of a ``ByteSource``, or what a gzip stream inflates to.
/// Archive readers pull from it, so an archive inside a compressed member streams with flat
/// memory.
public protocol SequentialInput {
    /// Fills up to `buffer.count` bytes; 0 only at the end.
    ///
    /// - Throws: `MalformedInput` for damaged compressed data or a read error.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(MalformedInput) -> Int
}

/// A range of a ``ByteSource``, read in order.
public struct SourceInput: SequentialInput {
    let source: any ByteSource
    public private(set) var offset: Int64
    let end: Int64

    public init(_ source: any ByteSource, range: Range<Int64>? = nil) {
        self.source = source
        let range = range ?? 0..<source.count
        self.offset = range.lowerBound
        self.end = min(range.upperBound, source.count)
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(MalformedInput) -> Int {
        let count = Int(min(Int64(buffer.count), end - offset))
        guard count > 0 else { return 0 }
        do throws(ByteSourceError) {
            try source.read(at: offset, length: count, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
        } catch {
            throw MalformedInput(.malformedTruncated, at: offset, error.reason)
        }
        offset += Int64(count)
        return count
    }
}

/// What a gzip member of a ``ByteSource`` inflates to (``InflateStream``), with its limit.
public struct GzipInput: SequentialInput {
    let stream: InflateStream
    let startOffset: Int64

    /// - Parameters:
    ///   - range: the compressed member.
    ///   - limit: the most bytes it may inflate to.
    public init(_ source: any ByteSource, range: Range<Int64>, limit: Int64) throws(MalformedInput) {
        do {
            stream = try InflateStream(source, range: range, limit: limit)
        } catch {
            throw MalformedInput(.malformedEncoding, at: range.lowerBound, error.reason)
        }
        startOffset = range.lowerBound
    }

    /// Decompressed bytes read so far.
    public var produced: Int64 { stream.produced }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(MalformedInput) -> Int {
        do {
            return try stream.read(into: buffer)
        } catch {
            let code = error.malformedCode
            throw MalformedInput(code, at: startOffset, error.reason)
        }
    }
}

extension InflateStream.Failure {
    /// The `malformed.*` code of a decompression failure: a stream that ends early is truncated,
    /// one that inflates past its cap is a length problem, anything else is damaged encoding.
    var malformedCode: CheckCode {
        switch kind {
        case .truncated: .malformedTruncated
        case .limit: .malformedLength
        case .damaged, .trailingBytes, .io: .malformedEncoding
        }
    }
}
