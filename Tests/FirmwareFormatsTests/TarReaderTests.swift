import FirmwareCrypto
import FirmwareFormats
import Foundation
import FwgateTestSupport
import Testing

/// The shared tar reader on archives GNU tar makes (ustar, pax and GNU long names, gzip), and on
/// damaged ones.
@Suite struct TarReaderTests {
    /// Files in a scratch folder, archived by GNU tar with `arguments`; returns the archive.
    func archive(_ arguments: [String], files: [String: Data]) throws -> Data {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, data) in files {
            let url = folder.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url)
        }
        let out = folder.appendingPathComponent("out.tar").path
        _ = try ReferenceTool.run("tar", ["-C", folder.path] + arguments + ["-f", out] + files.keys.sorted())
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    func members(_ data: Data, gzip: Bool = false, limit: Int64 = 1 << 30) throws -> [String: Data] {
        let source = MemoryByteSource(data)
        var result: [String: Data] = [:]
        if gzip {
            var reader = TarReader(try GzipInput(source, range: 0..<source.count, limit: limit))
            while let entry = try reader.next() { result[entry.name] = try reader.readData(limit: 1 << 20) }
        } else {
            var reader = TarReader(SourceInput(source))
            while let entry = try reader.next() { result[entry.name] = try reader.readData(limit: 1 << 20) }
        }
        return result
    }

    static let longName = "payload/" + String(repeating: "n", count: 150) + ".bin"
    static let files: [String: Data] = [
        "a.bin": Data((0..<3000).map { UInt8($0 % 251) }), longName: Data("long\n".utf8), "empty": Data(), "é-utf8.txt": Data("x".utf8),
    ]

    @Test(arguments: ["gnu", "pax", "ustar"])
    func readsWhatGNUTarWrites(_ format: String) throws {
        // ustar cannot hold a 150-character name component; the others can.
        let files = format == "ustar" ? Self.files.filter { $0.key != Self.longName } : Self.files
        let read = try members(try archive(["--format=\(format)", "-c"], files: files))
        #expect(read == files)
    }

    @Test func readsThroughGzip() throws {
        #expect(try members(try archive(["--format=pax", "-cz"], files: Self.files), gzip: true) == Self.files)
    }

    @Test func damageIsAFindingNeverATrap() throws {
        let tar = try archive(["--format=gnu", "-c"], files: Self.files)
        func code(_ data: Data) -> CheckCode? {
            do {
                _ = try members(data)
                return nil
            } catch {
                return (error as? MalformedInput)?.code
            }
        }
        // Cut inside a member's data.
        #expect(code(tar.prefix(700)) == .malformedTruncated)
        // Cut before the end-of-archive marker.
        #expect(code(tar.prefix(tar.count - 10240 + 512 * 8)) != nil)
        // A header byte changed: the checksum no longer matches.
        var header = tar
        header[10] ^= 0x01
        #expect(code(header) == .malformedEncoding)
        // Bytes after the end-of-archive marker.
        #expect(code(tar + Data("trailing".utf8)) == .malformedEncoding)
        #expect(code(Data()) == .malformedTruncated)
    }

    @Test func aCompressionBombStopsAtTheLimit() throws {
        let zeros = try archive(["--format=pax", "-cz"], files: ["zeros": Data(count: 4 << 20)])
        #expect(zeros.count < 64 << 10)
        let source = MemoryByteSource(zeros)
        var reader = TarReader(try GzipInput(source, range: 0..<source.count, limit: 1 << 20))
        var streamed: Int64 = 0
        do {
            while try reader.next() != nil { try reader.streamData { streamed += Int64($0.count) } }
            Issue.record("a 4 MiB member inflated past a 1 MiB limit")
        } catch {
            #expect(error.code == .malformedLength)
            #expect(error.message.contains("compression bomb"))
        }
        #expect(streamed <= 1 << 20)
    }
}
