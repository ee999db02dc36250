import FirmwareCrypto
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `FileByteSource` / `InputFile` open without blocking and refuse what is not a regular file,
/// naming its type (issue 9 item 1). On main, opening a FIFO with no writer never returned.
struct InputFileTests {
    @Test func aFIFOIsRefusedAtOnceNamingItsType() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-input-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o600) == 0)
        do {
            _ = try InputFile.read(fifo)
            Issue.record("a FIFO was read")
        } catch {
            #expect(error.code == .io)
            #expect(error.reason == "\(fifo): cannot read: is a FIFO, not a regular file")
        }
    }

    @Test func devicesFoldersAndMissingFilesAreNamedInFwgatesWords() {
        let cases: [(String, String)] = [
            ("/dev/zero", "/dev/zero: cannot read: is a character device, not a regular file"),
            ("/", "/: cannot read: is a folder, not a regular file"),
            ("/no/such/file.pem", "/no/such/file.pem: no such file"),
        ]
        for (path, message) in cases {
            do {
                _ = try FileByteSource(path: path)
                Issue.record("\(path) was opened")
            } catch {
                #expect(error.reason == message)
            }
        }
        #expect(InputFile.isMissing("/no/such/file.pem"))
        #expect(!InputFile.isMissing("/dev/zero"))
    }

    @Test func aRegularFileReadsWhole() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-input-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data([1, 2, 3]).write(to: file)
        #expect(try InputFile.read(file.path) == Data([1, 2, 3]))
        #expect(throws: CryptoError.self) { try InputFile.read(file.path, limit: 2) }
    }
}
