import FirmwareCrypto
import Foundation

/// Parses a U-Boot legacy image: the 64-byte header and, for multi-file images and scripts,
/// the size table. Pure: bytes in, description out; no CRC is computed here (the verifier does).
enum UImageParser {
    /// - Throws: `malformed.truncated` when the file ends inside the header or before the data
    ///   `ih_size` declares (at the start of the range that runs past the end);
    ///   `malformed.bad-magic` at 0; `malformed.length` at the size-table entry that places a
    ///   sub-image past the data.
    static func parse(_ source: any ByteSource) throws(MalformedInput) -> UImageDescription {
        var reader = ByteReader(source)
        let magic = try reader.u32be("uImage header ih_magic")
        guard magic == UImageConstants.magic else {
            throw MalformedInput(
                .malformedBadMagic, at: 0,
                "ih_magic is \(magic.hex(digits: 8)), not U-Boot's \(UImageConstants.magic.hex(digits: 8)): not a legacy uImage")
        }
        // The whole header must be there before any field is used.
        guard source.count >= UImageConstants.headerLength else {
            throw MalformedInput(
                .malformedTruncated, at: 0,
                "uImage header: needs \(UImageConstants.headerLength) bytes at offset 0x0, only \(source.count) remain")
        }
        let headerCRC = try reader.u32be("ih_hcrc")
        let created = try reader.u32be("ih_time")
        let size = try reader.u32be("ih_size")
        let load = try reader.u32be("ih_load")
        let entry = try reader.u32be("ih_ep")
        let dataCRC = try reader.u32be("ih_dcrc")
        let os = try reader.u8("ih_os")
        let arch = try reader.u8("ih_arch")
        let type = try reader.u8("ih_type")
        let comp = try reader.u8("ih_comp")
        let name = Self.name([UInt8](try reader.take(UImageConstants.nameLength, what: "ih_name")))

        let dataStart = UImageConstants.headerLength
        let dataEnd = dataStart + Int64(size)
        guard dataEnd <= source.count else {
            throw MalformedInput(
                .malformedTruncated, at: dataStart,
                "ih_size declares \(size) bytes of data at 0x40, but only \(source.count - dataStart) remain: the image is cut short")
        }
        var subImages: [UImageDescription.SubImage]?
        if type == UImageConstants.multiType || type == UImageConstants.scriptType {
            subImages = try sizeTable(source, data: dataStart..<dataEnd, type: type)
        }
        return UImageDescription(
            fileSize: source.count, name: name, storedHeaderCRC: headerCRC, created: created, dataSize: size, loadAddress: load,
            entryPoint: entry, storedDataCRC: dataCRC, os: os, architecture: arch, type: type, compression: comp,
            subImages: subImages)
    }

    /// `image_multi_getimg`: big-endian sizes up to a 0, then the sub-images, each but the last
    /// rounded up to 4 bytes. Every sub-image must lie inside the data.
    static func sizeTable(_ source: any ByteSource, data: Range<Int64>, type: UInt8) throws(MalformedInput) -> [UImageDescription.SubImage] {
        let kind = type == UImageConstants.multiType ? "multi-file image" : "script"
        var table = ByteReader(source, range: data)
        var sizes: [(offset: Int64, size: UInt32)] = []
        var declared: Int64 = 0
        while true {
            let offset = table.offset
            let size = try table.u32be("\(kind) size table entry \(sizes.count)")
            if size == 0 { break }
            // A lower bound of what the table declares so far: its entries, the terminator and
            // the sizes (without padding). Past the data, this entry is wrong: stop here rather
            // than read on through the sub-images' bytes.
            declared += Int64(size)
            let tableEnd = offset + 8
            guard tableEnd + declared <= data.upperBound else {
                throw MalformedInput(
                    .malformedLength, at: offset,
                    "\(kind) size table entry \(sizes.count) declares \(size) bytes: with the entries before it, more than the \(data.count)-byte data holds")
            }
            guard sizes.count < UImageConstants.maxSubImages else {
                throw MalformedInput(
                    .malformedLength, at: offset,
                    "\(kind) size table has more than \(UImageConstants.maxSubImages) entries without the terminating 0")
            }
            sizes.append((offset, size))
        }
        var subImages: [UImageDescription.SubImage] = []
        var cursor = table.offset
        for (index, entry) in sizes.enumerated() {
            let end = cursor + Int64(entry.size)
            guard end <= data.upperBound else {
                throw MalformedInput(
                    .malformedLength, at: entry.offset,
                    "\(kind) sub-image \(index) declares \(entry.size) bytes at \(cursor.hex), past the end of the data at \(data.upperBound.hex)")
            }
            subImages.append(UImageDescription.SubImage(index: index, offset: cursor, size: entry.size))
            cursor = end
            if index < sizes.count - 1 { cursor = (cursor + 3) & ~3 }
        }
        return subImages
    }

    /// `ih_name` up to the first NUL; bytes outside printable ASCII as `\xNN`.
    static func name(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes.prefix(while: { $0 != 0 }) {
            if byte >= 0x20 && byte < 0x7f && byte != UInt8(ascii: "\\") {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16).leftPadded(2)
            }
        }
        return text
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: Swift.max(0, width - count)) + self }
}
