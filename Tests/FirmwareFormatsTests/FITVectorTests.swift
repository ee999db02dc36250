import FirmwareCrypto
@testable import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// `testvectors/fit/expected.json`: FIT images made and signed by mkimage, their tampered twins
/// and the known attacks, through the production session.
@Suite struct FITVectorTests {
    @Test func expectedFileLoads() throws {
        let vectors = try FormatVectorSuite.load("fit")
        #expect(vectors.count == 33)
        #expect(vectors.filter { $0.verdict == "pass" }.count == 8)
    }

    @Test(arguments: FormatVectorSuite.vectors("fit"))
    func productionVerdictAndExactCheckCodes(_ vector: FormatVector) throws {
        let report = try FormatVectorSuite.report(vector)
        #expect(FormatVectorSuite.mismatches(vector, report) == [])
        #expect(report.format == .fit)
        if vector.verdict == "pass" {
            #expect(report.signed && report.signer?.name != nil)
        }
    }

    /// What inspect shows, against the .its source generate.py gave mkimage.
    @Test func descriptionOfThreeImages() throws {
        let description = try FITFormat.parse(try FileByteSource(path: try TestVectors.path("fit/three-images.itb")))
        #expect(description.images.map(\.name) == ["kernel-1", "fdt-1", "ramdisk-1"])
        #expect(description.defaultConfiguration == "conf-1")
        #expect(description.timestamp == "2026-01-01T00:00:00Z")
        let kernel = try #require(description.image(named: "kernel-1"))
        #expect(kernel.type == "kernel" && kernel.architecture == "arm" && kernel.os == "linux")
        #expect(kernel.loadAddress == "0x80008000" && kernel.dataSource == "embedded")
        #expect(kernel.dataRange.count == 16389)
        #expect(description.image(named: "ramdisk-1")?.hashes.map(\.algorithm) == ["crc32", "sha512"])
        let configuration = try #require(description.configuration(named: "conf-1"))
        #expect(configuration.boots)
        #expect(configuration.references.map(\.property) == ["kernel", "fdt", "ramdisk"])
        #expect(configuration.signatures.first?.algorithm == "sha256,rsa2048")
        #expect(configuration.signatures.first?.keyNameHint == "dev")
        // What mkimage says it hashed equals what fwgate derives from the configuration.
        #expect(
            configuration.signatures.first?.hashedNodes == [
                "/", "/configurations/conf-1", "/images/kernel-1", "/images/kernel-1/hash-1", "/images/fdt-1", "/images/fdt-1/hash-1",
                "/images/ramdisk-1", "/images/ramdisk-1/hash-1", "/images/ramdisk-1/hash-2",
            ])
    }

    /// The image data the description points at is the payload mkimage was given, for embedded,
    /// data-offset and data-position images alike.
    @Test(arguments: ["rsa2048.itb", "external.itb", "position.itb"])
    func dataRangesAreThePayloads(_ file: String) throws {
        let source = try FileByteSource(path: try TestVectors.path("fit/\(file)"))
        let description = try FITFormat.parse(source)
        for (name, payload) in [("kernel-1", "kernel.bin"), ("fdt-1", "board.dtb")] {
            let image = try #require(description.image(named: name))
            let expected = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("fit/payloads/\(payload)")))
            #expect(try source.bytes(at: image.dataRange.lowerBound, length: image.dataRange.count) == expected, "\(file) \(name)")
        }
        #expect(description.image(named: "kernel-1")?.dataSource == ["rsa2048.itb": "embedded", "external.itb": "data-offset", "position.itb": "data-position"][file])
    }

    /// Every prefix of a FIT fails to parse, never crashes; the whole file parses.
    @Test func everyTruncationIsMalformed() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: try TestVectors.path("fit/ecdsa256.itb")))
        for length in stride(from: 0, to: data.count, by: 97) {
            #expect(throws: MalformedInput.self) { try FITFormat.parse(MemoryByteSource(data.prefix(length))) }
        }
        #expect(throws: Never.self) { try FITFormat.parse(MemoryByteSource(data)) }
    }

    /// Which configuration boots: the default one only (the attack vector points `default` at an
    /// unsigned configuration).
    @Test func theDefaultConfigurationIsTheOneThatBoots() throws {
        let description = try FITFormat.parse(try FileByteSource(path: try TestVectors.path("fit/default-unsigned.itb")))
        #expect(description.configurations.map(\.name) == ["conf-1", "conf-2"])
        #expect(description.configurations.map(\.boots) == [false, true])
        #expect(description.configuration(named: "conf-2")?.signatures.isEmpty == true)
    }

    /// A plain device tree is not a FIT, and says why.
    @Test func plainDeviceTreeIsNotAFIT() throws {
        let source = try FileByteSource(path: try TestVectors.path("fit/payloads/board.dtb"))
        #expect(FITFormat.sniff(source))
        do {
            _ = try FITFormat.parse(source)
            Issue.record("a DTB without /images parsed as a FIT")
        } catch {
            #expect(error.code == .malformedFDTStructure && error.message.contains("no /images node"))
        }
    }
}
