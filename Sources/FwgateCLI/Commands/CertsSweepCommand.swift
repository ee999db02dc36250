import ArgumentParser
import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

extension CertsCommand {
    /// `fwgate certs sweep PATH... [--tls HOST:PORT...] [--from-inventory] [--warn 30d] [--at T] [--format ...]`
    struct Sweep: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sweep",
            abstract: "Certificate expiry sweep: what expires when, per device (for cron and systemd timers).",
            discussion: """
                Reads certificate files and folders (PEM bundles, DER, PKCS#7 .p7b/.p7c), the \
                certificates and CRLs of --trust / --policy, and (with --tls or --from-inventory) \
                the chains devices serve over TLS. Each certificate is listed once with every place \
                it was found, its days left at --at, and a bucket: expired, critical (within \
                --critical), warning (within --warn) or ok. Every PEM block that parses is read; \
                each damaged block is listed as unreadable with its block number and line. Files \
                that cannot be read (damaged, empty, not a certificate, a FIFO or device) and TLS \
                endpoints that refuse, time out or do not speak TLS are listed as unreadable (with \
                their device) and the sweep goes on. Results are recorded in the inventory unless \
                --no-record. Exit 1 when anything is expired or inside the warning window (a \
                certificate, a CRL past its nextUpdate, a device's last update signer), or when \
                anything could not be checked (what was not checked may be expired; \
                --allow-unreadable accepts that); 0 otherwise; 2 on usage errors.
                """)

        @OptionGroup var global: GlobalOptions
        @OptionGroup var time: TimeOptions

        @Option(help: ArgumentHelp("Warning window: a whole number and m, h, d or w (default: 30d).", valueName: "duration"), transform: Duration.parse)
        var warn: Duration = Duration(literal: "30d")

        @Option(help: ArgumentHelp("Critical window: a whole number and m, h, d or w (default: 7d).", valueName: "duration"), transform: Duration.parse)
        var critical: Duration = Duration(literal: "7d")

        @Option(help: ArgumentHelp("Output: table, json, csv, prometheus or html.", valueName: "format"))
        var format: String = "table"

        @Option(name: .customLong("output"), help: ArgumentHelp("Write the output to this file instead of stdout.", valueName: "file"))
        var outputPath: String?

        @Option(name: .customLong("trust"), help: ArgumentHelp("Trust material to sweep too (keys are ignored; certificates and CRLs count).", valueName: "path"))
        var trustPaths: [String] = []

        @Option(help: ArgumentHelp("A policy: its roots are swept, and each inventory device gets the date its last trusted update signer expires.", valueName: "file"))
        var policy: String?

        @Flag(name: .customLong("no-record"), help: "Do not record certificates in the inventory.")
        var noRecord = false

        @Flag(
            name: .customLong("allow-unreadable"),
            help: "Exit 0 even when files, PEM blocks or TLS endpoints could not be checked (they are still listed).")
        var allowUnreadable = false

        @Option(help: ArgumentHelp("The device the given files belong to (recorded with their certificates).", valueName: "id"))
        var device: String?

        @Option(name: .customLong("tls"), help: ArgumentHelp("A device TLS endpoint to fetch the served chain from (repeatable): HOST:PORT or [IPv6]:PORT.", valueName: "host:port"))
        var tlsEndpoints: [String] = []

        @Flag(name: .customLong("from-inventory"), help: "Also fetch the chain of every inventory device that has an IP and a TLS port.")
        var fromInventory = false

        @Option(help: ArgumentHelp("TLS fetches in flight at once.", valueName: "n"))
        var jobs: Int = 16

        @Option(help: ArgumentHelp("Time limit per TLS endpoint (resolve, connect and handshake), in seconds.", valueName: "seconds"))
        var timeout: Double = 10

        @Argument(help: ArgumentHelp("Certificate files or folders (searched recursively).", valueName: "path"))
        var paths: [String] = []

        func validate() throws {
            guard ["table", "json", "csv", "prometheus", "html"].contains(format) else {
                throw ValidationError("--format must be table, json, csv, prometheus or html")
            }
            guard jobs >= 1, jobs <= 256 else { throw ValidationError("--jobs must be between 1 and 256") }
            guard timeout > 0, timeout <= 300 else { throw ValidationError("--timeout must be between 0 and 300 seconds") }
            for endpoint in tlsEndpoints {
                do {
                    _ = try TLSEndpoint(parsing: endpoint)
                } catch {
                    throw ValidationError("--tls '\(endpoint)': \(error.reason)")
                }
            }
            if critical.seconds > warn.seconds { throw ValidationError("--critical (\(critical.text)) must not be longer than --warn (\(warn.text))") }
            if paths.isEmpty && trustPaths.isEmpty && policy == nil && !hasNetworkSources {
                throw ValidationError("nothing to sweep: give certificate files or folders, --trust, --policy, --tls or --from-inventory")
            }
        }

        var hasNetworkSources: Bool { !tlsEndpoints.isEmpty || fromInventory }

        func run() async throws {
            let at = try time.resolve()
            var sweep = CertificateSweep(windows: ExpiryWindows(critical: critical.seconds, warning: warn.seconds))
            let files = try CertificateSweep.files(in: paths)
            for (path, content) in zip(files, CertificateSweep.readAll(files)) { sweep.add(content, path: path, device: device) }

            let trust = try TrustStore.load(trustPaths)
            sweep.add(trust.roots + trust.intermediates, at: SweepLocation(path: trustPaths.joined(separator: ", "), kind: "trust-store"))
            for crl in trust.crls { sweep.add(crls: [crl], path: trustPaths.joined(separator: ", ")) }

            let inventory = noRecord && policy == nil && !fromInventory ? nil : try global.openInventory()
            try await fetchTLS(into: &sweep, inventory: inventory)
            if let policyPath = policy {
                let loaded = try Policy.load(path: policyPath)
                let scoped = try loaded.trustStore(vendor: nil, model: nil)
                sweep.add(scoped.roots + scoped.intermediates, at: SweepLocation(path: policyPath, kind: "trust-store"))
                for device in (try inventory?.devices()) ?? [] {
                    sweep.add(
                        deviceSigner: DeviceSignerExpiry.evaluate(
                            device: device.id, vendor: device.make, model: device.model, policy: loaded, at: at, windows: sweep.windows))
                }
            }

            let result = sweep.result(at: at)
            if !noRecord, let inventory { try inventory.record(sweep: result) }
            try emit(result)
            if result.needsAttention { throw VerdictExit.failed }
            if !result.unreadable.isEmpty && !allowUnreadable {
                if !global.quiet {
                    Terminal.printError(
                        "fwgate: \(result.unreadable.count) item(s) could not be checked (listed as unreadable) and may be expired: exit 1 (--allow-unreadable to accept)")
                }
                throw VerdictExit.failed
            }
        }

        /// Fetches the chains of the named endpoints and (with --from-inventory) of every device
        /// with an IP and TLS port. Only those addresses are contacted; no application data is
        /// sent. An endpoint that fails is listed as unreadable with the reason.
        func fetchTLS(into sweep: inout CertificateSweep, inventory: (any InventoryStore)?) async throws {
            var targets: [(TLSEndpoint, String?)] = []
            var devicesByAddress: [String: String] = [:]
            if let inventory {
                for (device, host, port) in try inventory.tlsEndpoints() {
                    guard let endpoint = try? TLSEndpoint(parsing: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)") else {
                        sweep.addUnreadable("\(host):\(port)", reason: "the inventory's address is not a host or IP", device: device)
                        continue
                    }
                    devicesByAddress[endpoint.description] = device
                    if fromInventory { targets.append((endpoint, device)) }
                }
            }
            for text in tlsEndpoints {
                let endpoint = try TLSEndpoint(parsing: text)
                if !targets.contains(where: { $0.0 == endpoint }) { targets.append((endpoint, devicesByAddress[endpoint.description])) }
            }
            guard !targets.isEmpty else { return }
            if !global.quiet && Terminal.stderrIsTTY {
                Terminal.printError("fetching \(targets.count) TLS endpoint(s), \(jobs) at a time…")
            }
            let results = await TLSCertificateFetcher.fetchAll(targets.map(\.0), timeout: .milliseconds(Int(timeout * 1000)), concurrency: jobs)
            for ((endpoint, device), result) in zip(targets, results) {
                if !result.chain.isEmpty {
                    sweep.add(
                        result.chain,
                        at: SweepLocation(endpoint: endpoint.description, device: device, kind: "tls", tlsVerification: result.verification))
                }
                if result.chain.isEmpty {
                    sweep.addUnreadable(endpoint.description, reason: result.error?.description ?? "no certificate was served", device: device)
                }
            }
        }

        func emit(_ result: SweepResult) throws {
            let text: String
            switch format {
            case "json": text = String(decoding: try FwgateJSON.encoder().encode(result), as: UTF8.self) + "\n"
            case "csv": text = SweepOutput.csv(result)
            case "prometheus": text = SweepOutput.prometheus(result)
            case "html": text = SweepHTMLRenderer.render(result)
            default:
                let color = outputPath == nil && global.useColor
                text = SweepOutput.table(result) { line, bucket in
                    switch bucket {
                    case .expired: Terminal.paint(line, .red, enabled: color)
                    case .critical, .warning: Terminal.paint(line, .yellow, enabled: color)
                    case .ok: line
                    }
                } + "\n"
            }
            if let outputPath {
                // Write to a temporary file and rename, so a textfile collector never reads half a file.
                let temporary = outputPath + ".tmp-\(getpid())"
                let bytes = Array(text.utf8)
                guard let file = fopen(temporary, "wx") else {
                    throw FwgateError(.io, "\(outputPath): cannot write: \(String(cString: strerror(errno)))")
                }
                let written = bytes.isEmpty ? 0 : fwrite(bytes, 1, bytes.count, file)
                let closed = fclose(file)
                guard written == bytes.count, closed == 0, rename(temporary, outputPath) == 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(temporary)
                    throw FwgateError(.io, "\(outputPath): cannot write: \(reason)")
                }
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
