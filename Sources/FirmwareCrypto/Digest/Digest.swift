import Foundation

/// A computed message digest.
public struct Digest: Sendable, Hashable, Codable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    public let bytes: Data

    public init(algorithm: DigestAlgorithm, bytes: Data) {
        self.algorithm = algorithm
        self.bytes = bytes
    }

    /// Lowercase hex.
    public var hex: String { bytes.hexString }

    public var description: String { "\(algorithm.rawValue):\(hex)" }

    /// Hashes `data` in one call.
    ///
    /// - Throws: `CryptoError(.unsupported)` when the algorithm is unavailable.
    public static func hash(_ data: Data, using algorithm: DigestAlgorithm) throws(CryptoError) -> Digest {
        let context = try DigestContext(algorithm)
        context.update(data)
        return context.finalize()
    }

    /// Hashes `range` of `source` (the whole source by default), streaming in chunks.
    ///
    /// - Throws: `CryptoError` when the algorithm is unavailable or a read fails (the reason
    ///   names the offset).
    public static func hash(
        _ source: some ByteSource, range: Range<Int64>? = nil, using algorithm: DigestAlgorithm
    ) throws(CryptoError) -> Digest {
        let context = try DigestContext(algorithm)
        do {
            try context.update(from: source, range: range ?? 0..<source.count)
        } catch {
            throw CryptoError(.io, error.reason)
        }
        return context.finalize()
    }

    /// Compares two digests in constant time with respect to their contents.
    public func matches(_ expected: Data) -> Bool {
        guard bytes.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(bytes, expected) { difference |= a ^ b }
        return difference == 0
    }
}

extension Data {
    /// Lowercase hex of the bytes.
    public var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex (upper or lower case, no separators). Returns nil on odd length or bad digits.
    public init?(hexString: String) {
        let utf8 = Array(hexString.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        func value(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var index = 0
        while index < utf8.count {
            guard let high = value(utf8[index]), let low = value(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self.init(bytes)
    }
}
