import FirmwareCrypto
import Foundation

/// The parts of a PE/COFF image (Microsoft "PE Format") that Authenticode depends on, read with
/// every offset and size checked against the file before use.
public struct PEImage: Sendable, Codable {
    init(
        kind: String, machine: UInt16, timeDateStamp: UInt32, subsystem: UInt16, sizeOfHeaders: Int64, storedChecksum: UInt32, sections: [Section],
        certificateTable: Range<Int64>?, certificates: [WinCertificate], checksumOffset: Int64, securityDirectoryOffset: Int64?
    ) {
        self.kind = kind
        self.machine = machine
        self.timeDateStamp = timeDateStamp
        self.subsystem = subsystem
        self.sizeOfHeaders = sizeOfHeaders
        self.storedChecksum = storedChecksum
        self.sections = sections
        self.certificateTable = certificateTable
        self.certificates = certificates
        self.checksumOffset = checksumOffset
        self.securityDirectoryOffset = securityDirectoryOffset
    }

    /// "PE32" or "PE32+".
    public var kind: String
    public var machine: UInt16
    public var timeDateStamp: UInt32
    public var subsystem: UInt16
    public var sizeOfHeaders: Int64
    /// The optional header's CheckSum (0: none stored).
    public var storedChecksum: UInt32
    public var sections: [Section]
    /// The certificate table (the security data directory: a file offset and size), when present.
    public var certificateTable: Range<Int64>?
    /// The WIN_CERTIFICATE entries of the certificate table.
    public var certificates: [WinCertificate]

    /// Where the CheckSum field lies (excluded from the Authenticode digest).
    var checksumOffset: Int64
    /// Where the security directory entry lies (excluded), when the header has one.
    var securityDirectoryOffset: Int64?

    public struct Section: Sendable, Codable, Hashable {
        public var name: String
        public var virtualAddress: UInt32
        public var virtualSize: UInt32
        public var rawOffset: Int64
        public var rawSize: Int64
    }

    /// One WIN_CERTIFICATE (dwLength, wRevision, wCertificateType, bCertificate).
    public struct WinCertificate: Sendable, Codable, Hashable {
        public var offset: Int64
        public var length: Int64
        public var revision: UInt16
        public var type: UInt16
        /// WIN_CERT_REVISION_2_0 and WIN_CERT_TYPE_PKCS_SIGNED_DATA: the only kind Authenticode uses.
        public var isPKCS7: Bool { revision == 0x0200 && type == 0x0002 }
        /// bCertificate: the bytes after the 8-byte header.
        var contentRange: Range<Int64> { (offset + 8)..<(offset + length) }
    }

    enum CodingKeys: String, CodingKey { case kind, machine, subsystem, timeDateStamp, sizeOfHeaders, storedChecksum, sections, certificateTable }
    enum TableKeys: String, CodingKey { case offset, size }

    /// What inspect shows: names for the machine and subsystem, the checksum in hex, the table
    /// as offset and size (its entries are the description's signatures).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(machineName, forKey: .machine)
        try container.encode(subsystemName, forKey: .subsystem)
        try container.encode(timeDateStamp, forKey: .timeDateStamp)
        try container.encode(sizeOfHeaders, forKey: .sizeOfHeaders)
        try container.encode(String(format: "0x%08x", storedChecksum), forKey: .storedChecksum)
        try container.encode(sections, forKey: .sections)
        if let table = certificateTable {
            var nested = container.nestedContainer(keyedBy: TableKeys.self, forKey: .certificateTable)
            try nested.encode(table.lowerBound, forKey: .offset)
            try nested.encode(table.count, forKey: .size)
        }
    }

    public init(from decoder: any Decoder) throws {
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a PE image is described by parsing, not decoded"))
    }

    static let maxSections = 96
    static let maxCertificates = 8
    /// The largest certificate table read (Windows caps a signature far lower).
    static let maxCertificateTable: Int64 = 16 << 20

    /// The machine type in words.
    public var machineName: String {
        switch machine {
        case 0x014c: "x86 (0x14c)"
        case 0x8664: "x86-64 (0x8664)"
        case 0xaa64: "ARM64 (0xaa64)"
        case 0x01c4: "ARM Thumb-2 (0x1c4)"
        case 0x5064: "RISC-V 64 (0x5064)"
        case 0x0ebc: "EFI byte code (0xebc)"
        default: "0x" + String(machine, radix: 16)
        }
    }

    /// The subsystem in words.
    public var subsystemName: String {
        switch subsystem {
        case 1: "native (1)"
        case 2: "Windows GUI (2)"
        case 3: "Windows console (3)"
        case 10: "EFI application (10)"
        case 11: "EFI boot-service driver (11)"
        case 12: "EFI runtime driver (12)"
        case 13: "EFI ROM (13)"
        default: String(subsystem)
        }
    }

    /// "MZ" at 0 and "PE\0\0" where e_lfanew points.
    static func sniff(_ source: any ByteSource) -> Bool {
        guard source.count >= 0x40 + 24, (try? source.bytes(at: 0, length: 2)) == Data("MZ".utf8),
            let pointer = try? source.bytes(at: 0x3c, length: 4)
        else { return false }
        let offset = Int64(pointer.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian)
        return offset + 4 <= source.count && (try? source.bytes(at: offset, length: 4)) == Data([0x50, 0x45, 0, 0])
    }

    /// Reads the headers, the section table and the certificate table's entries.
    ///
    /// - Throws: `MalformedInput` naming the field: a wrong magic, a header, section or
    ///   certificate table past the end of the file, sizes that overlap or do not add up.
    public static func parse(_ source: any ByteSource) throws(MalformedInput) -> PEImage {
        var reader = ByteReader(source)
        guard source.count >= 0x40 else { throw MalformedInput(.malformedTruncated, at: 0, "\(source.count) bytes is too short for an MS-DOS header (64)") }
        guard try reader.take(2, what: "MS-DOS magic") == Data("MZ".utf8) else {
            throw MalformedInput(.malformedBadMagic, at: 0, "a PE image starts with 'MZ'")
        }
        try reader.seek(to: 0x3c, what: "e_lfanew")
        let peOffset = Int64(try reader.u32le("e_lfanew"))
        guard peOffset >= 4, peOffset + 24 <= source.count else {
            throw MalformedInput(.malformedTruncated, at: 0x3c, "e_lfanew points to \(peOffset); the PE and COFF headers (24 bytes) do not fit a file of \(source.count) bytes")
        }
        try reader.seek(to: peOffset, what: "PE signature")
        guard try reader.take(4, what: "PE signature") == Data([0x50, 0x45, 0, 0]) else {
            throw MalformedInput(.malformedBadMagic, at: peOffset, "no 'PE\\0\\0' signature where e_lfanew points (\(peOffset))")
        }
        let machine = try reader.u16le("Machine")
        let sectionCount = Int(try reader.u16le("NumberOfSections"))
        let timeDateStamp = try reader.u32le("TimeDateStamp")
        try reader.skip(8, what: "symbol table pointer and count")
        let optionalSize = Int64(try reader.u16le("SizeOfOptionalHeader"))
        try reader.skip(2, what: "Characteristics")
        guard sectionCount <= maxSections else {
            throw MalformedInput(.malformedLength, at: peOffset + 6, "NumberOfSections is \(sectionCount); a PE image has at most \(maxSections)")
        }
        let optionalStart = peOffset + 24
        guard optionalStart + optionalSize <= source.count else {
            throw MalformedInput(.malformedTruncated, at: peOffset + 20, "the optional header (\(optionalSize) bytes at \(optionalStart)) runs past the end of the file (\(source.count) bytes)")
        }
        var optional = try reader.slice(optionalSize, what: "optional header")
        let magic = try optional.u16le("optional header magic")
        let isPlus: Bool
        switch magic {
        case 0x10b: isPlus = false
        case 0x20b: isPlus = true
        default: throw MalformedInput(.malformedBadMagic, at: optionalStart, "optional header magic 0x\(String(magic, radix: 16)) is neither PE32 (0x10b) nor PE32+ (0x20b)")
        }
        let directoriesAt: Int64 = isPlus ? 112 : 96
        guard optionalSize >= directoriesAt else {
            throw MalformedInput(.malformedLength, at: peOffset + 20, "SizeOfOptionalHeader \(optionalSize) is shorter than a \(isPlus ? "PE32+" : "PE32") optional header (\(directoriesAt) bytes before the data directories)")
        }
        try optional.seek(to: optionalStart + 60, what: "SizeOfHeaders")
        let sizeOfHeaders = Int64(try optional.u32le("SizeOfHeaders"))
        let storedChecksum = try optional.u32le("CheckSum")
        let subsystem = try optional.u16le("Subsystem")
        try optional.seek(to: optionalStart + directoriesAt - 4, what: "NumberOfRvaAndSizes")
        let directoryCount = Int64(try optional.u32le("NumberOfRvaAndSizes"))
        guard directoryCount <= 16, directoriesAt + 8 * directoryCount <= optionalSize else {
            throw MalformedInput(
                .malformedLength, at: optionalStart + directoriesAt - 4,
                "NumberOfRvaAndSizes is \(directoryCount); at most 16 directories, and they must fit SizeOfOptionalHeader (\(optionalSize))")
        }
        var securityDirectoryOffset: Int64?
        var certificateTable: Range<Int64>?
        if directoryCount > 4 {
            let entry = optionalStart + directoriesAt + 4 * 8
            securityDirectoryOffset = entry
            try optional.seek(to: entry, what: "security directory")
            let address = Int64(try optional.u32le("certificate table offset"))
            let size = Int64(try optional.u32le("certificate table size"))
            if address != 0 || size != 0 {
                guard address != 0, size >= 8 else {
                    throw MalformedInput(.malformedLength, at: entry, "the security directory gives a certificate table of \(size) bytes at \(address)")
                }
                guard address + size <= source.count else {
                    throw MalformedInput(.malformedTruncated, at: entry, "the certificate table (\(size) bytes at \(address)) runs past the end of the file (\(source.count) bytes)")
                }
                guard size <= maxCertificateTable else {
                    throw MalformedInput(.malformedLength, at: entry, "a certificate table of \(size) bytes is larger than fwgate reads (\(maxCertificateTable))")
                }
                certificateTable = address..<(address + size)
            }
        }

        let sectionTable = optionalStart + optionalSize
        guard sectionTable + 40 * Int64(sectionCount) <= source.count else {
            throw MalformedInput(.malformedTruncated, at: sectionTable, "the section table (\(sectionCount) × 40 bytes at \(sectionTable)) runs past the end of the file")
        }
        guard sizeOfHeaders >= sectionTable + 40 * Int64(sectionCount), sizeOfHeaders <= source.count else {
            throw MalformedInput(
                .malformedLength, at: optionalStart + 60,
                "SizeOfHeaders is \(sizeOfHeaders); the headers and section table end at \(sectionTable + 40 * Int64(sectionCount)) and the file has \(source.count) bytes")
        }
        try reader.seek(to: sectionTable, what: "section table")
        var sections: [Section] = []
        for index in 0..<sectionCount {
            let at = sectionTable + 40 * Int64(index)
            let rawName = try reader.take(8, what: "section name")
            let name = String(decoding: rawName.prefix { $0 != 0 }, as: UTF8.self)
            let virtualSize = try reader.u32le("VirtualSize")
            let virtualAddress = try reader.u32le("VirtualAddress")
            let rawSize = Int64(try reader.u32le("SizeOfRawData"))
            let rawOffset = Int64(try reader.u32le("PointerToRawData"))
            try reader.skip(16, what: "section relocations, line numbers and characteristics")
            if rawSize > 0 {
                guard rawOffset + rawSize <= source.count else {
                    throw MalformedInput(
                        .malformedTruncated, at: at + 16,
                        "section \(index + 1) '\(name)': its raw data (\(rawSize) bytes at \(rawOffset)) runs past the end of the file (\(source.count) bytes)")
                }
                if let table = certificateTable, rawOffset + rawSize > table.lowerBound {
                    throw MalformedInput(
                        .malformedLength, at: at + 16,
                        "section \(index + 1) '\(name)': its raw data (\(rawSize) bytes at \(rawOffset)) overlaps the certificate table at \(table.lowerBound)")
                }
            }
            sections.append(Section(name: name, virtualAddress: virtualAddress, virtualSize: virtualSize, rawOffset: rawOffset, rawSize: rawSize))
        }
        if let table = certificateTable, table.lowerBound < sizeOfHeaders {
            throw MalformedInput(.malformedLength, at: securityDirectoryOffset ?? 0, "the certificate table at \(table.lowerBound) overlaps the headers (SizeOfHeaders \(sizeOfHeaders))")
        }

        var certificates: [WinCertificate] = []
        if let table = certificateTable {
            var offset = table.lowerBound
            while offset < table.upperBound {
                guard certificates.count < maxCertificates else {
                    throw MalformedInput(.malformedLength, at: offset, "more than \(maxCertificates) WIN_CERTIFICATE entries")
                }
                guard table.upperBound - offset >= 8 else {
                    throw MalformedInput(.malformedTruncated, at: offset, "\(table.upperBound - offset) bytes left in the certificate table, too few for a WIN_CERTIFICATE header (8)")
                }
                try reader.seek(to: offset, what: "WIN_CERTIFICATE")
                let length = Int64(try reader.u32le("dwLength"))
                let revision = try reader.u16le("wRevision")
                let type = try reader.u16le("wCertificateType")
                guard length > 8, offset + length <= table.upperBound else {
                    throw MalformedInput(
                        .malformedLength, at: offset,
                        "WIN_CERTIFICATE \(certificates.count + 1): dwLength \(length) does not fit the certificate table (\(table.upperBound - offset) bytes left)")
                }
                certificates.append(WinCertificate(offset: offset, length: length, revision: revision, type: type))
                // Entries are 8-byte aligned (the padding belongs to the one before).
                offset += (length + 7) & ~7
            }
        }
        return PEImage(
            kind: isPlus ? "PE32+" : "PE32", machine: machine, timeDateStamp: timeDateStamp, subsystem: subsystem, sizeOfHeaders: sizeOfHeaders,
            storedChecksum: storedChecksum, sections: sections, certificateTable: certificateTable, certificates: certificates,
            checksumOffset: optionalStart + 64, securityDirectoryOffset: securityDirectoryOffset)
    }

    /// The ranges the Authenticode digest covers, in order: the whole file up to the certificate
    /// table (or the end), except the CheckSum field and the security directory entry. Every
    /// other byte is covered (osslsigncode and Windows hash the file this way), so bytes in gaps
    /// between sections cannot be changed unnoticed.
    func digestRanges(fileSize: Int64) -> [Range<Int64>] {
        let end = certificateTable?.lowerBound ?? fileSize
        var holes: [Range<Int64>] = [checksumOffset..<(checksumOffset + 4)]
        if let entry = securityDirectoryOffset { holes.append(entry..<(entry + 8)) }
        var ranges: [Range<Int64>] = []
        var start: Int64 = 0
        for hole in holes.sorted(by: { $0.lowerBound < $1.lowerBound }) where hole.lowerBound >= start {
            ranges.append(start..<min(hole.lowerBound, end))
            start = hole.upperBound
        }
        if start < end { ranges.append(start..<end) }
        return ranges.filter { !$0.isEmpty }
    }
}

/// The PE image checksum (imagehlp's CheckSumMappedFile): the 16-bit little-endian words of the
/// file, CheckSum field as zero, added with end-around carry, plus the file's length.
struct PEChecksum {
    private var sum: UInt64 = 0
    private var position: Int64 = 0
    private var pendingLow: UInt8?
    let checksumOffset: Int64

    init(checksumOffset: Int64) { self.checksumOffset = checksumOffset }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        for byte in bytes {
            let value = (position >= checksumOffset && position < checksumOffset + 4) ? 0 : byte
            if let low = pendingLow {
                sum &+= UInt64(low) | UInt64(value) << 8
                pendingLow = nil
            } else {
                pendingLow = value
            }
            position += 1
        }
    }

    func finalize() -> UInt32 {
        var total = sum
        if let low = pendingLow { total &+= UInt64(low) }
        while total >> 16 != 0 { total = (total & 0xffff) + (total >> 16) }
        return UInt32(truncatingIfNeeded: total &+ UInt64(position))
    }
}
