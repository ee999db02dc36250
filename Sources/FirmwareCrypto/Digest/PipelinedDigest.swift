import Foundation

/// A digest fed on the caller's thread and computed on another: ``update(_:)`` copies the bytes
/// into one of two buffers and hands each full buffer to a serial worker queue, so a producer
/// that is busy itself (inflating a gzip archive) and the hash run on separate cores. Memory:
/// two buffers, whatever the message length.
///
/// Used by one producer thread at a time, like ``DigestContext``.
public final class PipelinedDigest: @unchecked Sendable {
    // @unchecked Sendable: the producer writes only the buffer it holds (taken with its
    // semaphore); the worker reads only buffers handed to it, and signals the semaphore when
    // done. `context` is touched only on the worker queue until `finalize` drains the queue.
    private let context: DigestContext
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let free: [DispatchSemaphore]
    private let queue = DispatchQueue(label: "fwgate.pipelined-digest", qos: .userInitiated)
    private var current = 0
    private var filled = 0
    private var finished = false

    public var algorithm: DigestAlgorithm { context.algorithm }

    /// - Parameters:
    ///   - algorithm: the digest.
    ///   - bufferSize: bytes per hand-over (256 KiB: a buffer stays in the L2 cache).
    /// - Throws: `CryptoError(.unsupported)` when this OpenSSL build lacks the algorithm.
    public init(_ algorithm: DigestAlgorithm, bufferSize: Int = ByteSourceChunk.defaultSize) throws(CryptoError) {
        precondition(bufferSize > 0, "buffer size must be positive")
        context = try DigestContext(algorithm)
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64) }
        free = (0..<2).map { _ in DispatchSemaphore(value: 1) }
        free[0].wait()  // the producer holds buffer 0
    }

    deinit {
        // Whatever was handed over is done before the buffers go; a semaphore must be back at
        // its initial value when it is freed (libdispatch traps otherwise), so a digest dropped
        // unfinished (the producer failed) gives back the buffer it held.
        queue.sync {}
        if !finished { free[current].signal() }
        for buffer in buffers { buffer.deallocate() }
    }

    /// Adds bytes to the message (copied; `bytes` may be reused as soon as this returns).
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "PipelinedDigest used after finalize()")
        var offset = 0
        while offset < bytes.count {
            let buffer = buffers[current]
            let take = min(buffer.count - filled, bytes.count - offset)
            // Copy into the held buffer (memcpy: far faster than either producer or hash).
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + take)])
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]))
            filled += take
            offset += take
            if filled == buffer.count {
                handOver()
                current ^= 1
                free[current].wait()
            }
        }
    }

    /// What the worker needs of one hand-over. It holds the context and the semaphore, never
    /// the digest itself: the last reference to the digest must go on the producer's thread,
    /// whose deinit then waits for the queue (from the queue itself, that wait would trap).
    private struct Handover: @unchecked Sendable {
        // @unchecked Sendable: the bytes belong to the worker until it signals `free`.
        let bytes: UnsafeRawBufferPointer
        let context: DigestContext
        let free: DispatchSemaphore
    }

    private func handOver() {
        let job = Handover(bytes: UnsafeRawBufferPointer(rebasing: buffers[current][0..<filled]), context: context, free: free[current])
        filled = 0
        queue.async {
            job.context.update(job.bytes)
            job.free.signal()
        }
    }

    /// Finishes the message (waiting for the worker) and returns its digest.
    public func finalize() -> Digest {
        precondition(!finished, "PipelinedDigest finalized twice")
        finished = true
        if filled > 0 { handOver() } else { free[current].signal() }
        return queue.sync { context.finalize() }
    }
}
