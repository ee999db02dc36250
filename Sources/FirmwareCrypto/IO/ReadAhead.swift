import Foundation
import Synchronization

/// Chunked reading of a ``FileByteSource`` with a reader thread that stays ahead of the caller.
///
/// Hashing a file that is already in the page cache costs two things per byte: the kernel copying
/// it into our buffer (`pread`) and the digest itself. Done one after the other on one core, the
/// copy is a third of the time (issue 10 measured `pread` of 1 MiB at ~480 µs, and the buffer had
/// left the CPU cache before it was hashed). Here a second thread `pread`s into a small ring of
/// chunks while the caller hashes the previous one, so the two costs overlap on two cores:
///
/// - chunks are `ByteSourceChunk.defaultSize` (256 KiB) unless the caller asks otherwise, so a chunk and the digest state stay in a 1 MiB L2;
/// - the ring has ``slotCount`` (8) slots: the chunk being hashed plus up to seven read ahead,
///   so memory stays flat (2 MiB) whatever the file size. Three slots (two ahead) were enough on
///   an idle machine, but when other processes share the second core the reader thread waits to
///   be scheduled, and a deeper ring keeps the hasher fed meanwhile (Benchmarks/digest.sh on the
///   loaded 2-core build machine: 256 MiB in ~200 ms with 8 slots, ~230 ms with 3);
/// - ranges shorter than ``threshold`` (4 MiB) are read sequentially on the caller's thread:
///   starting a thread costs more than it saves there, and a batch of small files already keeps
///   every core busy with `--jobs`.
///
/// A file that is not in the page cache is read with the same `pread`s in the same order
/// (`POSIX_FADV_SEQUENTIAL` is set when the file is opened), so disk reads are no slower; the
/// hashing of one chunk merely overlaps the wait for the next.
enum ReadAhead {
    /// Ranges at least this long get a reader thread.
    static let threshold: Int64 = 4 << 20
    /// Ring slots for 256 KiB chunks: one being hashed, up to seven read ahead.
    static let slotCount = 8
    /// The ring's memory: 2 MiB. Larger chunks (a two-lane digest pass reads 1 MiB) get fewer
    /// slots, never fewer than three (two ahead), so memory stays flat whatever the chunk size
    /// (eight 1 MiB slots took a 128 MiB FIT's peak RSS from 28 to 39 MiB).
    static let ringBytes = 2 << 20

    /// Slots for a chunk size: as many as fit ``ringBytes``, between three and ``slotCount``.
    static func slots(for chunkSize: Int) -> Int { max(3, min(slotCount, ringBytes / max(chunkSize, 1))) }

    /// Calls `body` with consecutive chunks of `range` of `source`, read ahead on another thread.
    /// `range` must already be checked against the source.
    ///
    /// - Throws: the `ByteSourceError` of a failed read (when the caller reaches that chunk), or
    ///   what `body` throws. Either way the reader thread has stopped before this returns.
    static func forEachChunk(
        of source: FileByteSource, in range: Range<Int64>, chunkSize: Int,
        _ body: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        let ring = ReadAheadRing(slotCount: slots(for: chunkSize), chunkSize: chunkSize, consumers: 1)
        Thread.detachNewThread { ring.fill(from: source, range: range) }
        // However we leave (done, read error, `body` threw), stop the reader and wait for it, so
        // it never writes into the ring after we return. Its last reference frees the buffer.
        defer { ring.stopAndWait() }
        try ring.consume(0, range: range) { chunk, _ in try body(chunk) }
    }
}

extension ReadAhead {
    /// Hands every chunk of `range` to `consumers` consumers, each on its own thread (consumer 0
    /// on the caller's), while another thread reads ahead. A slot is reused only once every
    /// consumer is done with it, and consumers never wait for one another unless one falls a
    /// whole ring behind: two digests of the same bytes (a FIT's file and kernel, a RAUC
    /// bundle's payload and image) keep both cores busy without a barrier after every chunk.
    ///
    /// - Parameter body: called with the consumer's index, a chunk, and the chunk's offset in
    ///   the source; for each consumer, chunks come in order.
    /// - Throws: the `ByteSourceError` of a failed read (every consumer stops at that chunk).
    ///   Every thread has stopped before this returns.
    static func broadcast(
        of source: FileByteSource, in range: Range<Int64>, chunkSize: Int, consumers: Int,
        _ body: @escaping @Sendable (_ consumer: Int, _ chunk: UnsafeRawBufferPointer, _ offset: Int64) -> Void
    ) throws(ByteSourceError) {
        precondition(consumers > 0 && chunkSize > 0, "a broadcast needs consumers and a chunk size")
        let ring = ReadAheadRing(slotCount: slots(for: chunkSize), chunkSize: chunkSize, consumers: consumers)
        Thread.detachNewThread { ring.fill(from: source, range: range) }
        let done = DispatchSemaphore(value: 0)
        // A consumer stops at a failed read; the failure is thrown below, once all have stopped.
        for consumer in 1..<consumers {
            Thread.detachNewThread {
                try? ring.consume(consumer, range: range) { chunk, offset in body(consumer, chunk, offset) }
                done.signal()
            }
        }
        try? ring.consume(0, range: range) { chunk, offset in body(0, chunk, offset) }
        for _ in 1..<consumers { done.wait() }
        ring.stopAndWait()
        if let failure = ring.failure.withLock({ $0 }) { throw failure.error }
    }
}

/// The ring of ``ReadAhead``: one reader thread, and one consumer (`forEachChunk`) or several
/// (`broadcast`). Slot `i % slotCount` holds chunk `i`; `free` counts slots the reader may
/// fill; `filled[c]` counts chunks consumer `c` may read; `remaining[slot]` counts the consumers still
/// to read a slot, and the last one frees it. The semaphores order the reader's write of a slot
/// before every consumer's read, and every read before the next write.
///
/// Freed slots are handed back to the reader in batches of half the ring. The reader is faster
/// than a digest, so it sleeps on `free` nearly all the time, and waking it for every slot cost
/// the hashing thread a futex wake per chunk (64 for a 16 MiB image, a tenth of the main
/// thread's time outside the digest in a small `fwgate verify`'s profile; issue 10). A batch
/// never deadlocks: a consumer waits only when no slot is filled, and then every slot is either
/// free, being read, or held back, and held-back slots reach a full batch before that.
private final class ReadAheadRing: @unchecked Sendable {
    // @unchecked Sendable: `storage` is written only by the reader and read only by consumers,
    // slot by slot, ordered by the semaphores as above; the rest is immutable or synchronised.
    let storage: UnsafeMutableRawBufferPointer
    let slotCount: Int
    let chunkSize: Int
    let consumers: Int
    let free = DispatchSemaphore(value: 0)
    let filled: [DispatchSemaphore]
    let finished = DispatchSemaphore(value: 0)
    let cancelled = Atomic<Bool>(false)
    /// Per slot, the consumers still to read it; and the slots freed but not yet handed back to
    /// the reader (at most `batch - 1`).
    let remaining: Mutex<(counts: [Int], heldBack: Int)>
    /// Freed slots handed back to the reader at once.
    let batch: Int
    /// The first read that failed, by chunk index. The reader stops there, and so does every
    /// consumer.
    let failure = Mutex<(chunk: Int, error: ByteSourceError)?>(nil)

    init(slotCount: Int, chunkSize: Int, consumers: Int) {
        self.slotCount = slotCount
        self.chunkSize = chunkSize
        self.consumers = consumers
        storage = .allocate(byteCount: slotCount * chunkSize, alignment: 64)
        filled = (0..<consumers).map { _ in DispatchSemaphore(value: 0) }
        remaining = Mutex(([Int](repeating: 0, count: slotCount), 0))
        batch = max(1, slotCount / 2)
        // Signalled up from zero: libdispatch traps when a semaphore is freed with a value
        // below the one it was created with.
        for _ in 0..<slotCount { free.signal() }
    }

    deinit { storage.deallocate() }

    func slot(_ index: Int, length: Int) -> UnsafeMutableRawBufferPointer {
        let start = (index % slotCount) * chunkSize
        return UnsafeMutableRawBufferPointer(rebasing: storage[start..<(start + length)])
    }

    /// The reader thread: fills slots in order until the range is read, a read fails, or it is
    /// stopped.
    func fill(from source: FileByteSource, range: Range<Int64>) {
        defer { finished.signal() }
        var offset = range.lowerBound
        var index = 0
        while offset < range.upperBound {
            free.wait()
            if cancelled.load(ordering: .acquiring) { return }
            let length = Int(min(Int64(chunkSize), range.upperBound - offset))
            do {
                try source.read(at: offset, length: length, into: slot(index, length: length))
            } catch {
                failure.withLock { $0 = (index, error) }
                for semaphore in filled { semaphore.signal() }
                return
            }
            let slotIndex = index % slotCount
            remaining.withLock { $0.counts[slotIndex] = consumers }
            for semaphore in filled { semaphore.signal() }
            offset += Int64(length)
            index += 1
        }
    }

    /// One consumer: every chunk in order, with its offset in the source.
    ///
    /// - Throws: the `ByteSourceError` of a failed read when the consumer reaches that chunk, or
    ///   what `body` throws (the chunk then stays held: the caller stops the ring).
    func consume(_ consumer: Int, range: Range<Int64>, _ body: (_ chunk: UnsafeRawBufferPointer, _ offset: Int64) throws -> Void) throws {
        var offset = range.lowerBound
        var index = 0
        while offset < range.upperBound {
            let length = Int(min(Int64(chunkSize), range.upperBound - offset))
            filled[consumer].wait()
            if let failed = failure.withLock({ $0 }), failed.chunk == index { throw failed.error }
            try body(UnsafeRawBufferPointer(slot(index, length: length)), offset)
            release(index)
            offset += Int64(length)
            index += 1
        }
    }

    /// One consumer is done with chunk `index`; the last one frees its slot, and every
    /// ``batch`` freed slots go back to the reader together.
    private func release(_ index: Int) {
        let slotIndex = index % slotCount
        let handBack = remaining.withLock { state -> Int in
            state.counts[slotIndex] -= 1
            guard state.counts[slotIndex] == 0 else { return 0 }
            state.heldBack += 1
            guard state.heldBack == batch else { return 0 }
            state.heldBack = 0
            return batch
        }
        for _ in 0..<handBack { free.signal() }
    }

    /// Tells the reader to stop, wakes it if it waits for a free slot, and waits until it exits.
    func stopAndWait() {
        cancelled.store(true, ordering: .releasing)
        free.signal()
        finished.wait()
    }
}

