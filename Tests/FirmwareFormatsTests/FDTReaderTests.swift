@testable import FirmwareFormats
import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

/// The FDT reader against device trees dtc made, and hand-made hostile headers.
@Suite struct FDTReaderTests {
    @Test func readsWhatDtcWrote() throws {
        let fdt = try FDT.parse(try FileByteSource(path: try TestVectors.path("fit/payloads/board.dtb")))
        #expect(fdt.root.property("model")?.string == "fwgate test board")
        #expect(fdt.root.property("compatible")?.strings == ["fwgate,test-board"])
        let memory = try #require(fdt.node(at: "/memory@80000000"))
        #expect(memory.property("reg")?.cells == [0x8000_0000, 0x1000_0000])
        #expect(fdt.header.version == 17)
        #expect(fdt.tokens.last?.kind == .end)
        #expect(fdt.tokens.last?.next == Int64(fdt.header.structSize))
    }

    /// A minimal valid header around an empty root, for the hostile variants below.
    static func blob(structTokens: [UInt32], strings: [UInt8] = [], patch: (inout [UInt8]) -> Void = { _ in }) -> Data {
        var structure: [UInt8] = []
        for token in structTokens { structure += [UInt8(token >> 24), UInt8(token >> 16 & 0xff), UInt8(token >> 8 & 0xff), UInt8(token & 0xff)] }
        let rsvmap = 40
        let structOffset = rsvmap + 16
        let stringsOffset = structOffset + structure.count
        let total = stringsOffset + strings.count
        func be(_ value: Int) -> [UInt8] { [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)] }
        var bytes = be(0xd00d_feed) + be(total) + be(structOffset) + be(stringsOffset) + be(rsvmap) + be(17) + be(16) + be(0) + be(strings.count)
            + be(structure.count)
        bytes += [UInt8](repeating: 0, count: 16) + structure + strings
        patch(&bytes)
        return Data(bytes)
    }

    @Test func minimalTreeParses() throws {
        let fdt = try FDT.parse(MemoryByteSource(Self.blob(structTokens: [1, 0, 2, 9])))
        #expect(fdt.root.path == "/" && fdt.root.children.isEmpty)
    }

    /// Each hostile header or structure gives the named code, never a crash or a hang.
    @Test(arguments: [
        ("totalsize past the file", [UInt32](), { (b: inout [UInt8]) in b[7] = 0xff } as @Sendable (inout [UInt8]) -> Void, CheckCode.malformedTruncated),
        ("struct block outside the blob", [1, 0, 2, 9], { b in b[11] = 0xf0 }, .malformedFDTStructure),
        ("no FDT_END", [1, 0, 2, 2], { _ in }, .malformedFDTStructure),
        ("unknown token", [1, 0, 7, 2, 9], { _ in }, .malformedFDTStructure),
        ("property name outside strings", [1, 0, 3, 0, 99, 2, 9], { _ in }, .malformedFDTStructure),
        ("property length past the block", [1, 0, 3, 0x7fff_ffff, 0, 2, 9], { _ in }, .malformedFDTStructure),
        ("second root", [1, 0, 2, 1, 0, 2, 9], { _ in }, .malformedFDTStructure),
        ("version 99", [1, 0, 2, 9], { b in b[27] = 99 }, .malformedFDTStructure),
    ] as [(String, [UInt32], @Sendable (inout [UInt8]) -> Void, CheckCode)])
    func hostileTreesAreMalformed(_ name: String, _ tokens: [UInt32], _ patch: @Sendable (inout [UInt8]) -> Void, _ code: CheckCode) {
        let data = Self.blob(structTokens: tokens.isEmpty ? [1, 0, 2, 9] : tokens, strings: [0x61, 0], patch: patch)
        do {
            _ = try FDT.parse(MemoryByteSource(data))
            Issue.record("\(name): parsed")
        } catch {
            #expect(error.code == code, "\(name): \(error.message)")
        }
    }

    /// Nesting deeper than 64 levels is refused, without recursion running away.
    @Test func depthIsLimited() {
        var tokens: [UInt32] = [1, 0]
        for _ in 0..<70 { tokens += [1, 0x6100_0000] }  // "a\0" padded
        tokens += [UInt32](repeating: 2, count: 71) + [9]
        #expect(throws: MalformedInput.self) { try FDT.parse(MemoryByteSource(Self.blob(structTokens: tokens))) }
    }
}
