internal import COpenSSL
import Foundation

/// PEM decoding through OpenSSL's `PEM_read_bio` (RFC 7468 text encoding).
enum PEM {
    struct Block {
        let label: String
        let der: Data
    }

    /// True when the bytes (after leading white space) start with `-----BEGIN`.
    static func looksLikePEM(_ bytes: Data) -> Bool {
        // A byte loop, not `Data.range(of:)`, which goes through NSData on Linux: every trust
        // file and key is asked this once.
        let marker = Array("-----BEGIN".utf8)
        let head = Array(bytes.prefix(4096))
        guard head.count >= marker.count else { return false }
        for start in 0...(head.count - marker.count) where head[start] == marker[0] {
            if head[start..<(start + marker.count)].elementsEqual(marker) { return true }
        }
        return false
    }

    /// Decodes every PEM block in `bytes`, in order.
    ///
    /// - Throws: `CryptoError(.malformedInput)` when a block is damaged (bad base64, missing
    ///   END line). Text between blocks is ignored.
    static func decode(_ bytes: Data) throws(CryptoError) -> [Block] {
        ErrorQueue.clear()
        do {
            return try MemoryBIO.reading(bytes) { bio in
                var blocks: [Block] = []
                while true {
                    var name: UnsafeMutablePointer<CChar>?
                    var header: UnsafeMutablePointer<CChar>?
                    var data: UnsafeMutablePointer<UInt8>?
                    var length = 0
                    let ok = PEM_read_bio(bio, &name, &header, &data, &length)
                    defer {
                        fwgate_OPENSSL_free(name)
                        fwgate_OPENSSL_free(header)
                        fwgate_OPENSSL_free(data)
                    }
                    if ok != 1 {
                        let errors = ErrorQueue.drain()
                        // PEM_R_NO_START_LINE after at least one block just means "no more".
                        // Reason numbers are per library: only PEM's own NO_START_LINE means the end.
                        let noStart = errors.allSatisfy { ERR_GET_LIB($0.code) == ERR_LIB_PEM && ERR_GET_REASON($0.code) == PEM_R_NO_START_LINE }
                        if noStart { return blocks }
                        throw CryptoError(.malformedInput, "damaged PEM block after \(blocks.count) good one(s)", openSSLErrors: errors)
                    }
                    let label = name.map { String(cString: $0) } ?? ""
                    let der = data.map { Data(bytes: $0, count: length) } ?? Data()
                    blocks.append(Block(label: label, der: der))
                }
            }
        } catch let error as CryptoError {
            throw error
        } catch {
            throw CryptoError(.malformedInput, "\(error)")
        }
    }
}

