import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `testvectors/uimage/expected.json`: legacy images made by mkimage (u-boot-tools) and their
/// tampered twins, through the production session.
@Suite struct UImageVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("uimage")
        #expect(vectors.count == 23)
        #expect(vectors.contains { $0.verdict == "warn" })
        #expect(!vectors.contains { $0.verdict == "pass" }, "an unsigned format never passes")
    }

    @Test(arguments: FormatVectorSuite.vectors("uimage"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .uimage)
        #expect(report.signed == false)
    }

    /// What `inspect` shows of the multi-file image, against the sizes generate.py gave mkimage.
    @Test func multiFileDescription() throws {
        let source = try FileByteSource(path: try TestVectors.path("uimage/multi.uimg"))
        let description = try UImageFormat.parse(source)
        #expect(description.name == "fwgate multi")
        #expect(description.type == "multi" && description.os == "linux" && description.architecture == "arm")
        #expect(description.compression == "none")
        #expect(description.loadAddress == "0x80008000" && description.entryPoint == "0x80008000")
        #expect(description.created == "2026-01-01T00:00:00Z")  // SOURCE_DATE_EPOCH in generate.py
        let tableEnd: Int64 = 64 + 4 * 4
        #expect(
            description.subImages == [
                .init(index: 0, offset: tableEnd, size: 16387),
                .init(index: 1, offset: tableEnd + 16388, size: 5001),
                .init(index: 2, offset: tableEnd + 16388 + 5004, size: 1025),
            ])
        #expect(description.dataRange == 64..<(tableEnd + 16388 + 5004 + 1025))
        #expect(description.trailingBytes == nil)
    }

    /// The sub-images are the payloads mkimage was given, byte for byte.
    @Test func subImagesAreThePayloads() throws {
        let source = try FileByteSource(path: try TestVectors.path("uimage/multi.uimg"))
        let description = try UImageFormat.parse(source)
        let payloads = ["kernel.bin", "ramdisk.bin", "board.dtb"]
        for (sub, name) in zip(try #require(description.subImages), payloads) {
            let expected = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("uimage/payloads/\(name)")))
            #expect(try source.bytes(at: sub.offset, length: Int(sub.size)) == expected, "\(name)")
        }
    }

    /// Header fields are read big-endian, and a name with control bytes is escaped.
    @Test func headerFieldsAndEscapedName() throws {
        var header = Data(count: 64)
        header.replaceSubrange(0..<4, with: [0x27, 0x05, 0x19, 0x56])
        header.replaceSubrange(16..<20, with: [0x12, 0x34, 0x56, 0x78])
        header[28] = 5; header[29] = 22; header[30] = 2; header[31] = 6
        header.replaceSubrange(32..<36, with: [0x41, 0x0a, 0x5c, 0x42])
        let description = try UImageFormat.parse(MemoryByteSource(header))
        #expect(description.loadAddress == "0x12345678")
        #expect(description.os == "linux" && description.architecture == "arm64" && description.type == "kernel")
        #expect(description.compression == "zstd")
        #expect(description.name == "A\\x0a\\x5cB")
        header[31] = 99
        #expect(try UImageFormat.parse(MemoryByteSource(header)).compression == "unknown (99)")
    }

    /// Every prefix of a valid image fails to parse with malformed.truncated, never a crash.
    @Test func everyTruncationIsMalformed() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("uimage/script.uimg")))
        for length in stride(from: 4, to: data.count, by: 7) {
            #expect(throws: MalformedInput.self) { try UImageFormat.parse(MemoryByteSource(data.prefix(length))) }
        }
        #expect(throws: Never.self) { try UImageFormat.parse(MemoryByteSource(data)) }
    }
}
