internal import CZlib
import Foundation

/// Gzip (RFC 1952) or zlib (RFC 1950) decompression of a range of a ``ByteSource``, pulled a
/// buffer at a time, so that an archive inside a compressed member is read with flat memory
/// whatever its size.
///
/// zlib checks the gzip header, and the CRC-32 and length in the trailer (for the zlib wrapper:
/// its header and Adler-32). For a large gzip member (``checkOnWorkerThreshold``) the work is
/// split over two cores instead: the header is read here (RFC 1952, as zlib reads it), zlib
/// inflates the raw deflate data, the CRC-32 of the output is computed on a worker thread, and
/// the trailer is compared here; the same checks, the CRC no longer on the inflating core. Limits make a compression bomb fail instead of filling memory: the
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
    /// The CRC-32 of the output, computed on a worker (raw mode: gzip read here).
    private let workerCRC: PipelinedCRC32?

    /// The compressed size from which a gzip member's CRC-32 is computed on a worker thread.
    public static let checkOnWorkerThreshold: Int64 = 1 << 20

    /// How much compressed input is read at once.
    static let inputChunk = 64 << 10

    /// - Parameters:
    ///   - source: the bytes holding the stream.
    ///   - range: where it lies.
    ///   - limit: the most decompressed bytes accepted.
    ///   - wrapper: gzip (the default) or zlib.
    ///   - checkOnWorker: for gzip, read the header and trailer here and compute the CRC-32 on
    ///     a worker thread; nil (the default) does so from ``checkOnWorkerThreshold`` on.
    /// - Throws: ``Failure``: `.io` when zlib cannot be set up; with `checkOnWorker`, what is
    ///   wrong with the gzip header.
    public init(
        _ source: any ByteSource, range: Range<Int64>, limit: Int64, wrapper: Wrapper = .gzip, checkOnWorker: Bool? = nil
    ) throws(Failure) {
        self.source = source
        self.inputEnd = range.upperBound
        self.limit = limit
        self.wrapperName = wrapper == .gzip ? "gzip" : "zlib"
        let raw = wrapper == .gzip && (checkOnWorker ?? (range.count >= Self.checkOnWorkerThreshold))
        self.inputOffset = raw ? range.lowerBound + Int64(try Self.gzipHeaderLength(source, range: range)) : range.lowerBound
        workerCRC = raw ? PipelinedCRC32() : nil
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // A squashfs block is a few KiB: no need for a whole chunk.
        inputCapacity = Int(max(1, min(Int64(Self.inputChunk), Int64(range.count))))
        input = .allocate(capacity: inputCapacity)
        // 16 + MAX_WBITS: a gzip wrapper (not zlib's); MAX_WBITS alone: zlib's; -MAX_WBITS: raw
        // deflate (the gzip header was read above). The largest window either way, which also
        // inflates streams written with a smaller one.
        guard fwgate_inflateInit2(stream, raw ? -MAX_WBITS : (wrapper == .gzip ? 16 + MAX_WBITS : MAX_WBITS)) == Z_OK else {
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
                if let workerCRC {
                    let written = wanted - Int(stream.pointee.avail_out)
                    workerCRC.update(UnsafeRawBufferPointer(start: base, count: written))
                    try checkGzipTrailer(crc: workerCRC.finish(), length: produced + Int64(written))
                    break
                }
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
        if let workerCRC, !finished { workerCRC.update(UnsafeRawBufferPointer(start: base, count: written)) }
        produced += Int64(written)
        guard produced <= limit else {
            throw Failure(kind: .limit, reason: "the compressed data inflates beyond \(limit) bytes (a compression bomb is refused)")
        }
        return written
    }

    // MARK: - gzip read here (checkOnWorker)

    /// The length of the gzip header at the start of `range` (RFC 1952 §2.3, as zlib reads it:
    /// magic, deflate, no reserved flag, then the optional extra field, name, comment and
    /// header CRC, which is checked). A header longer than 64 KiB is refused.
    static func gzipHeaderLength(_ source: any ByteSource, range: Range<Int64>) throws(Failure) -> Int {
        let window = Int(min(range.count, 1 << 16))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: window, alignment: 1)
        defer { buffer.deallocate() }
        do throws(ByteSourceError) {
            try source.read(at: range.lowerBound, length: window, into: buffer)
        } catch {
            throw Failure(kind: .io, reason: "reading the gzip header at offset \(range.lowerBound): \(error.reason)")
        }
        let header = [UInt8](buffer)
        /// The header runs past what was read: the stream is cut short, or the header is too long.
        func overrun() -> Failure {
            Int64(window) == range.count
                ? Failure(kind: .truncated, reason: "the gzip stream ends early (inside its header)")
                : Failure(kind: .damaged, reason: "the gzip stream is damaged: a header longer than 65536 bytes (extra field, name or comment) is refused")
        }
        guard window >= 10 else { throw overrun() }
        guard header[0] == 0x1f, header[1] == 0x8b else { throw Failure(kind: .damaged, reason: "the gzip stream is damaged: incorrect header check") }
        guard header[2] == 8 else { throw Failure(kind: .damaged, reason: "the gzip stream is damaged: unknown compression method") }
        let flags = header[3]
        guard flags & 0xe0 == 0 else { throw Failure(kind: .damaged, reason: "the gzip stream is damaged: unknown header flags set") }
        var position = 10
        if flags & 0x04 != 0 {  // FEXTRA: a two-byte length, then that many bytes
            guard position + 2 <= window else { throw overrun() }
            position += 2 + Int(header[position]) | Int(header[position + 1]) << 8
            guard position <= window else { throw overrun() }
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            guard let zero = header[position...].firstIndex(of: 0) else { throw overrun() }
            position = zero + 1
        }
        if flags & 0x02 != 0 {  // FHCRC: the low 16 bits of the header's CRC-32
            guard position + 2 <= window else { throw overrun() }
            var crc = CRC32()
            header.withUnsafeBytes { crc.update(UnsafeRawBufferPointer(rebasing: $0[0..<position])) }
            let stored = UInt16(header[position]) | UInt16(header[position + 1]) << 8
            guard stored == UInt16(truncatingIfNeeded: crc.value) else {
                throw Failure(kind: .damaged, reason: "the gzip stream is damaged: header crc mismatch")
            }
            position += 2
        }
        return position
    }

    /// Reads the 8-byte trailer after the raw deflate data (what zlib left of the input, then
    /// the source) and compares its CRC-32 and length (modulo 2^32) with the output's.
    private func checkGzipTrailer(crc: UInt32, length: Int64) throws(Failure) {
        let buffered = Int(stream.pointee.avail_in)
        let after = Int64(buffered) + inputEnd - inputOffset
        guard after >= 8 else { throw Failure(kind: .truncated, reason: "the gzip stream ends early (its 8-byte trailer is cut short)") }
        guard after == 8 else { throw Failure(kind: .trailingBytes, reason: "\(after - 8) byte(s) follow the end of the gzip stream") }
        var trailer = [UInt8](repeating: 0, count: 8)
        let fromBuffer = min(buffered, 8)
        if fromBuffer > 0, let next = stream.pointee.next_in {
            for index in 0..<fromBuffer { trailer[index] = next[index] }
        }
        if fromBuffer < 8 {
            let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: 8 - fromBuffer, alignment: 1)
            defer { rest.deallocate() }
            do throws(ByteSourceError) {
                try source.read(at: inputOffset, length: 8 - fromBuffer, into: rest)
            } catch {
                throw Failure(kind: .io, reason: "reading the gzip trailer at offset \(inputOffset): \(error.reason)")
            }
            for index in 0..<(8 - fromBuffer) { trailer[fromBuffer + index] = rest[index] }
        }
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(trailer[at + $1]) << (8 * $1) } }
        guard word(0) == crc else { throw Failure(kind: .damaged, reason: "the gzip stream is damaged: incorrect data check") }
        guard word(4) == UInt32(truncatingIfNeeded: length) else {
            throw Failure(kind: .damaged, reason: "the gzip stream is damaged: incorrect length check")
        }
    }
}
