import ArgumentParser
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// `fwgate certs ...`: certificate verification and description.
struct CertsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certs",
        abstract: "Verify and describe X.509 certificates.",
        subcommands: [Verify.self, Show.self, Sweep.self])

    /// `fwgate certs verify LEAF [--chain FILE] --ca ROOT... [--crl FILE] [--purpose code-signing] [--at T] [--json]`
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Validate certificate chains against trusted roots at a given time.",
            discussion: """
                Builds a path from each LEAF (extra certificates in the LEAF file and --chain files \
                are untrusted intermediates) to a --ca root with OpenSSL's verifier, then applies \
                fwgate's rules: code-signing purpose (extendedKeyUsage codeSigning, keyUsage \
                digitalSignature), CA:TRUE on every issuer, and no MD5/SHA-1 signatures, RSA keys \
                below 2048 bits or EC keys below 256 bits (algorithm.weak). Exit 0 when every \
                chain passes, 1 when one fails, 2 on usage or input errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var time: TimeOptions

        @Option(name: .customLong("chain"), help: ArgumentHelp("Untrusted intermediate certificates (file or folder).", valueName: "file"))
        var chainFiles: [String] = []

        @Option(name: .customLong("ca"), help: ArgumentHelp("Trusted root certificates (file or folder). Required.", valueName: "root"))
        var caFiles: [String] = []

        @Option(name: .customLong("crl"), help: ArgumentHelp("CRLs (file or folder); turns on revocation checking.", valueName: "file"))
        var crlFiles: [String] = []

        @Option(name: .customLong("crl-check"), help: ArgumentHelp("With --crl: 'leaf' (default) or 'chain' (every certificate).", valueName: "scope"))
        var crlScope: String?

        @Option(help: ArgumentHelp("Required purpose: code-signing.", valueName: "purpose"))
        var purpose: String?

        @Option(help: ArgumentHelp("Warn when the chain expires within this window: a whole number and m, h, d or w (default: 30d).", valueName: "duration"), transform: Duration.parse)
        var warn: Duration = Duration(literal: "30d")

        @Flag(name: .customLong("allow-weak-unsafe"), help: "Report weak algorithms as warnings instead of failures (unsafe).")
        var allowWeakUnsafe = false

        @Flag(help: "Print the fwgate.verify/1 JSON report (an array for several leaves).")
        var json = false

        @Argument(help: ArgumentHelp("Leaf certificate files (PEM or DER).", valueName: "leaf"))
        var leaves: [String]

        func validate() throws {
            if caFiles.isEmpty { throw ValidationError("--ca is required: give at least one trusted root certificate") }
            if let purpose, CertificatePurpose(rawValue: purpose) == nil {
                throw ValidationError("unknown --purpose '\(purpose)'; use code-signing")
            }
            if let crlScope {
                guard crlScope == "leaf" || crlScope == "chain" else {
                    throw ValidationError("--crl-check must be 'leaf' or 'chain', not '\(crlScope)'")
                }
                if crlFiles.isEmpty { throw ValidationError("--crl-check needs at least one --crl") }
            }
        }

        func run() throws {
            let at = try time.resolve()
            let verifier = CertificateVerifier(
                roots: try TrustFiles.certificates(caFiles),
                intermediates: try TrustFiles.certificates(chainFiles),
                crls: try TrustFiles.crls(crlFiles),
                crlCheck: crlFiles.isEmpty ? .none : (crlScope == "chain" ? .chain : .leaf),
                purpose: purpose.flatMap(CertificatePurpose.init(rawValue:)),
                expiryWarning: warn.seconds,
                weakAlgorithms: allowWeakUnsafe ? .warnUnsafe : .fail)
            var reports: [VerificationReport] = []
            for leaf in leaves {
                reports.append(try verifier.verify(path: leaf, at: at))
            }
            if json {
                print(try ReportPrinter.json(reports))
            } else {
                let printer = ReportPrinter(color: global.useColor, verbose: !global.quiet)
                print(reports.map { printer.human($0, at: at) }.joined(separator: "\n\n"))
            }
            if reports.contains(where: { $0.verdict == .fail }) { throw VerdictExit.failed }
        }
    }

    /// `fwgate certs show FILE...`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Describe every certificate in the given files (PEM bundles or DER).")

        @OptionGroup var global: GlobalOptions

        @Flag(help: "Print JSON: [{file, certificates: [...]}].")
        var json = false

        @Argument(help: ArgumentHelp("Certificate files.", valueName: "file"))
        var files: [String]

        struct Entry: Encodable {
            let file: String
            let certificates: [CertificateDescription]
        }

        func run() throws {
            var entries: [Entry] = []
            for file in files {
                let certificates: [Certificate]
                do {
                    certificates = try Certificate.load(contentsOf: file)
                } catch {
                    throw FwgateError(InputFile.isMissing(file) ? .fileNotFound : .unreadableInput, error.description)
                }
                entries.append(Entry(file: file, certificates: certificates.map(\.info)))
            }
            if json {
                print(String(decoding: try FwgateJSON.encoder().encode(entries), as: UTF8.self))
                return
            }
            for entry in entries {
                for (index, info) in entry.certificates.enumerated() {
                    print("\(entry.file) [\(index)]")
                    print("  subject:    \(info.subject)")
                    print("  issuer:     \(info.issuer)")
                    print("  serial:     \(info.serial)")
                    print("  validity:   \(RFC3339.string(info.notBefore)) … \(RFC3339.string(info.notAfter))")
                    print("  key:        \(info.curve.map { "ECDSA \($0)" } ?? "\(info.keyType.uppercased())-\(info.keyBits)")  sha256 \(info.keyFingerprint)")
                    print("  signature:  \(info.signatureAlgorithm)")
                    print("  CA:         \(info.isCA ? "yes" : "no")\(info.pathLength.map { ", pathlen \($0)" } ?? "")")
                    if let usage = info.keyUsage { print("  keyUsage:   \(usage.joined(separator: ", "))") }
                    if let eku = info.extendedKeyUsage { print("  extKeyUsage: \(eku.joined(separator: ", "))") }
                    if !info.subjectAltNames.isEmpty { print("  SANs:       \(info.subjectAltNames.joined(separator: ", "))") }
                    print("  sha256:     \(info.sha256)")
                }
            }
        }
    }
}
