internal import COpenSSL
import Foundation

/// Scoped memory BIOs. The pointer never escapes the closure. [swift-crypto `BIOHelper`]
enum MemoryBIO {
    /// Runs `body` with a read-only memory BIO over `bytes`. The BIO borrows the bytes, so it is
    /// freed before this function returns.
    static func reading<R>(_ bytes: Data, _ body: (OpaquePointer) throws -> R) throws -> R {
        guard bytes.count <= Int(Int32.max) else {
            throw CryptoError(.malformedInput, "input of \(bytes.count) bytes is too large")
        }
        return try bytes.withUnsafeBytes { raw -> R in
            // An empty Data may have a nil base address; OpenSSL needs a valid pointer.
            let base = raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
            guard let bio = BIO_new_mem_buf(base, Int32(raw.count)) else {
                throw ErrorQueue.error(.openSSLFailure, "could not allocate a memory BIO")
            }
            defer { BIO_free(bio) }
            return try body(bio)
        }
    }

    /// Runs `body` with a writable memory BIO and returns what it wrote, as text.
    static func writingText(_ body: (OpaquePointer) throws -> Void) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else {
            throw ErrorQueue.error(.openSSLFailure, "could not allocate a memory BIO")
        }
        defer { BIO_free(bio) }
        try body(bio)
        var pointer: UnsafeMutablePointer<CChar>?
        let length = fwgate_BIO_get_mem_data(bio, &pointer)
        guard let pointer, length > 0 else { return "" }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}

/// Calls an `i2d_*` function twice (size, then bytes) and returns the DER encoding.
func derEncode(_ encode: (UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?) -> Int32) throws -> Data {
    let length = encode(nil)
    guard length > 0 else { throw ErrorQueue.error(.openSSLFailure, "could not DER-encode") }
    var out = Data(count: Int(length))
    let written = out.withUnsafeMutableBytes { raw -> Int32 in
        var cursor: UnsafeMutablePointer<UInt8>? = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
        return encode(&cursor)
    }
    guard written == length else { throw ErrorQueue.error(.openSSLFailure, "could not DER-encode") }
    return out
}

/// Runs a `d2i_*` style parse over `bytes`, making sure the whole input was consumed.
/// Returns nil when the parser rejects the bytes or leaves trailing data (the partly parsed
/// object is then released with `free`).
func derDecode<T>(
    _ bytes: Data,
    _ decode: (UnsafeMutablePointer<UnsafePointer<UInt8>?>, Int) -> T?,
    free: (T) -> Void
) -> T? {
    bytes.withUnsafeBytes { raw -> T? in
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else { return nil }
        var cursor: UnsafePointer<UInt8>? = base
        guard let value = decode(&cursor, raw.count) else { return nil }
        guard let end = cursor, end - base == raw.count else {
            free(value)
            return nil
        }
        return value
    }
}
