import Foundation

/// One digest to compute over one byte range.
public struct DigestRequest: Sendable, Hashable {
    public let algorithm: DigestAlgorithm
    public let range: Range<Int64>

    public init(_ algorithm: DigestAlgorithm, _ range: Range<Int64>) {
        self.algorithm = algorithm
        self.range = range
    }
}

/// Computes several digests over several ranges of one source in a single streaming pass:
/// each chunk is read once and fed to every digest whose range covers it. Requests with the same
/// algorithm and the same start share one context, copied at each shorter range's end (the file
/// SHA-256 and an image hash from offset 0 cost one SHA-256 pass, not two).
public enum MultiRangeDigest {
    /// One running context and the ends at which its requests are finalised.
    private final class Lane {
        let algorithm: DigestAlgorithm
        let start: Int64
        let context: DigestContext
        /// Remaining (end, request) pairs, ascending.
        var pending: [(Int64, DigestRequest)]
        /// The digests finalised so far, and the first failure to copy a context.
        var results: [DigestRequest: Digest] = [:]
        var failure: CryptoError?

        init(algorithm: DigestAlgorithm, start: Int64, requests: [DigestRequest]) throws(CryptoError) {
            self.algorithm = algorithm
            self.start = start
            self.context = try DigestContext(algorithm)
            self.pending = requests.map { ($0.range.upperBound, $0) }.sorted { $0.0 < $1.0 }
        }

        /// Finalises every request that ends at or before `position`.
        func settle(at position: Int64) {
            while let (end, request) = pending.first, end <= position {
                pending.removeFirst()
                if pending.isEmpty {
                    results[request] = context.finalize()
                } else {
                    do {
                        results[request] = try context.copy().finalize()
                    } catch {
                        failure = failure ?? error
                    }
                }
            }
        }

        /// Feeds the part of `chunk` (at `position` in the source) this lane covers, settling
        /// each request whose end it passes.
        func feed(_ chunk: UnsafeRawBufferPointer, at position: Int64) {
            let chunkEnd = position + Int64(chunk.count)
            var from = max(position, start)
            while from < chunkEnd, let (boundary, _) = pending.first {
                let to = min(chunkEnd, boundary)
                if to > from {
                    context.update(UnsafeRawBufferPointer(rebasing: chunk[Int(from - position)..<Int(to - position)]))
                }
                from = max(from, to)
                settle(at: from)
                if to == chunkEnd { break }
            }
        }
    }

    /// The lanes of a broadcast pass. @unchecked Sendable: consumer `i` of the pass is the only
    /// thread that touches `lanes[i]` until the pass has returned.
    private struct BroadcastLanes: @unchecked Sendable {
        let lanes: [Lane]
    }

    /// One chunk fed to several lanes at once. @unchecked Sendable: each iteration touches only
    /// its own lane's context, and the chunk is only read, and stays valid until
    /// `concurrentPerform` returns.
    private struct ParallelStep: @unchecked Sendable {
        let lanes: [Lane]
        let chunk: UnsafeRawBufferPointer
        let base: Int64

        func feed(_ index: Int) {
            let lane = lanes[index]
            let from = Int(max(base, lane.start) - base)
            lane.context.update(UnsafeRawBufferPointer(rebasing: chunk[from..<chunk.count]))
        }
    }

    /// Chunks at least this large are hashed by several lanes at once; below it the hand-over
    /// costs more than it saves.
    static let parallelChunkMinimum = 64 * 1024
    /// The chunk size of a pass with more than one lane, unless the caller gives one (one lane
    /// reads 256 KiB chunks: a chunk and one digest state stay in L2).
    static let parallelChunkSize = 1 << 20

    /// - Parameter chunkSize: how much is read at a time (default: 256 KiB for one lane,
    ///   ``parallelChunkSize`` for several).
    /// - Returns: one digest per request, keyed by request.
    /// - Throws: `CryptoError` when an algorithm is unavailable, a range lies outside the
    ///   source, or a read fails.
    public static func compute(
        _ requests: [DigestRequest], over source: some ByteSource, chunkSize: Int? = nil
    ) throws(CryptoError) -> [DigestRequest: Digest] {
        let unique = Array(Set(requests))
        guard !unique.isEmpty else { return [:] }
        for request in unique {
            do {
                try source.checkRange(offset: request.range.lowerBound, length: Int64(request.range.count))
            } catch {
                throw CryptoError(.io, "digest range \(request.range) is outside the file: \(error.reason)")
            }
        }
        var lanes: [Lane] = []
        let grouped = Dictionary(grouping: unique) { "\($0.algorithm.rawValue)@\($0.range.lowerBound)" }
        for key in grouped.keys.sorted() {
            let group = grouped[key]!
            lanes.append(try Lane(algorithm: group[0].algorithm, start: group[0].range.lowerBound, requests: group))
        }
        for lane in lanes { lane.settle(at: lane.start) }  // empty ranges
        let start = unique.map(\.range.lowerBound).min()!
        let end = unique.map(\.range.upperBound).max()!
        if start < end, lanes.count > 1, let file = source as? FileByteSource, Int64(end - start) >= ReadAhead.threshold {
            // Several lanes over a large file: each lane on its own thread, fed every chunk of
            // one read-ahead ring, never waiting for the other lanes after each chunk (a FIT's
            // file SHA-256 and kernel hash, a plain RAUC bundle's payload and image).
            let pass = BroadcastLanes(lanes: lanes)
            do {
                try ReadAhead.broadcast(of: file, in: start..<end, chunkSize: chunkSize ?? ByteSourceChunk.defaultSize, consumers: lanes.count) {
                    index, chunk, position in
                    pass.lanes[index].feed(chunk, at: position)
                }
            } catch {
                throw CryptoError(.io, "\(error)")
            }
        } else if start < end {
            do {
                var position = start
                // With several lanes, each chunk is handed to the other core and waited for:
                // larger chunks mean fewer hand-overs.
                let passChunk = chunkSize ?? (lanes.count > 1 ? Self.parallelChunkSize : ByteSourceChunk.defaultSize)
                try source.forEachChunk(in: start..<end, chunkSize: passChunk) { chunk in
                    let chunkEnd = position + Int64(chunk.count)
                    // Two or more lanes over the whole chunk of a file under the read-ahead
                    // threshold or of bytes in memory: hash them on separate cores. A lane that
                    // ends inside the chunk takes the ordered path.
                    let busy = lanes.filter { !$0.pending.isEmpty && $0.start < chunkEnd }
                    if busy.count > 1, chunk.count >= Self.parallelChunkMinimum,
                        busy.allSatisfy({ ($0.pending.first?.0 ?? .max) >= chunkEnd })
                    {
                        let step = ParallelStep(lanes: busy, chunk: chunk, base: position)
                        DispatchQueue.concurrentPerform(iterations: busy.count) { index in step.feed(index) }
                        for lane in busy { lane.settle(at: chunkEnd) }
                        position = chunkEnd
                        return
                    }
                    for lane in lanes { lane.feed(chunk, at: position) }
                    position = chunkEnd
                }
            } catch {
                throw CryptoError(.io, "\(error)")
            }
        }
        var result: [DigestRequest: Digest] = [:]
        for lane in lanes {
            if let failure = lane.failure { throw failure }
            result.merge(lane.results) { first, _ in first }
        }
        return result
    }
}
