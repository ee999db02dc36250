import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Random-access, read-only bytes: a file read with `pread`, or bytes in memory.
///
/// Parsers and digests read through a `ByteSource` so that nothing loads a whole image: memory
/// stays flat whatever the image size. Every offset and count is checked against ``count``.
/// It lives in FirmwareCrypto because streaming digests read from it and layers only depend
/// downwards; FirmwareFormats' `ByteReader` is a cursor over one.
public protocol ByteSource: Sendable {
    /// Total number of bytes.
    var count: Int64 { get }

    /// Copies `length` bytes starting at `offset` into `buffer` (which has room for them).
    ///
    /// - Throws: `ByteSourceError` when the range is outside the source or the read fails.
    func read(at offset: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError)

    /// Calls `body` with consecutive chunks of `range`, in order, each at most `chunkSize` bytes.
    /// The buffer passed to `body` is only valid during the call.
    ///
    /// The default reads sequentially into one reused buffer; ``FileByteSource`` reads long ranges
    /// ahead on another thread, ``MemoryByteSource`` passes its own bytes without copying.
    ///
    /// - Throws: `ByteSourceError` when the range is outside the source or a read fails, or what
    ///   `body` throws.
    func forEachChunk(
        in range: Range<Int64>, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws
}

/// Chunk sizes for streaming reads.
public enum ByteSourceChunk {
    /// 256 KiB: a chunk and a digest's state stay in the CPU's L2 cache while it is hashed,
    /// which measured faster than 1 MiB chunks (issue 10).
    public static let defaultSize = 256 << 10
}

/// A read outside the source, or an I/O failure while reading.
public struct ByteSourceError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable { case outOfRange = "out-of-range", io }
    public let kind: Kind
    public let offset: Int64
    public let reason: String

    public init(_ kind: Kind, offset: Int64, _ reason: String) {
        self.kind = kind
        self.offset = offset
        self.reason = reason
    }

    public var description: String { reason }
}

extension ByteSource {
    /// Reads `length` bytes at `offset` into a new `Data`.
    ///
    /// - Throws: `ByteSourceError.outOfRange` when `offset + length` passes the end.
    public func bytes(at offset: Int64, length: Int) throws(ByteSourceError) -> Data {
        try checkRange(offset: offset, length: Int64(length))
        var data = Data(count: length)
        if length == 0 { return data }
        // Read into a scratch buffer first: a typed-throws closure passed to
        // withUnsafeMutableBytes crashes the 6.3 compiler.
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: length, alignment: 1)
        defer { scratch.deallocate() }
        try read(at: offset, length: length, into: scratch)
        data.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(scratch)) }
        return data
    }

    /// Throws unless `offset ..< offset + length` lies inside the source. Overflow-safe.
    public func checkRange(offset: Int64, length: Int64) throws(ByteSourceError) {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw ByteSourceError(
                .outOfRange, offset: offset,
                "read of \(length) bytes at offset \(offset) runs past the end (\(count) bytes)")
        }
    }

    /// Calls `body` with consecutive chunks of `range`, of the default chunk size (256 KiB: a
    /// chunk stays in the CPU's L2 cache while it is hashed).
    ///
    /// - Throws: what the read or `body` throws.
    public func forEachChunk(in range: Range<Int64>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try forEachChunk(in: range, chunkSize: ByteSourceChunk.defaultSize, body)
    }

    /// The default ``forEachChunk(in:chunkSize:_:)``: sequential reads into one reused buffer.
    public func forEachChunk(
        in range: Range<Int64>, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try sequentialChunks(in: range, chunkSize: chunkSize, body)
    }

    /// Reads `range` chunk by chunk on the caller's thread, reusing one buffer of `chunkSize` bytes.
    func sequentialChunks(
        in range: Range<Int64>, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try checkRange(offset: range.lowerBound, length: Int64(range.count))
        precondition(chunkSize > 0, "chunk size must be positive")
        if range.isEmpty { return }
        let size = Int(min(Int64(chunkSize), Int64(range.count)))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var offset = range.lowerBound
        while offset < range.upperBound {
            let length = Int(min(Int64(size), range.upperBound - offset))
            let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])
            try read(at: offset, length: length, into: slice)
            try body(UnsafeRawBufferPointer(slice))
            offset += Int64(length)
        }
    }
}

/// Bytes held in memory.
public struct MemoryByteSource: ByteSource {
    public let data: Data
    public init(_ data: Data) { self.data = data }
    public init(_ bytes: [UInt8]) { self.data = Data(bytes) }

    public var count: Int64 { Int64(data.count) }

    public func read(at offset: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
        try checkRange(offset: offset, length: Int64(length))
        guard length <= buffer.count else {
            throw ByteSourceError(.outOfRange, offset: offset, "buffer too small for \(length) bytes")
        }
        let start = data.startIndex + Int(offset)
        data.copyBytes(to: buffer.bindMemory(to: UInt8.self), from: start..<(start + length))
    }

    /// Passes slices of the bytes themselves: nothing to read, nothing to copy.
    public func forEachChunk(
        in range: Range<Int64>, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try checkRange(offset: range.lowerBound, length: Int64(range.count))
        precondition(chunkSize > 0, "chunk size must be positive")
        try data.withUnsafeBytes { (all: UnsafeRawBufferPointer) throws -> Void in
            var offset = Int(range.lowerBound)
            let end = Int(range.upperBound)
            while offset < end {
                let next = min(offset + chunkSize, end)
                try body(UnsafeRawBufferPointer(rebasing: all[offset..<next]))
                offset = next
            }
        }
    }
}

/// A file read with `pread`. The descriptor is opened once and closed when the last reference
/// goes. `pread` does not move a shared file offset, so concurrent reads are safe.
public final class FileByteSource: ByteSource, @unchecked Sendable {
    // @unchecked Sendable: `descriptor`, `count` and `path` never change after init, and pread
    // is safe to call from several threads on one descriptor.
    private let descriptor: Int32
    public let count: Int64
    /// The path the file was opened from, for messages.
    public let path: String

    /// Opens `path` for reading.
    ///
    /// The file is opened with `O_NONBLOCK` so that a FIFO without a writer, or a device, cannot
    /// block the open; the type is checked with `fstat` on the open descriptor (no race with a
    /// rename), and anything but a regular file is refused naming its type. `O_NONBLOCK` is then
    /// cleared: reads of a regular file never block anyway.
    ///
    /// - Throws: `CryptoError(.io)` whose reason starts with the path and says, in fwgate's words,
    ///   what is wrong: missing, permission denied, a folder, a FIFO, a socket, a device.
    public init(path: String) throws(CryptoError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            throw CryptoError(.io, InputFile.openFailure(path: path, errno: errno))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw CryptoError(.io, "\(path): cannot read: \(reason)")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CryptoError(.io, "\(path): cannot read: \(InputFile.typeName(mode: info.st_mode)), not a regular file")
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
        self.descriptor = fd
        self.count = Int64(info.st_size)
        self.path = path
    }

    deinit { close(descriptor) }

    /// Ranges of at least 4 MiB are read ahead on another thread while `body` works on the
    /// previous chunk (see `ReadAhead`); shorter ones are read sequentially.
    public func forEachChunk(
        in range: Range<Int64>, chunkSize: Int, _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try checkRange(offset: range.lowerBound, length: Int64(range.count))
        precondition(chunkSize > 0, "chunk size must be positive")
        if Int64(range.count) >= ReadAhead.threshold, range.count > chunkSize {
            try ReadAhead.forEachChunk(of: self, in: range, chunkSize: chunkSize, body)
        } else {
            try sequentialChunks(in: range, chunkSize: chunkSize, body)
        }
    }

    public func read(at offset: Int64, length: Int, into buffer: UnsafeMutableRawBufferPointer) throws(ByteSourceError) {
        try checkRange(offset: offset, length: Int64(length))
        guard length <= buffer.count else {
            throw ByteSourceError(.outOfRange, offset: offset, "buffer too small for \(length) bytes")
        }
        var done = 0
        while done < length {
            let n = pread(descriptor, buffer.baseAddress! + done, length - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw ByteSourceError(.io, offset: offset + Int64(done), "\(path): read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 {
                throw ByteSourceError(.io, offset: offset + Int64(done), "\(path): file shrank while being read")
            }
            done += n
        }
    }
}
