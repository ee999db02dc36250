import FirmwareCrypto
import FirmwareFormats
import Foundation

/// How close a certificate (or CRL) is to its end (DESIGN.md "certs sweep").
public enum ExpiryBucket: String, Sendable, Codable, CaseIterable, Comparable {
    /// notAfter < at.
    case expired
    /// Remaining validity ≤ the critical window (default 7 days).
    case critical
    /// Remaining validity ≤ the warning window (default 30 days).
    case warning
    case ok

    private var rank: Int {
        switch self {
        case .expired: 0
        case .critical: 1
        case .warning: 2
        case .ok: 3
        }
    }
    public static func < (lhs: ExpiryBucket, rhs: ExpiryBucket) -> Bool { lhs.rank < rhs.rank }

    /// True for the buckets that make `certs sweep` exit 1.
    public var needsAttention: Bool { self != .ok }
}

/// The windows a sweep sorts by.
public struct ExpiryWindows: Sendable {
    public var critical: TimeInterval
    public var warning: TimeInterval

    public init(critical: TimeInterval = 7 * 86_400, warning: TimeInterval = 30 * 86_400) {
        self.critical = critical
        self.warning = warning
    }

    /// The bucket of something that ends at `end`, judged at `at`.
    public func bucket(end: Date, at: Date) -> ExpiryBucket {
        let remaining = end.timeIntervalSince(at)
        if remaining < 0 { return .expired }
        if remaining <= critical { return .critical }
        if remaining <= warning { return .warning }
        return .ok
    }

    /// Whole days from `at` to `end`, rounded down (negative once passed).
    public static func daysLeft(until end: Date, at: Date) -> Int {
        Int((end.timeIntervalSince(at) / 86_400).rounded(.down))
    }
}

/// Where a certificate was found.
public struct SweepLocation: Sendable, Hashable, Codable {
    /// A file (for certificates read from disk or from an artifact).
    public var path: String?
    /// `host:port` (for certificates served over TLS).
    public var endpoint: String?
    /// The device it belongs to, when known.
    public var device: String?
    /// What the location is: `file`, `tls`, `trust-store`, `artifact`.
    public var kind: String
    /// For TLS: what OpenSSL said of the served chain against the system's trust store
    /// (`ok`, `self-signed certificate`, `certificate has expired`, ...). Recorded, never enforced.
    public var tlsVerification: String?

    public init(path: String? = nil, endpoint: String? = nil, device: String? = nil, kind: String, tlsVerification: String? = nil) {
        self.path = path
        self.endpoint = endpoint
        self.device = device
        self.kind = kind
        self.tlsVerification = tlsVerification
    }

    /// `path`, or `endpoint`, with `@device` when known.
    public var label: String {
        let place = path ?? endpoint ?? "?"
        return device.map { "\(place) (\($0))" } ?? place
    }
}

/// One certificate, however many places it was found in (merged by SHA-256).
public struct SweptCertificate: Sendable, Codable, Hashable {
    public var subject: String
    public var issuer: String
    /// Lowercase hex, no separators.
    public var serial: String
    /// SHA-256 of the DER certificate.
    public var sha256: String
    public var notBefore: Date
    public var notAfter: Date
    /// Whole days from the sweep time to notAfter, rounded down.
    public var daysLeft: Int
    public var bucket: ExpiryBucket
    public var locations: [SweepLocation]

    public init(
        subject: String, issuer: String, serial: String, sha256: String, notBefore: Date, notAfter: Date, daysLeft: Int,
        bucket: ExpiryBucket, locations: [SweepLocation]
    ) {
        self.subject = subject
        self.issuer = issuer
        self.serial = serial
        self.sha256 = sha256
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.daysLeft = daysLeft
        self.bucket = bucket
        self.locations = locations
    }
}

/// A CRL found in the sweep: one whose nextUpdate has passed blocks updates like an expired
/// certificate.
public struct SweptCRL: Sendable, Codable, Hashable {
    public var issuer: String
    public var lastUpdate: Date?
    public var nextUpdate: Date?
    public var daysLeft: Int?
    public var bucket: ExpiryBucket
    public var path: String

    public init(issuer: String, lastUpdate: Date?, nextUpdate: Date?, daysLeft: Int?, bucket: ExpiryBucket, path: String) {
        self.issuer = issuer
        self.lastUpdate = lastUpdate
        self.nextUpdate = nextUpdate
        self.daysLeft = daysLeft
        self.bucket = bucket
        self.path = path
    }
}

/// For a device: the last day its trusted update signers are valid (after it, it can take no
/// update signed under them).
public struct DeviceSignerExpiry: Sendable, Codable, Hashable {
    public var device: String
    /// The latest notAfter among the certificates the policy trusts for the device's vendor and
    /// model (nil when only raw keys are trusted: they do not expire).
    public var updatesPossibleUntil: Date?
    public var daysLeft: Int?
    public var bucket: ExpiryBucket?
    public var note: String

    public init(device: String, updatesPossibleUntil: Date?, daysLeft: Int?, bucket: ExpiryBucket?, note: String) {
        self.device = device
        self.updatesPossibleUntil = updatesPossibleUntil
        self.daysLeft = daysLeft
        self.bucket = bucket
        self.note = note
    }
}

/// Something the sweep could not read.
public struct SweepUnreadable: Sendable, Codable, Hashable {
    /// The file, or `host:port` for an endpoint.
    public var path: String
    public var reason: String
    public var device: String?

    public init(path: String, reason: String, device: String? = nil) {
        self.path = path
        self.reason = reason
        self.device = device
    }
}

/// The outcome of `fwgate certs sweep` (DESIGN.md's JSON contract, plus `crls` and `devices`).
public struct SweepResult: Sendable, Codable {
    public var at: Date
    /// The windows the buckets were judged with, in whole days (nil: the defaults, 7 and 30).
    public var criticalDays: Int?
    public var warningDays: Int?
    public var certificates: [SweptCertificate]
    public var unreadable: [SweepUnreadable]
    public var crls: [SweptCRL]
    public var devices: [DeviceSignerExpiry]

    public init(at: Date, certificates: [SweptCertificate], unreadable: [SweepUnreadable], crls: [SweptCRL] = [], devices: [DeviceSignerExpiry] = []) {
        self.at = at
        self.certificates = certificates
        self.unreadable = unreadable
        self.crls = crls
        self.devices = devices
    }

    /// Counts per bucket (every bucket present, zero included).
    public var bucketCounts: [ExpiryBucket: Int] {
        var counts = Dictionary(uniqueKeysWithValues: ExpiryBucket.allCases.map { ($0, 0) })
        for certificate in certificates { counts[certificate.bucket, default: 0] += 1 }
        return counts
    }

    /// True when anything (certificate, CRL, device signer) is expired or inside a window.
    public var needsAttention: Bool {
        certificates.contains { $0.bucket.needsAttention } || crls.contains { $0.bucket.needsAttention }
            || devices.contains { $0.bucket?.needsAttention == true }
    }
}
