internal import COpenSSL
import Foundation

/// A read-only OpenSSL BIO over a ``ByteSource``, so that OpenSSL streams signed content from the
/// same open descriptor the rest of a verification reads (the bytes hashed for the report are the
/// bytes the signature was checked over; nothing is opened a second time by path) and memory
/// stays flat whatever the content's size.
///
/// The BIO's data pointer borrows a ``ByteSourceBIO/Cursor`` that lives for the whole of
/// ``ByteSourceBIO/reading(_:_:)``; the BIO is freed before it returns.
enum ByteSourceBIO {
    /// Where the next read starts, and the first read error (OpenSSL only sees "no more bytes").
    final class Cursor {
        let source: any ByteSource
        var offset: Int64 = 0
        var error: ByteSourceError?
        init(_ source: any ByteSource) { self.source = source }
    }

    /// The BIO method, made once. OpenSSL never changes it after the setters below, and every
    /// BIO made from it only reads it, so sharing it between threads is safe.
    nonisolated(unsafe) private static let method: OpaquePointer? = {
        guard let method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "fwgate byte source") else { return nil }
        _ = BIO_meth_set_read_ex(method, readCallback)
        _ = BIO_meth_set_ctrl(method, ctrlCallback)
        return method
    }()

    /// `read_ex`: copies up to `length` bytes from the cursor; 0 at the end or on a read error.
    private static let readCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutablePointer<Int>?) -> Int32 = {
        bio, buffer, length, readBytes in
        readBytes?.pointee = 0
        guard let bio, let buffer, length > 0, let data = BIO_get_data(bio) else { return 0 }
        let cursor = Unmanaged<Cursor>.fromOpaque(data).takeUnretainedValue()
        let remaining = cursor.source.count - cursor.offset
        guard remaining > 0, cursor.error == nil else { return 0 }
        let count = Int(min(Int64(length), remaining))
        do throws(ByteSourceError) {
            try cursor.source.read(at: cursor.offset, length: count, into: UnsafeMutableRawBufferPointer(start: buffer, count: count))
        } catch {
            cursor.error = error
            return 0
        }
        cursor.offset += Int64(count)
        readBytes?.pointee = count
        return 1
    }

    /// `ctrl`: answers end-of-file and flush; every other control is unsupported (0), as for
    /// OpenSSL's own source BIOs.
    private static let ctrlCallback: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = { bio, command, _, _ in
        switch command {
        case BIO_CTRL_FLUSH: return 1
        case BIO_CTRL_EOF:
            guard let bio, let data = BIO_get_data(bio) else { return 1 }
            let cursor = Unmanaged<Cursor>.fromOpaque(data).takeUnretainedValue()
            return cursor.offset >= cursor.source.count ? 1 : 0
        default: return 0
        }
    }

    /// Runs `body` with a BIO that reads `source` from its start.
    ///
    /// - Throws: `CryptoError(.io)` when reading the source failed during `body` (OpenSSL saw a
    ///   short content, so its answer is not about the content); `.openSSLFailure` when the BIO
    ///   cannot be made.
    static func reading<R>(_ source: any ByteSource, _ body: (OpaquePointer) throws(CryptoError) -> R) throws(CryptoError) -> R {
        guard let method, let bio = BIO_new(method) else {
            throw ErrorQueue.error(.openSSLFailure, "could not allocate a BIO over the content")
        }
        defer { BIO_free(bio) }
        let cursor = Cursor(source)
        let result: R = try withExtendedLifetime(cursor) { () throws(CryptoError) -> R in
            BIO_set_data(bio, Unmanaged.passUnretained(cursor).toOpaque())
            BIO_set_init(bio, 1)
            defer { BIO_set_data(bio, nil) }
            return try body(bio)
        }
        if let error = cursor.error {
            throw CryptoError(.io, "cannot read the signed content at offset \(error.offset): \(error.reason)")
        }
        return result
    }
}
