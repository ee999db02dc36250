internal import COpenSSL
import Foundation

/// An incremental message digest (OpenSSL EVP). Feed it bytes, then ``finalize()``.
///
/// One context hashes one message; it is not shared between threads.
public final class DigestContext {
    private let context: OpaquePointer
    private let md: OpaquePointer
    public let algorithm: DigestAlgorithm
    private var finished = false

    /// Starts a digest.
    ///
    /// - Throws: `CryptoError(.unsupported)` when this OpenSSL build lacks the algorithm.
    public init(_ algorithm: DigestAlgorithm) throws(CryptoError) {
        ErrorQueue.clear()
        guard let md = FetchedDigests.shared.md(algorithm) else {
            throw ErrorQueue.error(.unsupported, "digest \(algorithm) is not available in this OpenSSL")
        }
        guard let context = EVP_MD_CTX_new() else {
            EVP_MD_free(md)
            throw ErrorQueue.error(.openSSLFailure, "could not allocate a digest context")
        }
        guard EVP_DigestInit_ex2(context, md, nil) == 1 else {
            EVP_MD_CTX_free(context)
            EVP_MD_free(md)
            throw ErrorQueue.error(.openSSLFailure, "could not start \(algorithm)")
        }
        self.context = context
        self.md = md
        self.algorithm = algorithm
    }

    private init(context: OpaquePointer, md: OpaquePointer, algorithm: DigestAlgorithm) {
        self.context = context
        self.md = md
        self.algorithm = algorithm
    }

    deinit {
        EVP_MD_CTX_free(context)
        EVP_MD_free(md)
    }

    /// An independent copy of the state so far (EVP_MD_CTX_copy_ex): finalizing the copy gives
    /// the digest of the message up to here while this context goes on.
    ///
    /// - Throws: `CryptoError(.openSSLFailure)` when OpenSSL cannot copy the state.
    public func copy() throws(CryptoError) -> DigestContext {
        precondition(!finished, "DigestContext copied after finalize()")
        guard let clone = EVP_MD_CTX_new() else { throw ErrorQueue.error(.openSSLFailure, "could not allocate a digest context") }
        guard EVP_MD_CTX_copy_ex(clone, context) == 1 else {
            EVP_MD_CTX_free(clone)
            throw ErrorQueue.error(.openSSLFailure, "could not copy a digest context")
        }
        EVP_MD_up_ref(md)
        return DigestContext(context: clone, md: md, algorithm: algorithm)
    }

    /// Adds bytes to the message.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "DigestContext used after finalize()")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        // EVP_DigestUpdate only fails on a misused context, which `finished` rules out.
        _ = EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Adds bytes to the message.
    public func update(_ data: Data) {
        data.withUnsafeBytes { update($0) }
    }

    /// Adds `range` of `source` to the message, reading it in fixed chunks (memory stays flat).
    ///
    /// - Throws: `ByteSourceError` when the range is outside the source or a read fails.
    public func update(from source: some ByteSource, range: Range<Int64>, chunkSize: Int = ByteSourceChunk.defaultSize) throws(ByteSourceError) {
        do {
            try source.forEachChunk(in: range, chunkSize: chunkSize) { update($0) }
        } catch let error as ByteSourceError {
            throw error
        } catch {
            throw ByteSourceError(.io, offset: range.lowerBound, "\(error)")
        }
    }

    /// Finishes the message and returns its digest. The context cannot be used afterwards.
    public func finalize() -> Digest {
        precondition(!finished, "DigestContext finalized twice")
        finished = true
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        _ = EVP_DigestFinal_ex(context, &out, &length)
        return Digest(algorithm: algorithm, bytes: Data(out.prefix(Int(length))))
    }
}

/// Every digest's EVP_MD, fetched once per process: `EVP_MD_fetch` takes OpenSSL 3.0's
/// provider locks, which dominated sweeps of thousands of certificates.
final class FetchedDigests: @unchecked Sendable {
    // @unchecked Sendable: the table is filled in init and never changed; an EVP_MD is
    // immutable and reference-counted, safe to share between threads.
    static let shared = FetchedDigests()
    private let table: [DigestAlgorithm: OpaquePointer]

    private init() {
        var table: [DigestAlgorithm: OpaquePointer] = [:]
        for algorithm in DigestAlgorithm.allCases {
            if let md = EVP_MD_fetch(nil, algorithm.openSSLName, nil) { table[algorithm] = md }
        }
        ERR_clear_error()
        self.table = table
    }

    /// A new reference to the algorithm's EVP_MD (the caller frees it), or nil.
    func md(_ algorithm: DigestAlgorithm) -> OpaquePointer? {
        guard let md = table[algorithm] else { return nil }
        EVP_MD_up_ref(md)
        return md
    }
}
