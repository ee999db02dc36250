import FirmwareCrypto
import Foundation

extension FDT {
    /// Parses the blob at `base` of `source`.
    ///
    /// - Throws: `malformed.bad-magic` (at the magic), `malformed.truncated` (where the range
    ///   that runs past the file starts) and `malformed.fdt-structure` (at the offending field
    ///   or token) for anything inconsistent.
    public static func parse(_ source: any ByteSource, at base: Int64 = 0) throws(MalformedInput) -> FDT {
        var reader = ByteReader(source, range: base..<source.count)
        let magic = try reader.u32be("FDT header magic")
        guard magic == Self.magic else {
            throw MalformedInput(.malformedBadMagic, at: base, "FDT magic is \(magic.hex(digits: 8)), not \(Self.magic.hex(digits: 8))")
        }
        guard source.count - base >= 40 else {
            throw MalformedInput(.malformedTruncated, at: base, "FDT header: needs 40 bytes at \(base.hex), only \(source.count - base) remain")
        }
        let header = Header(
            totalSize: try reader.u32be("totalsize"), structOffset: try reader.u32be("off_dt_struct"),
            stringsOffset: try reader.u32be("off_dt_strings"), reservationOffset: try reader.u32be("off_mem_rsvmap"),
            version: try reader.u32be("version"), lastCompatibleVersion: try reader.u32be("last_comp_version"),
            bootCPU: try reader.u32be("boot_cpuid_phys"), stringsSize: try reader.u32be("size_dt_strings"),
            structSize: try reader.u32be("size_dt_struct"))
        try checkHeader(header, base: base, fileSize: source.count)
        let reservations = try reservationMap(source, header: header, base: base)
        let stringsStart = base + Int64(header.stringsOffset)
        var stringsBlock = ByteReader(source, range: stringsStart..<(stringsStart + Int64(header.stringsSize)))
        let strings = try stringsBlock.take(Int(header.stringsSize), what: "FDT strings block")
        var walker = StructureWalker(source: source, header: header, base: base, strings: [UInt8](strings))
        let (root, tokens) = try walker.walk()
        return FDT(header: header, base: base, reservations: reservations, root: root, tokens: tokens)
    }

    /// Spec 5.2: every block inside `totalsize`, `totalsize` inside the file, blocks aligned,
    /// version 16 or 17 readable.
    static func checkHeader(_ header: Header, base: Int64, fileSize: Int64) throws(MalformedInput) {
        func fail(_ field: Int64, _ message: String) -> MalformedInput {
            MalformedInput(.malformedFDTStructure, at: base + field, message)
        }
        let total = Int64(header.totalSize)
        guard total >= 40 else { throw fail(4, "FDT totalsize \(total) is smaller than its own header") }
        guard base + total <= fileSize else {
            throw MalformedInput(
                .malformedTruncated, at: base, "FDT totalsize declares \(total) bytes at \(base.hex), only \(fileSize - base) remain")
        }
        guard header.lastCompatibleVersion <= 17, header.version >= 16 else {
            throw fail(20, "FDT version \(header.version) (last compatible \(header.lastCompatibleVersion)): only versions 16 and 17 are defined")
        }
        let blocks: [(String, Int64, UInt32, Int64, Int64)] = [
            ("structure block (off_dt_struct, size_dt_struct)", Int64(header.structOffset), header.structSize, 8, 36),
            ("strings block (off_dt_strings, size_dt_strings)", Int64(header.stringsOffset), header.stringsSize, 12, 32),
        ]
        for (what, offset, size, field, _) in blocks {
            guard offset >= 40, offset + Int64(size) <= total else {
                throw fail(field, "FDT \(what) at \(offset.hex) + \(size) lies outside the \(total)-byte blob")
            }
        }
        guard header.structOffset % 4 == 0, header.structSize % 4 == 0 else {
            throw fail(8, "FDT structure block at \(Int64(header.structOffset).hex) (size \(header.structSize)) is not 4-byte aligned")
        }
        guard Int(header.stringsSize) <= FDT.maxStringsSize else {
            throw fail(32, "FDT strings block of \(header.stringsSize) bytes exceeds fwgate's limit of \(FDT.maxStringsSize)")
        }
        let reservation = Int64(header.reservationOffset)
        guard reservation >= 40, reservation % 8 == 0, reservation + 16 <= total else {
            throw fail(16, "FDT reservation map at \(reservation.hex) is misaligned or outside the \(total)-byte blob")
        }
    }

    /// Spec 5.3: (address, size) pairs of big-endian u64 ending with (0, 0), inside the blob.
    static func reservationMap(_ source: any ByteSource, header: Header, base: Int64) throws(MalformedInput) -> [(address: UInt64, size: UInt64)] {
        var reader = ByteReader(source, range: (base + Int64(header.reservationOffset))..<(base + Int64(header.totalSize)))
        var entries: [(address: UInt64, size: UInt64)] = []
        while true {
            let offset = reader.offset
            guard reader.remaining >= 16 else {
                throw MalformedInput(.malformedFDTStructure, at: offset, "FDT reservation map runs to the end of the blob without its (0, 0) terminator")
            }
            let address = try reader.u64be("reservation address")
            let size = try reader.u64be("reservation size")
            if address == 0 && size == 0 { return entries }
            entries.append((address, size))
        }
    }
}

/// Walks the structure block (spec 5.4).
struct StructureWalker {
    let source: any ByteSource
    let header: FDT.Header
    let base: Int64
    let strings: [UInt8]
    var reader: ByteReader
    var tokens: [FDT.Token] = []
    var nodeCount = 0
    var propertyCount = 0

    init(source: any ByteSource, header: FDT.Header, base: Int64, strings: [UInt8]) {
        self.source = source
        self.header = header
        self.base = base
        self.strings = strings
        let start = base + Int64(header.structOffset)
        reader = ByteReader(source, range: start..<(start + Int64(header.structSize)))
    }

    var structStart: Int64 { base + Int64(header.structOffset) }

    func fail(_ offset: Int64, _ message: String) -> MalformedInput {
        MalformedInput(.malformedFDTStructure, at: offset, message)
    }

    /// The tree and the token list. Exactly one root node, then `FDT_END` as the block's
    /// last token (libfdt's `fdt_find_regions` refuses anything after it).
    mutating func walk() throws(MalformedInput) -> (FDT.Node, [FDT.Token]) {
        var root: FDT.Node?
        while true {
            let offset = reader.offset
            let token = try nextToken()
            switch token {
            case FDT.tokenNop:
                record(.nop, offset)
            case FDT.tokenBeginNode:
                guard root == nil else { throw fail(offset, "FDT has a second top-level node at \(offset.hex): only one root is allowed") }
                root = try node(at: offset, parentPath: nil, depth: 0)
            case FDT.tokenEnd:
                guard let root else { throw fail(offset, "FDT structure block ends before any node") }
                record(.end, offset)
                guard reader.isAtEnd else {
                    throw fail(reader.offset, "FDT structure block continues \(reader.remaining) byte(s) past FDT_END")
                }
                return (root, tokens)
            default:
                throw fail(offset, "FDT token \(token.hex(digits: 8)) at \(offset.hex) is not valid outside a node")
            }
        }
    }

    mutating func nextToken() throws(MalformedInput) -> UInt32 {
        guard reader.remaining >= 4 else {
            throw fail(reader.offset, "FDT structure block ends at \(reader.end.hex) without FDT_END")
        }
        return try reader.u32be("FDT token")
    }

    mutating func record(_ kind: FDT.Token.Kind, _ offset: Int64) {
        tokens.append(FDT.Token(kind: kind, offset: offset - structStart, next: reader.offset - structStart))
    }

    /// Reads one node after its `FDT_BEGIN_NODE` token (at `offset`), through its
    /// `FDT_END_NODE`.
    mutating func node(at offset: Int64, parentPath: String?, depth: Int) throws(MalformedInput) -> FDT.Node {
        guard depth < FDT.maxDepth else { throw fail(offset, "FDT nodes nest deeper than \(FDT.maxDepth) levels") }
        nodeCount += 1
        guard nodeCount <= FDT.maxNodes else { throw fail(offset, "FDT has more than \(FDT.maxNodes) nodes") }
        let name = try nodeName(at: offset)
        guard (parentPath == nil) == name.isEmpty else {
            throw fail(offset, parentPath == nil ? "the FDT root node is named '\(name)': it must have an empty name" : "FDT node at \(offset.hex) under \(parentPath ?? "/") has an empty name")
        }
        let path = parentPath.map { $0 == "/" ? "/" + name : $0 + "/" + name } ?? "/"
        record(.beginNode(name: name), offset)
        var properties: [FDT.Property] = []
        var children: [FDT.Node] = []
        var propertyNames = Set<String>()
        var childNames = Set<String>()
        while true {
            let tokenOffset = reader.offset
            let token = try nextToken()
            switch token {
            case FDT.tokenNop:
                record(.nop, tokenOffset)
            case FDT.tokenProperty:
                guard children.isEmpty else {
                    throw fail(tokenOffset, "FDT property at \(tokenOffset.hex) in \(path) follows a subnode: properties must come first")
                }
                let property = try self.property(at: tokenOffset, in: path)
                guard propertyNames.insert(property.name).inserted else {
                    throw fail(tokenOffset, "FDT node \(path) has property '\(property.name)' twice (the second at \(tokenOffset.hex))")
                }
                properties.append(property)
            case FDT.tokenBeginNode:
                let child = try node(at: tokenOffset, parentPath: path, depth: depth + 1)
                guard childNames.insert(child.name).inserted else {
                    throw fail(tokenOffset, "FDT node \(path) has two subnodes named '\(child.name)' (the second at \(tokenOffset.hex))")
                }
                children.append(child)
            case FDT.tokenEndNode:
                record(.endNode, tokenOffset)
                return FDT.Node(name: name, path: path, offset: offset, properties: properties, children: children)
            default:
                throw fail(tokenOffset, "FDT token \(token.hex(digits: 8)) at \(tokenOffset.hex) in \(path) is not a valid token")
            }
        }
    }

    /// The NUL-terminated name after `FDT_BEGIN_NODE`, padded to 4 bytes.
    mutating func nodeName(at offset: Int64) throws(MalformedInput) -> String {
        let available = Int(min(reader.remaining, Int64(FDT.maxNameLength + 1)))
        var peek = reader  // reads ahead without moving the walker
        let bytes = [UInt8](try peek.take(available, what: "FDT node name"))
        guard let nul = bytes.firstIndex(of: 0) else {
            throw fail(reader.offset, "FDT node name at \(reader.offset.hex) has no NUL within \(available) bytes")
        }
        let name = try text(bytes[0..<nul], at: reader.offset, what: "node name")
        try reader.skip(Int64((nul + 1 + 3) & ~3), what: "FDT node name and padding")
        return name
    }

    /// `FDT_PROP`: len, nameoff, then the value padded to 4 bytes.
    mutating func property(at offset: Int64, in path: String) throws(MalformedInput) -> FDT.Property {
        propertyCount += 1
        guard propertyCount <= FDT.maxProperties else { throw fail(offset, "FDT has more than \(FDT.maxProperties) properties") }
        let length = try reader.u32be("FDT property length")
        let nameOffset = try reader.u32be("FDT property name offset")
        guard Int(nameOffset) < strings.count, let nul = strings[Int(nameOffset)...].firstIndex(of: 0) else {
            throw fail(offset + 8, "FDT property at \(offset.hex) in \(path) names string offset \(nameOffset), outside the \(strings.count)-byte strings block")
        }
        let name = try text(strings[Int(nameOffset)..<nul], at: offset + 8, what: "property name")
        let valueStart = reader.offset
        guard Int64(length) <= reader.remaining else {
            throw fail(offset + 4, "FDT property '\(name)' in \(path) declares \(length) bytes at \(valueStart.hex), past the structure block's end at \(reader.end.hex)")
        }
        var value: Data?
        if length <= FDT.inlineValueLimit {
            value = try reader.take(Int(length), what: "FDT property '\(name)'")
        } else {
            try reader.skip(Int64(length), what: "FDT property '\(name)'")
        }
        let padding = Int64((Int(length) + 3) & ~3) - Int64(length)
        try reader.skip(min(padding, reader.remaining), what: "FDT property padding")
        record(.property(name: name), offset)
        return FDT.Property(name: name, valueRange: valueStart..<(valueStart + Int64(length)), value: value)
    }

    /// Names are printable ASCII (spec 2.2.1 and 2.2.4 allow a small set of characters).
    func text(_ bytes: ArraySlice<UInt8>, at offset: Int64, what: String) throws(MalformedInput) -> String {
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw fail(offset, "FDT \(what) at \(offset.hex) contains bytes outside printable ASCII")
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
