import FirmwareCrypto
import FirmwareFormats
import Foundation

/// Collects certificates from files, folders, TLS endpoints and trust material, merges them by
/// SHA-256 (one certificate, many locations), and sorts them into expiry buckets at a given
/// time. Nothing here reads the clock.
public struct CertificateSweep: Sendable {
    public var windows: ExpiryWindows
    private var found: [String: (Certificate, [SweepLocation])] = [:]
    private var order: [String] = []
    private var unreadable: [SweepUnreadable] = []
    private var crls: [(CertificateRevocationList, String)] = []
    private var devices: [DeviceSignerExpiry] = []

    public init(windows: ExpiryWindows = ExpiryWindows()) {
        self.windows = windows
    }

    /// Adds certificates found at one location.
    public mutating func add(_ certificates: [Certificate], at location: SweepLocation) {
        for certificate in certificates {
            let key = certificate.sha256
            if var entry = found[key] {
                if !entry.1.contains(location) { entry.1.append(location) }
                found[key] = entry
            } else {
                found[key] = (certificate, [location])
                order.append(key)
            }
        }
    }

    public mutating func addUnreadable(_ path: String, reason: String, device: String? = nil) {
        unreadable.append(SweepUnreadable(path: path, reason: reason, device: device))
    }

    public mutating func add(crls list: [CertificateRevocationList], path: String) {
        for crl in list { crls.append((crl, path)) }
    }

    public mutating func add(deviceSigner: DeviceSignerExpiry) {
        devices.append(deviceSigner)
    }

    /// What one file holds.
    public enum FileContent: Sendable {
        case certificates([Certificate])
        /// A PEM file with damaged blocks: the certificates that parse, and each damaged block
        /// (with its number and line), which counts as unreadable.
        case certificatesAndDamage([Certificate], damaged: [String])
        case crls([CertificateRevocationList])
        /// A firmware artifact fwgate understands that carries no certificate.
        case artifactWithoutCertificates(FormatID)
        case unreadable(String)
    }

    /// Reads one file: a PEM bundle, a DER certificate, a PKCS#7 bundle (.p7b/.p7c, DER or
    /// PEM), a CRL, or a firmware artifact. Never throws: problems are `.unreadable(reason)`.
    public static func read(_ path: String) -> FileContent {
        let source: FileByteSource
        do {
            source = try FileByteSource(path: path)
        } catch {
            // The location already names the file: keep the reason only.
            let prefix = "\(path): "
            return .unreadable(error.reason.hasPrefix(prefix) ? String(error.reason.dropFirst(prefix.count)) : error.reason)
        }
        guard source.count > 0 else { return .unreadable("empty file") }
        guard source.count <= 16 << 20 else {
            if let format = FormatRegistry.detect(source) { return .artifactWithoutCertificates(format.id) }
            return .unreadable("\(source.count) bytes: too large for a certificate file, and not a firmware format fwgate knows")
        }
        if let format = FormatRegistry.detect(source) { return .artifactWithoutCertificates(format.id) }
        guard let bytes = try? source.bytes(at: 0, length: Int(source.count)) else { return .unreadable("read failed") }
        if bytes.prefix(4096).range(of: Data("-----BEGIN".utf8)) != nil {
            let scan = Certificate.scanPEM(bytes)
            let damaged = scan.damaged.map(\.description)
            if !scan.damaged.isEmpty {
                return scan.certificates.isEmpty ? .unreadable(damaged.joined(separator: "; ")) : .certificatesAndDamage(scan.certificates, damaged: damaged)
            }
            if !scan.certificates.isEmpty { return .certificates(scan.certificates) }
        }
        let certificateError: CryptoError
        do {
            return .certificates(try Certificate.parseAll(bytes))
        } catch {
            certificateError = error
        }
        if let bundle = try? CMSSignedData(bytes: bytes) {
            return bundle.embeddedCertificates.isEmpty
                ? .unreadable("PKCS#7 structure with no certificates") : .certificates(bundle.embeddedCertificates)
        }
        if let list = try? CertificateRevocationList.parseAll(bytes) { return .crls(list) }
        return .unreadable("no certificate: \(certificateError.reason)")
    }

    /// Every regular file under the given files and folders (folders recursively, sorted).
    ///
    /// - Throws: `FwgateError(.fileNotFound)` for a path that does not exist.
    public static func files(in paths: [String]) throws(FwgateError) -> [String] {
        try TrustFiles.expand(paths, extensions: nil)
    }

    /// Reads many files in parallel (each file independently), returning contents in order.
    public static func readAll(_ paths: [String]) -> [FileContent] {
        let results = ResultBox(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            results.set(index, read(paths[index]))
        }
        return results.values()
    }

    /// Adds what `read` found in `path`.
    public mutating func add(_ content: FileContent, path: String, device: String? = nil) {
        switch content {
        case .certificates(let certificates): add(certificates, at: SweepLocation(path: path, device: device, kind: "file"))
        case .certificatesAndDamage(let certificates, let damaged):
            add(certificates, at: SweepLocation(path: path, device: device, kind: "file"))
            for reason in damaged { addUnreadable(path, reason: reason, device: device) }
        case .crls(let list): add(crls: list, path: path)
        case .artifactWithoutCertificates: break
        case .unreadable(let reason): addUnreadable(path, reason: reason, device: device)
        }
    }

    /// The sweep at `at`: certificates sorted by days left (then subject), CRLs by next update.
    public func result(at: Date) -> SweepResult {
        let certificates = order.compactMap { found[$0] }.map { certificate, locations in
            SweptCertificate(
                subject: certificate.subject, issuer: certificate.issuer, serial: certificate.info.serial, sha256: certificate.sha256,
                notBefore: certificate.notBefore, notAfter: certificate.notAfter,
                daysLeft: ExpiryWindows.daysLeft(until: certificate.notAfter, at: at),
                bucket: windows.bucket(end: certificate.notAfter, at: at), locations: locations)
        }.sorted { ($0.notAfter, $0.subject, $0.sha256) < ($1.notAfter, $1.subject, $1.sha256) }
        let sweptCRLs = crls.map { crl, path in
            SweptCRL(
                issuer: crl.issuer, lastUpdate: crl.lastUpdate, nextUpdate: crl.nextUpdate,
                daysLeft: crl.nextUpdate.map { ExpiryWindows.daysLeft(until: $0, at: at) },
                // A CRL without nextUpdate never goes stale by date; one past it blocks updates.
                bucket: crl.nextUpdate.map { windows.bucket(end: $0, at: at) } ?? .ok, path: path)
        }.sorted { ($0.nextUpdate ?? .distantFuture, $0.path) < ($1.nextUpdate ?? .distantFuture, $1.path) }
        var result = SweepResult(
            at: at, certificates: certificates, unreadable: unreadable, crls: sweptCRLs,
            devices: devices.sorted { $0.device < $1.device })
        result.criticalDays = Int(windows.critical / 86_400)
        result.warningDays = Int(windows.warning / 86_400)
        return result
    }
}

/// Fixed-size storage written from concurrentPerform (each index by exactly one iteration).
private final class ResultBox: @unchecked Sendable {
    // @unchecked Sendable: every slot is written by one iteration only, guarded by the lock.
    private var storage: [CertificateSweep.FileContent?]
    private let lock = NSLock()
    init(count: Int) { storage = Array(repeating: nil, count: count) }
    func set(_ index: Int, _ value: CertificateSweep.FileContent) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }
    func values() -> [CertificateSweep.FileContent] { storage.map { $0 ?? .unreadable("not read") } }
}
