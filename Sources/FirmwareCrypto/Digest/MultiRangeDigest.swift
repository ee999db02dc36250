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
/// each chunk is read once and fed to every digest whose range covers it. Verifying an image
/// therefore reads the file once, whatever mix of "file SHA-256" and "image hash" is needed.
public enum MultiRangeDigest {
    /// - Returns: one digest per request, keyed by request.
    /// - Throws: `CryptoError` when an algorithm is unavailable, a range lies outside the
    ///   source, or a read fails.
    public static func compute(
        _ requests: [DigestRequest], over source: some ByteSource, chunkSize: Int = 1 << 20
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
        var contexts: [(DigestRequest, DigestContext)] = []
        for request in unique { contexts.append((request, try DigestContext(request.algorithm))) }
        let start = unique.map(\.range.lowerBound).min()!
        let end = unique.map(\.range.upperBound).max()!
        if start < end {
            do {
                var position = start
                try source.forEachChunk(in: start..<end, chunkSize: chunkSize) { chunk in
                    let chunkRange = position..<(position + Int64(chunk.count))
                    for (request, context) in contexts {
                        let overlap = chunkRange.clamped(to: request.range)
                        guard !overlap.isEmpty else { continue }
                        let from = Int(overlap.lowerBound - position)
                        let to = Int(overlap.upperBound - position)
                        context.update(UnsafeRawBufferPointer(rebasing: chunk[from..<to]))
                    }
                    position = chunkRange.upperBound
                }
            } catch {
                throw CryptoError(.io, "\(error)")
            }
        }
        var result: [DigestRequest: Digest] = [:]
        for (request, context) in contexts { result[request] = context.finalize() }
        return result
    }
}
