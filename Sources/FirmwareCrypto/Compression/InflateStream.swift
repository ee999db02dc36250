internal import CZlib
import Foundation

/// Gzip (RFC 1952) or zlib (RFC 1950) decompression of a range of a ``ByteSource``, pulled a
/// buffer at a time, so that an archive inside a compressed member is read with flat memory
/// whatever its size.
///
/// zlib checks the gzip header, and the CRC-32 and length in the trailer (for the zlib wrapper:
/// its header and Adler-32). Limits make a compression bomb fail instead of filling memory: the
/// total output (`limit`); and the input must end exactly with the stream (bytes after it would
/// be unverified data). Concatenated gzip members are not read (mender-artifact and RAUC write
/// one).
///
/// Not thread-safe: one reader at a time.
public final class InflateStream {
    /// How the deflate data is wrapped.
    public enum Wrapper: Sendable {
        /// RFC 1952 gzip: header, CRC-32 and length trailer (`.gz` members).
        case gzip
        /// RFC 1950 zlib: two-byte header and Adler-32 (what squashfs calls its "gzip"
        /// compressor writes for each block).
        case zlib
    }

    /// Why decompression stopped.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The compressed data ends before the stream does.
            case truncated
            /// The stream does not decode, or its CRC-32 or length trailer is wrong.
            case damaged
            /// Bytes follow the end of the stream.
            case trailingBytes = "trailing-bytes"
            /// The output would exceed the limit (a compression bomb).
            case limit
            /// A read of the compressed data failed, or zlib could not start.
            case io
        }
        public let kind: Kind
        public let reason: String
        public var description: String { reason }
    }

    private let source: any ByteSource
    private var inputOffset: Int64
    private let inputEnd: Int64
    private let limit: Int64
    /// zlib keeps pointers to the stream and the input between calls (and checks that the
    /// stream has not moved), so both live in memory allocated here, freed in deinit.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<Bytef>
    private let inputCapacity: Int
    private var finished = false
    /// "gzip" or "zlib", for messages.
    private let wrapperName: String
    /// Decompressed bytes handed out so far.
    public private(set) var produced: Int64 = 0

    /// How much compressed input is read at once.
    static let inputChunk = 64 << 10

    /// - Parameters:
    ///   - source: the bytes holding the stream.
    ///   - range: where it lies.
    ///   - limit: the most decompressed bytes accepted.
    ///   - wrapper: gzip (the default) or zlib.
    /// - Throws: ``Failure`` (`.io`) when zlib cannot be set up.
    public init(_ source: any ByteSource, range: Range<Int64>, limit: Int64, wrapper: Wrapper = .gzip) throws(Failure) {
        self.source = source
        self.inputOffset = range.lowerBound
        self.inputEnd = range.upperBound
        self.limit = limit
        self.wrapperName = wrapper == .gzip ? "gzip" : "zlib"
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // A squashfs block is a few KiB: no need for a whole chunk.
        inputCapacity = Int(max(1, min(Int64(Self.inputChunk), Int64(range.count))))
        input = .allocate(capacity: inputCapacity)
        // 16 + MAX_WBITS: a gzip wrapper (not zlib's); MAX_WBITS alone: zlib's. The largest
        // window either way, which also inflates streams written with a smaller one.
        guard fwgate_inflateInit2(stream, wrapper == .gzip ? 16 + MAX_WBITS : MAX_WBITS) == Z_OK else {
            stream.deallocate()
            input.deallocate()
            throw Failure(kind: .io, reason: "zlib could not start a \(wrapperName) stream")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// True once the stream's trailer has been read and checked.
    public var isFinished: Bool { finished }

    /// Fills up to `buffer.count` bytes of decompressed output.
    ///
    /// - Returns: the number of bytes written; 0 only at the end of the stream.
    /// - Throws: ``Failure``: a damaged stream, a wrong CRC or length, input that ends early,
    ///   bytes after the stream, output beyond the limit, or a read error.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Failure) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let wanted = min(buffer.count, Int(UInt32.max))
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(wanted)
        while stream.pointee.avail_out > 0 {
            if stream.pointee.avail_in == 0 {
                let count = Int(min(Int64(inputCapacity), inputEnd - inputOffset))
                guard count > 0 else {
                    throw Failure(kind: .truncated, reason: "the \(wrapperName) stream ends early (the compressed data is truncated)")
                }
                do throws(ByteSourceError) {
                    try source.read(at: inputOffset, length: count, into: UnsafeMutableRawBufferPointer(start: input, count: count))
                } catch {
                    throw Failure(kind: .io, reason: "reading compressed data at offset \(inputOffset): \(error.reason)")
                }
                inputOffset += Int64(count)
                stream.pointee.next_in = input
                stream.pointee.avail_in = uInt(count)
            }
            let status = inflate(stream, Z_NO_FLUSH)
            if status == Z_STREAM_END {
                finished = true
                let after = Int64(stream.pointee.avail_in) + inputEnd - inputOffset
                guard after == 0 else {
                    throw Failure(kind: .trailingBytes, reason: "\(after) byte(s) follow the end of the \(wrapperName) stream")
                }
                break
            }
            guard status == Z_OK else {
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib status \(status)"
                throw Failure(kind: .damaged, reason: "the \(wrapperName) stream is damaged: \(message)")
            }
        }
        let written = wanted - Int(stream.pointee.avail_out)
        produced += Int64(written)
        guard produced <= limit else {
            throw Failure(kind: .limit, reason: "the compressed data inflates beyond \(limit) bytes (a compression bomb is refused)")
        }
        return written
    }
}
