import FirmwareCrypto
import Foundation

/// The dm-verity hash tree RAUC appends to a verity bundle's payload (cryptsetup's format 1 as
/// RAUC builds it): 4 KiB data and hash blocks, SHA-256 of salt ‖ block, 128 digests per hash
/// block, zero padding, levels until one block; the root hash is SHA-256 of salt ‖ top block.
/// On disk the levels follow the payload top level first.
///
/// Computed streaming, bottom-up, with one partial block per level (memory O(levels × 4 KiB)),
/// and each finished hash block compared with the stored one as soon as it exists.
enum RAUCVerity {
    static let blockSize = 4096
    static let digestsPerBlock = blockSize / 32

    /// Hash blocks per level for `dataBlocks` data blocks (level 0 first).
    static func levelCounts(dataBlocks: Int64) -> [Int64] {
        var counts: [Int64] = []
        var count = dataBlocks
        repeat {
            count = (count + Int64(digestsPerBlock) - 1) / Int64(digestsPerBlock)
            counts.append(count)
        } while count > 1
        return counts
    }

    struct Result {
        let rootHash: Data
        let treeSize: Int64
        /// The first stored hash block that differs from the computed one, if any.
        let storedMismatch: Int64?
    }

    /// - Parameters:
    ///   - payload: the data blocks (a multiple of 4 KiB).
    ///   - treeStart: where the stored tree begins (nil: do not compare).
    static func compute(_ source: any ByteSource, payload: Range<Int64>, salt: Data, treeStart: Int64?) throws -> Result {
        let dataBlocks = Int64(payload.count) / Int64(blockSize)
        let counts = levelCounts(dataBlocks: dataBlocks)
        // Offsets of each level in the stored tree: top level first.
        var levelOffsets = [Int64](repeating: 0, count: counts.count)
        var position: Int64 = 0
        for level in stride(from: counts.count - 1, through: 0, by: -1) {
            levelOffsets[level] = position
            position += counts[level]
        }
        let treeSize = position * Int64(blockSize)
        var partial = [Data](repeating: Data(), count: counts.count)
        var emitted = [Int64](repeating: 0, count: counts.count)
        var mismatch: Int64?
        var top = Data()

        func hash(_ block: Data) throws -> Data {
            let context = try DigestContext(.sha256)
            context.update(salt)
            context.update(block)
            return context.finalize().bytes
        }
        func finishBlock(level: Int) throws {
            var block = partial[level]
            block.append(Data(count: blockSize - block.count))
            partial[level] = Data()
            let index = emitted[level]
            emitted[level] += 1
            if let treeStart, mismatch == nil {
                let offset = treeStart + (levelOffsets[level] + index) * Int64(blockSize)
                if (try? source.bytes(at: offset, length: blockSize)) != block { mismatch = offset }
            }
            if level == counts.count - 1 {
                top = block
            } else {
                try add(try hash(block), level: level + 1)
            }
        }
        func add(_ digest: Data, level: Int) throws {
            partial[level].append(digest)
            if partial[level].count == blockSize { try finishBlock(level: level) }
        }

        var pending = Data()
        try source.forEachChunk(in: payload, chunkSize: ByteSourceChunk.defaultSize) { chunk in
            var rest = UnsafeRawBufferPointer(rebasing: chunk[...])
            while !rest.isEmpty {
                let take = min(blockSize - pending.count, rest.count)
                pending.append(contentsOf: rest.prefix(take))
                rest = UnsafeRawBufferPointer(rebasing: rest.dropFirst(take))
                if pending.count == blockSize {
                    try add(try hash(pending), level: 0)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        for level in 0..<counts.count where !partial[level].isEmpty || emitted[level] < counts[level] {
            if !partial[level].isEmpty { try finishBlock(level: level) }
        }
        return Result(rootHash: try hash(top), treeSize: treeSize, storedMismatch: mismatch)
    }
}
