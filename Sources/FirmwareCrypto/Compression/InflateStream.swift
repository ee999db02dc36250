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
/// the trailer is compared here; the same checks, the CRC no longer on the inflating core.
///
/// Limits make a compression bomb fail instead of filling memory: the total output (`limit`);
/// and the input must end exactly with the stream (bytes after it would be unverified data).
/// Concatenated gzip members are not read (mender-artifact and RAUC write one).
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
        self.inputOffset = raw ? range.lowerBound + (try Self.gzipHeaderLength(source, range: range)) : range.lowerBound
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
                // With the CRC on the worker, the trailer is checked below, once this call's
                // output is in the CRC too; zlib has checked its own wrapper's.
                let after = Int64(stream.pointee.avail_in) + inputEnd - inputOffset
                guard workerCRC != nil || after == 0 else {
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
        if let workerCRC {
            workerCRC.update(UnsafeRawBufferPointer(start: base, count: written))
            if finished { try checkGzipTrailer(crc: workerCRC.finish(), length: produced + Int64(written)) }
        }
        produced += Int64(written)
        guard produced <= limit else {
            throw Failure(kind: .limit, reason: "the compressed data inflates beyond \(limit) bytes (a compression bomb is refused)")
        }
        return written
    }

    // MARK: - gzip read here (checkOnWorker)

    /// The length of the gzip header at the start of `range` (RFC 1952 §2.3), checked in the
    /// order zlib checks it, so that both readers fail the same way: the magic once two bytes
    /// are there, method and reserved flags once four are, then the optional extra field, name
    /// and comment, and the header CRC (FHCRC), which is compared. A header cut short is
    /// truncated.
    static func gzipHeaderLength(_ source: any ByteSource, range: Range<Int64>) throws(Failure) -> Int64 {
        var bytes = HeaderBytes(source: source, range: range)
        defer { bytes.release() }
        let cutShort = Failure(kind: .truncated, reason: "the gzip stream ends early (inside its header)")
        func damaged(_ what: String) -> Failure { Failure(kind: .damaged, reason: "the gzip stream is damaged: \(what)") }
        guard range.count >= 2 else { throw cutShort }
        guard try bytes[0] == 0x1f, try bytes[1] == 0x8b else { throw damaged("incorrect header check") }
        guard range.count >= 4 else { throw cutShort }
        guard try bytes[2] == 8 else { throw damaged("unknown compression method") }
        let flags = try bytes[3]
        guard flags & 0xe0 == 0 else { throw damaged("unknown header flags set") }
        guard range.count >= 10 else { throw cutShort }
        var position: Int64 = 10
        if flags & 0x04 != 0 {  // FEXTRA: a two-byte length, then that many bytes
            guard position + 2 <= range.count else { throw cutShort }
            let length = Int64(try bytes[position]) | Int64(try bytes[position + 1]) << 8
            position += 2 + length
            guard position <= range.count else { throw cutShort }
        }
        for flag in [UInt8(0x08), 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            while true {
                guard position < range.count else { throw cutShort }
                position += 1
                if try bytes[position - 1] == 0 { break }
            }
        }
        if flags & 0x02 != 0 {  // FHCRC: the low 16 bits of the CRC-32 of the header before it
            guard position + 2 <= range.count else { throw cutShort }
            let stored = UInt16(try bytes[position]) | UInt16(try bytes[position + 1]) << 8
            let crc: UInt32
            do {
                crc = try CRC32.checksum(source, range: range.lowerBound..<(range.lowerBound + position))
            } catch {
                throw Failure(kind: .io, reason: "reading the gzip header: \(error)")
            }
            guard stored == UInt16(truncatingIfNeeded: crc) else { throw damaged("header crc mismatch") }
            position += 2
        }
        return position
    }

    /// The bytes of a gzip header, read 4 KiB at a time.
    private struct HeaderBytes {
        let source: any ByteSource
        let range: Range<Int64>
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        var bufferStart: Int64 = -1
        var bufferCount = 0

        init(source: any ByteSource, range: Range<Int64>) {
            self.source = source
            self.range = range
        }

        func release() { buffer.deallocate() }

        /// The byte at `offset` from the start of the range (the caller checked it is inside).
        subscript(offset: Int64) -> UInt8 {
            mutating get throws(Failure) {
                if offset < bufferStart || offset >= bufferStart + Int64(bufferCount) {
                    let count = Int(min(Int64(buffer.count), Int64(range.count) - offset))
                    do throws(ByteSourceError) {
                        try source.read(
                            at: range.lowerBound + offset, length: count, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count]))
                    } catch {
                        throw Failure(kind: .io, reason: "reading the gzip header at offset \(range.lowerBound + offset): \(error.reason)")
                    }
                    bufferStart = offset
                    bufferCount = count
                }
                return buffer[Int(offset - bufferStart)]
            }
        }
    }

    /// Reads the trailer after the raw deflate data (what zlib left of the input, then the
    /// source) and checks it in zlib's order: the CRC-32 once its four bytes are there, then
    /// that the length is there too and matches the output's (modulo 2^32), then that nothing
    /// follows.
    private func checkGzipTrailer(crc: UInt32, length: Int64) throws(Failure) {
        let buffered = Int(stream.pointee.avail_in)
        let after = Int64(buffered) + inputEnd - inputOffset
        let present = Int(min(after, 8))
        var trailer = [UInt8](repeating: 0, count: 8)
        let fromBuffer = min(buffered, present)
        if fromBuffer > 0, let next = stream.pointee.next_in {
            for index in 0..<fromBuffer { trailer[index] = next[index] }
        }
        if fromBuffer < present {
            let rest = UnsafeMutableRawBufferPointer.allocate(byteCount: present - fromBuffer, alignment: 1)
            defer { rest.deallocate() }
            do throws(ByteSourceError) {
                try source.read(at: inputOffset, length: present - fromBuffer, into: rest)
            } catch {
                throw Failure(kind: .io, reason: "reading the gzip trailer at offset \(inputOffset): \(error.reason)")
            }
            for index in 0..<(present - fromBuffer) { trailer[fromBuffer + index] = rest[index] }
        }
        func word(_ at: Int) -> UInt32 { (0..<4).reduce(UInt32(0)) { $0 | UInt32(trailer[at + $1]) << (8 * $1) } }
        let cutShort = Failure(kind: .truncated, reason: "the gzip stream ends early (its 8-byte trailer is cut short)")
        guard present >= 4 else { throw cutShort }
        guard word(0) == crc else { throw Failure(kind: .damaged, reason: "the gzip stream is damaged: incorrect data check") }
        guard present == 8 else { throw cutShort }
        guard word(4) == UInt32(truncatingIfNeeded: length) else {
            throw Failure(kind: .damaged, reason: "the gzip stream is damaged: incorrect length check")
        }
        guard after == 8 else { throw Failure(kind: .trailingBytes, reason: "\(after - 8) byte(s) follow the end of the gzip stream") }
    }
}
