import FirmwareFormats
import FirmwareVerification
import Foundation

/// The fleet at a glance, as of one moment: every device's posture, a summary, a risk register
/// and posture over time (`fwgate inventory report`). Computed from the inventory by
/// ``Inventory/fleetPosture(at:staleAfter:)``; a value with no clock of its own, so the same
/// inventory and `at` give the same posture. Renderers (HTML, Markdown, JSON, Prometheus,
/// CycloneDX) live in the CLI.
public struct FleetPosture: Sendable, Encodable {
    /// `fwgate.fleet/1`: the JSON contract of `inventory report --format json`.
    public var schema: String = FleetPosture.schemaID
    public static let schemaID = "fwgate.fleet/1"
    /// The context time: entries recorded after it are ignored; staleness and expiry are judged
    /// at it.
    public var at: Date
    /// A device whose last verification is older than this many days is `stale`.
    public var staleAfterDays: Int
    /// Update signers expiring within this many days of `at` are listed as expiring.
    public var signerWarningDays: Int
    public var summary: FleetSummary
    /// Devices by id.
    public var devices: [DevicePosture]
    /// Every finding of every device, most severe first (the risk register; in JSON the only
    /// place findings appear).
    public var risks: [RiskFinding]
    /// Devices by posture at the end of each of the weeks up to `at` (oldest first).
    public var history: [PosturePoint]
}

/// A device's posture: the worst of its latest verdicts, unless it was never verified or its
/// last verification is stale. A failure stays a failure however old (it is still the last
/// thing known); `stale` outranks `warn` and `pass`, whose evidence has gone old.
public enum DevicePostureStatus: String, Sendable, Codable, CaseIterable, Comparable {
    case pass
    case warn
    case fail
    case stale
    case neverVerified = "never-verified"

    /// Worst first: fail, stale, warn, never verified, pass (the order tables sort by).
    public var rank: Int {
        switch self {
        case .fail: 0
        case .stale: 1
        case .warn: 2
        case .neverVerified: 3
        case .pass: 4
        }
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }

    /// Words for people.
    public var label: String {
        switch self {
        case .pass: "pass"
        case .warn: "warn"
        case .fail: "fail"
        case .stale: "stale"
        case .neverVerified: "never verified"
        }
    }
}

/// How many devices have each posture.
public struct PostureCounts: Sendable, Codable, Hashable {
    public var pass = 0
    public var warn = 0
    public var fail = 0
    public var stale = 0
    public var neverVerified = 0

    public init() {}

    public subscript(status: DevicePostureStatus) -> Int {
        get {
            switch status {
            case .pass: pass
            case .warn: warn
            case .fail: fail
            case .stale: stale
            case .neverVerified: neverVerified
            }
        }
        set {
            switch status {
            case .pass: pass = newValue
            case .warn: warn = newValue
            case .fail: fail = newValue
            case .stale: stale = newValue
            case .neverVerified: neverVerified = newValue
            }
        }
    }

    public var total: Int { pass + warn + fail + stale + neverVerified }
}

/// Devices by posture at one time (one bar of the chart).
public struct PosturePoint: Sendable, Codable, Hashable {
    public var at: Date
    public var counts: PostureCounts
}

/// The device's own facts, from `devices import`.
public struct FleetDevice: Sendable, Codable, Hashable {
    public var id: String
    public var assetTag: String?
    public var make: String?
    public var model: String?
    public var serialNumber: String?
    public var location: String?
    public var owner: String?
    public var networkSegment: String?
    public var clinicalUse: String?
    public var storesEPHI: Bool?
    public var baaStatus: String?
    public var supportEndDate: String?
    public var installedVersion: String?

    public init(_ record: DeviceRecord) {
        id = record.id
        assetTag = record.assetTag
        make = record.make
        model = record.model
        serialNumber = record.serialNumber
        location = record.location
        owner = record.owner
        networkSegment = record.networkSegment
        clinicalUse = record.clinicalUse
        storesEPHI = record.storesEPHI
        baaStatus = record.baaStatus
        supportEndDate = record.supportEndDate
        installedVersion = record.installedVersion
    }
}

/// The latest posture entry of one artifact verified for a device.
public struct ArtifactPosture: Sendable, Codable, Hashable {
    /// The posture entry (evidence: `fwgate inventory show <entryID>`).
    public var entryID: Int64
    public var artifactPath: String
    public var artifactSHA256: String?
    public var format: String
    public var version: String?
    public var verdict: Verdict
    /// Codes of the failed checks, sorted, each once.
    public var failedChecks: [String]
    /// Codes of the warnings, sorted, each once.
    public var warningChecks: [String]
    /// Signer name, else certificate subject, else nil (unsigned, or the signature was not checked).
    public var signer: String?
    public var signerFingerprint: String?
    /// The earliest expiry among the certificates that signed it (nil for raw keys).
    public var signerExpiry: Date?
    /// False when the image carries no signature (`signature.missing`, `policy.unsigned-format`).
    public var signed: Bool
    /// True when a publicly known test key signed it (`key.known-test-key`).
    public var knownTestKey: Bool
    public var recordedAt: Date
    public var entryHash: String
    public var toolVersion: String
}

/// One device's posture at ``FleetPosture/at``.
public struct DevicePosture: Sendable, Encodable, Hashable {
    public var device: FleetDevice
    public var status: DevicePostureStatus
    /// The worst verdict among the latest entries (nil when never verified).
    public var verdict: Verdict?
    public var lastVerified: Date?
    /// The firmware version of the most recent entry.
    public var firmwareVersion: String?
    /// The signer of the most recent entry.
    public var signer: String?
    /// The earliest expiry of the device's update signers: from its latest entries and from the
    /// certificates sweeps found in its artifacts.
    public var signerExpiry: Date?
    /// The vendor's support end date as a time (midnight UTC), when it parses.
    public var supportEnd: Date?
    public var supportEnded: Bool
    /// Whether a BAA is on record (`baaStatus` says signed / yes / on file / active / executed).
    public var baaOnRecord: Bool
    /// The latest entry of each artifact, most recent first.
    public var artifacts: [ArtifactPosture]
    /// This device's findings, most severe first.
    public var findings: [RiskFinding]
    /// The score of the most severe finding (0 when none).
    public var riskScore: Int

    /// JSON leaves `findings` out (they are the top-level `risks` with this `deviceID`, in the
    /// same order), keeping their number: a fleet's report would otherwise carry every finding twice.
    enum CodingKeys: String, CodingKey {
        case device, status, verdict, lastVerified, firmwareVersion, signer, signerExpiry, supportEnd, supportEnded, baaOnRecord, artifacts
        case findingCount, riskScore
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(device, forKey: .device)
        try container.encode(status, forKey: .status)
        try container.encodeIfPresent(verdict, forKey: .verdict)
        try container.encodeIfPresent(lastVerified, forKey: .lastVerified)
        try container.encodeIfPresent(firmwareVersion, forKey: .firmwareVersion)
        try container.encodeIfPresent(signer, forKey: .signer)
        try container.encodeIfPresent(signerExpiry, forKey: .signerExpiry)
        try container.encodeIfPresent(supportEnd, forKey: .supportEnd)
        try container.encode(supportEnded, forKey: .supportEnded)
        try container.encode(baaOnRecord, forKey: .baaOnRecord)
        try container.encode(artifacts, forKey: .artifacts)
        try container.encode(findings.count, forKey: .findingCount)
        try container.encode(riskScore, forKey: .riskScore)
    }
}

/// How bad a finding is, from its score.
public enum RiskSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case critical, high, medium, low

    public init(score: Int) {
        switch score {
        case 85...: self = .critical
        case 60..<85: self = .high
        case 35..<60: self = .medium
        default: self = .low
        }
    }

    var rank: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rank < rhs.rank }
}

/// One entry of the risk register.
public struct RiskFinding: Sendable, Codable, Hashable {
    public var deviceID: String
    /// 0...100; ranks the register (see ``FleetRisk``).
    public var score: Int
    public var severity: RiskSeverity
    /// A check code (`integrity.digest-mismatch`, ...) or a posture code (`posture.stale`, ...).
    public var code: String
    /// `failed` or `warning` for a check; `finding` for a posture code.
    public var status: String
    /// What is wrong, in a sentence.
    public var title: String
    /// The evidence: the posture entry, and when.
    public var entryID: Int64?
    public var date: Date?
    public var artifactPath: String?
    /// What to do next, in plain words.
    public var nextStep: String
}

/// The fleet summary.
public struct FleetSummary: Sendable, Codable {
    public var devices: Int
    public var counts: PostureCounts
    /// Posture entries up to `at` (with or without a device).
    public var entries: Int
    /// Of those, entries recorded without a device (procurement checks of a model).
    public var entriesWithoutDevice: Int
    /// Failing check codes, by how many devices they hit (most first).
    public var failingChecks: [CodeCount]
    /// Firmware versions per model, with their verdicts.
    public var firmwareByModel: [ModelFirmware]
    /// Devices whose latest firmware is unsigned.
    public var unsignedFirmware: [DeviceArtifactRef]
    /// Devices whose latest firmware is signed with a publicly known test key.
    public var knownTestKeys: [DeviceArtifactRef]
    /// Devices whose update signer expired or expires within `signerWarningDays`.
    public var signersExpiring: [SignerExpiry]
    /// Devices past their vendor's support end date.
    public var supportEnded: [SupportEnded]
    /// Devices that store ePHI without a BAA on record.
    public var ephiWithoutBAA: [EPHIWithoutBAA]

    public struct CodeCount: Sendable, Codable, Hashable {
        public var code: String
        public var devices: Int
    }

    public struct ModelFirmware: Sendable, Codable, Hashable {
        public var make: String?
        public var model: String?
        public var versions: [VersionVerdicts]
    }

    /// One firmware version of a model: how many of its latest entries passed, warned, failed.
    public struct VersionVerdicts: Sendable, Codable, Hashable {
        public var version: String?
        public var pass: Int
        public var warn: Int
        public var fail: Int
        public var devices: [String]
    }

    public struct DeviceArtifactRef: Sendable, Codable, Hashable {
        public var deviceID: String
        public var entryID: Int64
        public var artifactPath: String
        public var version: String?
        public var signer: String?
    }

    public struct SignerExpiry: Sendable, Codable, Hashable {
        public var deviceID: String
        public var signer: String?
        public var notAfter: Date
        /// Whole days from `at`, rounded down (negative once expired).
        public var daysLeft: Int
    }

    public struct SupportEnded: Sendable, Codable, Hashable {
        public var deviceID: String
        public var supportEndDate: String
        public var daysPast: Int
    }

    public struct EPHIWithoutBAA: Sendable, Codable, Hashable {
        public var deviceID: String
        public var baaStatus: String?
    }
}
