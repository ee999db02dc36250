import FirmwareCrypto
import Foundation

extension CheckCode {
    /// A flattened device tree (FDT/DTB, the container of FIT images) whose header, blocks or
    /// structure tokens are inconsistent: offsets or sizes outside the blob, a bad token, a name
    /// outside the strings block, depth or node limits exceeded, or a duplicate node or property.
    public static let malformedFDTStructure: CheckCode = "malformed.fdt-structure"
}

/// A parsed flattened device tree (Devicetree Specification v0.4, chapter 5 "Flattened
/// Devicetree (DTB) Format"). Every offset and size in the header is checked against the blob
/// and the file before use; the structure block is walked token by token with depth, node and
/// property limits; property values above ``inlineValueLimit`` bytes are not read (only their
/// range is kept), so a FIT holding a large kernel is parsed without loading it.
public struct FDT: Sendable, Equatable {
    /// Header fields (spec 5.2, `struct fdt_header`), big-endian in the file.
    public struct Header: Sendable, Codable, Equatable {
        public var totalSize: UInt32
        public var structOffset: UInt32
        public var stringsOffset: UInt32
        public var reservationOffset: UInt32
        public var version: UInt32
        public var lastCompatibleVersion: UInt32
        public var bootCPU: UInt32
        public var stringsSize: UInt32
        public var structSize: UInt32
    }

    /// One structure-block token, in file order (what the signature regions are cut from).
    public struct Token: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case beginNode(name: String)
            case endNode
            case property(name: String)
            case nop
            case end
        }
        public var kind: Kind
        /// Offset of the token from the start of the structure block.
        public var offset: Int64
        /// Offset of the next token (after the name or value and its padding).
        public var next: Int64
    }

    public struct Property: Sendable, Equatable {
        public var name: String
        /// The value's bytes in the file (absolute offsets).
        public var valueRange: Range<Int64>
        /// The value, when it is at most ``FDT/inlineValueLimit`` bytes; nil for larger ones.
        public var value: Data?

        /// The value as a NUL-terminated string (nil when absent, too large or not text).
        public var string: String? { strings?.first }

        /// The value as a list of NUL-terminated strings (`"a\0b\0"`).
        public var strings: [String]? {
            guard let value, value.last == 0 else { return nil }
            let parts = value.dropLast().split(separator: 0, omittingEmptySubsequences: false)
            let texts = parts.map { String(decoding: $0, as: UTF8.self) }
            return texts.contains(where: { $0.contains("\u{FFFD}") }) ? nil : texts
        }

        /// The value as big-endian 32-bit cells.
        public var cells: [UInt32]? {
            guard let value, value.count % 4 == 0 else { return nil }
            let bytes = [UInt8](value)
            return stride(from: 0, to: bytes.count, by: 4).map {
                UInt32(bytes[$0]) << 24 | UInt32(bytes[$0 + 1]) << 16 | UInt32(bytes[$0 + 2]) << 8 | UInt32(bytes[$0 + 3])
            }
        }

        /// One or two cells as a 64-bit number (`<hi lo>`), for sizes and offsets.
        public var number: UInt64? {
            guard let cells else { return nil }
            switch cells.count {
            case 1: return UInt64(cells[0])
            case 2: return UInt64(cells[0]) << 32 | UInt64(cells[1])
            default: return nil
            }
        }
    }

    public struct Node: Sendable, Equatable {
        public var name: String
        /// Full path, `/` for the root, `/images/kernel-1` below it.
        public var path: String
        /// Absolute file offset of the node's `FDT_BEGIN_NODE` token.
        public var offset: Int64
        public var properties: [Property]
        public var children: [Node]

        public func property(_ name: String) -> Property? { properties.first { $0.name == name } }
        public func child(_ name: String) -> Node? { children.first { $0.name == name } }
    }

    /// Values up to this size are read into memory; larger ones (image data) only by range.
    public static let inlineValueLimit = 64 * 1024
    /// Devicetree limits: libfdt's `FDT_MAX_DEPTH` is 64.
    public static let maxDepth = 64
    public static let maxNodes = 100_000
    public static let maxProperties = 1_000_000
    public static let maxNameLength = 1024
    /// The strings block is read whole; real ones are a few hundred bytes.
    public static let maxStringsSize = 1 << 20

    public static let magic: UInt32 = 0xd00d_feed
    static let tokenBeginNode: UInt32 = 1
    static let tokenEndNode: UInt32 = 2
    static let tokenProperty: UInt32 = 3
    static let tokenNop: UInt32 = 4
    static let tokenEnd: UInt32 = 9

    public var header: Header
    /// Absolute offset of the blob in the source (0 for a FIT).
    public var base: Int64
    /// The reservation map (address, size) pairs, without the terminating (0, 0).
    public var reservations: [(address: UInt64, size: UInt64)]
    public var root: Node
    public var tokens: [Token]

    /// Absolute file offsets of the two blocks.
    public var structStart: Int64 { base + Int64(header.structOffset) }
    public var stringsStart: Int64 { base + Int64(header.stringsOffset) }
    /// Where the blob ends in the file.
    public var end: Int64 { base + Int64(header.totalSize) }

    /// The node at a path (`/images/kernel-1`), or nil.
    public func node(at path: String) -> Node? {
        guard path.hasPrefix("/") else { return nil }
        var node = root
        for part in path.split(separator: "/") {
            guard let child = node.child(String(part)) else { return nil }
            node = child
        }
        return node
    }

    public static func == (lhs: FDT, rhs: FDT) -> Bool {
        lhs.header == rhs.header && lhs.base == rhs.base && lhs.root == rhs.root && lhs.tokens == rhs.tokens
            && lhs.reservations.map(\.address) == rhs.reservations.map(\.address)
            && lhs.reservations.map(\.size) == rhs.reservations.map(\.size)
    }
}
