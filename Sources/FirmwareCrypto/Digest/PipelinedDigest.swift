import Foundation

/// Bytes handed from a producer thread to a consumer on another: ``update(_:)`` copies them into
/// one of two buffers and hands each full buffer to a serial worker queue, so a producer that is
/// busy itself (inflating a gzip archive) and the consumer (a hash, a CRC) run on separate cores.
/// Memory: two buffers, whatever the message length.
///
/// Used by one producer thread at a time.
final class BytePipeline: @unchecked Sendable {
    // @unchecked Sendable: the producer writes only the buffer it holds (taken with its
    // semaphore); the worker reads only buffers handed to it, and signals the semaphore when
    // done. `consume` runs only on the worker queue.
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let free: [DispatchSemaphore]
    private let queue = DispatchQueue(label: "fwgate.byte-pipeline", qos: .userInitiated)
    private let consume: @Sendable (UnsafeRawBufferPointer) -> Void
    private var current = 0
    private var filled = 0
    private var drained = false

    /// - Parameters:
    ///   - bufferSize: bytes per hand-over.
    ///   - consume: what the worker does with each buffer, in order. It must not hold the
    ///     pipeline: the last reference to the pipeline must go on the producer's thread, whose
    ///     deinit then waits for the queue (from the queue itself, that wait would trap).
    init(bufferSize: Int, consume: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        precondition(bufferSize > 0, "buffer size must be positive")
        self.consume = consume
        buffers = (0..<2).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64) }
        free = (0..<2).map { _ in DispatchSemaphore(value: 1) }
        free[0].wait()  // the producer holds buffer 0
    }

    deinit {
        // Whatever was handed over is done before the buffers go; a semaphore must be back at
        // its initial value when it is freed (libdispatch traps otherwise), so a pipeline
        // dropped undrained (the producer failed) gives back the buffer it held.
        queue.sync {}
        if !drained { free[current].signal() }
        for buffer in buffers { buffer.deallocate() }
    }

    /// Adds bytes (copied; `bytes` may be reused as soon as this returns).
    func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!drained, "BytePipeline used after drain()")
        var offset = 0
        while offset < bytes.count {
            let buffer = buffers[current]
            let take = min(buffer.count - filled, bytes.count - offset)
            // Copy into the held buffer (memcpy: far faster than either producer or consumer).
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

    /// What the worker needs of one hand-over: never the pipeline itself (see `init`).
    private struct Handover: @unchecked Sendable {
        // @unchecked Sendable: the bytes belong to the worker until it signals `free`.
        let bytes: UnsafeRawBufferPointer
        let consume: @Sendable (UnsafeRawBufferPointer) -> Void
        let free: DispatchSemaphore
    }

    private func handOver() {
        let job = Handover(bytes: UnsafeRawBufferPointer(rebasing: buffers[current][0..<filled]), consume: consume, free: free[current])
        filled = 0
        queue.async {
            job.consume(job.bytes)
            job.free.signal()
        }
    }

    /// Hands over what is left and waits until the worker has consumed everything: after it,
    /// whatever `consume` wrote may be read on the producer's thread.
    func drain() {
        precondition(!drained, "BytePipeline drained twice")
        drained = true
        if filled > 0 { handOver() } else { free[current].signal() }
        queue.sync {}
    }
}

/// A digest fed on the caller's thread and computed on another (``BytePipeline``).
///
/// Used by one producer thread at a time, like ``DigestContext``.
public final class PipelinedDigest: @unchecked Sendable {
    // @unchecked Sendable: `context` is touched only by the pipeline's worker until `finalize`
    // has drained it.
    private let context: DigestContext
    private let pipeline: BytePipeline
    private var finished = false

    public var algorithm: DigestAlgorithm { context.algorithm }

    /// - Parameters:
    ///   - algorithm: the digest.
    ///   - bufferSize: bytes per hand-over (256 KiB: a buffer stays in the L2 cache).
    /// - Throws: `CryptoError(.unsupported)` when this OpenSSL build lacks the algorithm.
    public init(_ algorithm: DigestAlgorithm, bufferSize: Int = ByteSourceChunk.defaultSize) throws(CryptoError) {
        let context = try DigestContext(algorithm)
        self.context = context
        let held = WorkerOwned(context)
        pipeline = BytePipeline(bufferSize: bufferSize) { held.value.update($0) }
    }

    /// Adds bytes to the message (copied; `bytes` may be reused as soon as this returns).
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "PipelinedDigest used after finalize()")
        pipeline.update(bytes)
    }

    /// Finishes the message (waiting for the worker) and returns its digest.
    public func finalize() -> Digest {
        precondition(!finished, "PipelinedDigest finalized twice")
        finished = true
        pipeline.drain()
        return context.finalize()
    }
}

/// A value the pipeline's worker uses while the producer leaves it alone (until `drain`).
private struct WorkerOwned<Value>: @unchecked Sendable {
    // @unchecked Sendable: see PipelinedDigest and PipelinedCRC32: one thread at a time.
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// A CRC-32 fed on the caller's thread and computed on another (``BytePipeline``).
final class PipelinedCRC32: @unchecked Sendable {
    // @unchecked Sendable: `box` is written only by the pipeline's worker until `value` has
    // drained it.
    private final class Box: @unchecked Sendable {
        var crc = CRC32()
    }
    private let box = Box()
    private let pipeline: BytePipeline

    init(bufferSize: Int = ByteSourceChunk.defaultSize) {
        let box = self.box
        pipeline = BytePipeline(bufferSize: bufferSize) { box.crc.update($0) }
    }

    func update(_ bytes: UnsafeRawBufferPointer) { pipeline.update(bytes) }

    /// Waits for the worker and returns the CRC-32 of everything given.
    func finish() -> UInt32 {
        pipeline.drain()
        return box.crc.value
    }
}
