import ArgumentParser
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate keys ...`: public key utilities.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Public key utilities.",
        subcommands: [Fingerprint.self])

    /// `fwgate keys fingerprint KEYFILE...`
    struct Fingerprint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fingerprint",
            abstract: "Print the SHA-256 fingerprint of each key's DER SubjectPublicKeyInfo, and its type and size.",
            discussion: """
                Accepts PEM or DER SubjectPublicKeyInfo, PKCS#1 RSAPublicKey, certificates, and \
                (with --key-format) raw Ed25519 keys and raw EC points. Private keys are refused.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(
            name: .customLong("key-format"),
            help: ArgumentHelp(
                "Key encoding: \(PublicKeyFormat.allCases.map(\.rawValue).joined(separator: ", ")). Default: detect.",
                valueName: "format"))
        var keyFormat: String?

        @Option(help: ArgumentHelp("Curve of a raw EC point (P-256, P-384, P-521).", valueName: "curve"))
        var curve: String?

        @Flag(help: "Print JSON: [{file, fingerprint, algorithm, type, bits, curve}].")
        var json = false

        @Argument(help: ArgumentHelp("Key files.", valueName: "keyfile"))
        var files: [String]

        func validate() throws {
            if let keyFormat, PublicKeyFormat(rawValue: keyFormat) == nil {
                throw ValidationError("unknown --key-format '\(keyFormat)'; use one of \(PublicKeyFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if let curve, ECCurve(name: curve) == nil {
                throw ValidationError("unknown --curve '\(curve)'; use P-256, P-384 or P-521")
            }
            if keyFormat == PublicKeyFormat.ecPointRaw.rawValue && curve == nil {
                throw ValidationError("--key-format ec-point-raw needs --curve")
            }
        }

        struct Entry: Encodable {
            let file: String
            let fingerprint: String
            let algorithm: String
            let type: String
            let bits: Int
            let curve: String?
        }

        func run() throws {
            var entries: [Entry] = []
            for file in files {
                let key: PublicKey
                do {
                    key = try PublicKey(
                        contentsOf: file, format: keyFormat.flatMap(PublicKeyFormat.init(rawValue:)),
                        curve: curve.flatMap(ECCurve.init(name:)))
                } catch {
                    throw FwgateError(InputFile.isMissing(file) ? .fileNotFound : .unreadableInput, error.description)
                }
                let entry = Entry(
                    file: file, fingerprint: key.fingerprint, algorithm: key.algorithm.description, type: key.algorithm.family,
                    bits: key.algorithm.bits, curve: key.algorithm.curve?.rawValue)
                if json {
                    entries.append(entry)
                } else {
                    let weak = key.algorithm.isWeak ? "  (weak)" : ""
                    print("\(entry.fingerprint)  \(entry.algorithm)\(weak)  \(file)")
                }
            }
            if json { print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self)) }
        }
    }
}
