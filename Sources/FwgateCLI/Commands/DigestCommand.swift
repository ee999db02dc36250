import ArgumentParser
import FirmwareCrypto
import FirmwareFormats
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate digest FILE... [--alg sha256]`: streaming digests (memory stays flat).
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Print digests of files, streamed (sha256sum-compatible output for one algorithm).",
        discussion: "Algorithms: \(DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")), crc32. MD5 and SHA-1 are weak.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("alg"), help: ArgumentHelp("Digest algorithm; repeat for several.", valueName: "algorithm"))
    var algorithms: [String] = ["sha256"]

    @Flag(help: "Print JSON: [{file, size, digests: {alg: hex}}].")
    var json = false

    @Argument(help: ArgumentHelp("Files to hash.", valueName: "file"))
    var files: [String]

    func validate() throws {
        for name in algorithms where name.lowercased() != "crc32" && DigestAlgorithm(name: name) == nil {
            throw ValidationError("unknown digest algorithm '\(name)'; use one of \(DigestAlgorithm.allCases.map(\.rawValue).joined(separator: ", ")), crc32")
        }
    }

    struct Entry: Encodable {
        let file: String
        let size: Int64
        let digests: [String: String]
    }

    func run() throws {
        var entries: [Entry] = []
        for file in files {
            let source: FileByteSource
            do {
                source = try FileByteSource(path: file)
            } catch {
                throw FwgateError(InputFile.isMissing(file) ? .fileNotFound : .unreadableInput, error.reason)
            }
            var digests: [(String, String)] = []
            for name in algorithms {
                if name.lowercased() == "crc32" {
                    digests.append(("crc32", String(try CRC32.checksum(source).hex(digits: 8).dropFirst(2))))
                } else if let algorithm = DigestAlgorithm(name: name) {
                    digests.append((algorithm.rawValue, try Digest.hash(source, using: algorithm).hex))
                }
            }
            if json {
                entries.append(Entry(file: file, size: source.count, digests: Dictionary(digests, uniquingKeysWith: { a, _ in a })))
            } else if digests.count == 1 {
                print("\(digests[0].1)  \(file)")
            } else {
                for (name, hex) in digests { print("\(name)  \(hex)  \(file)") }
            }
        }
        if json {
            print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self))
        }
    }
}
