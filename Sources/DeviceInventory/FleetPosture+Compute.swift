import FirmwareFormats
import FirmwareVerification
import Foundation

extension FleetPosture {
    /// One posture entry reduced to what the posture-over-time chart needs.
    public struct TimelineEntry: Sendable, Hashable {
        public var deviceID: String
        public var artifactPath: String
        public var recordedAt: Date
        public var verdict: Verdict

        public init(deviceID: String, artifactPath: String, recordedAt: Date, verdict: Verdict) {
            self.deviceID = deviceID
            self.artifactPath = artifactPath
            self.recordedAt = recordedAt
            self.verdict = verdict
        }
    }

    /// How many weekly points the posture-over-time chart has.
    public static let historyWeeks = 12
    /// Default window for update signers expiring soon.
    public static let defaultSignerWarningDays = 90

    /// Computes the fleet's posture from what the inventory holds (pure: no clock, no database).
    ///
    /// - Parameters:
    ///   - devices: every device.
    ///   - latest: the latest entry per (device, artifact path) recorded at or before `at`.
    ///   - timeline: every entry with a device recorded at or before `at` (for the chart).
    ///   - signerCertificates: per device, notAfter of the certificates sweeps found in its artifacts.
    ///   - entries: entries up to `at`, with or without a device.
    ///   - entriesWithoutDevice: of those, the ones without a device.
    ///   - at: the context time.
    ///   - staleAfter: a device last verified longer ago than this is `stale`.
    ///   - signerWarning: update signers expiring within this are listed.
    public init(
        devices: [DeviceRecord], latest: [PostureEntry], timeline: [TimelineEntry], signerCertificates: [String: [Date]] = [:],
        entries: Int, entriesWithoutDevice: Int, at: Date, staleAfter: TimeInterval,
        signerWarning: TimeInterval = TimeInterval(defaultSignerWarningDays) * 86_400
    ) {
        self.at = at
        self.staleAfterDays = Int((staleAfter / 86_400).rounded(.down))
        self.signerWarningDays = Int((signerWarning / 86_400).rounded(.down))

        var latestByDevice: [String: [PostureEntry]] = [:]
        for entry in latest {
            guard let id = entry.deviceID, entry.recordedAt <= at else { continue }
            latestByDevice[id, default: []].append(entry)
        }

        var postures: [DevicePosture] = []
        postures.reserveCapacity(devices.count)
        for record in devices.sorted(by: { $0.id < $1.id }) {
            postures.append(
                Self.posture(
                    of: record, latest: latestByDevice[record.id] ?? [], signerCertificates: signerCertificates[record.id] ?? [], at: at,
                    staleAfter: staleAfter, signerWarning: signerWarning))
        }
        self.devices = postures
        self.risks = postures.flatMap(\.findings).sorted(by: Self.moreSevere)
        self.summary = Self.summary(postures, entries: entries, entriesWithoutDevice: entriesWithoutDevice, at: at, signerWarning: signerWarning)
        self.history = Self.history(devices: devices.map(\.id), timeline: timeline, at: at, staleAfter: staleAfter)
    }

    /// Register order: higher score first, then the newer evidence, then device id and code.
    static func moreSevere(_ a: RiskFinding, _ b: RiskFinding) -> Bool {
        if a.score != b.score { return a.score > b.score }
        if a.deviceID != b.deviceID { return a.deviceID < b.deviceID }
        return a.code < b.code
    }

    /// Whether a BAA status says an agreement is on record.
    static func baaOnRecord(_ status: String?) -> Bool {
        guard let status = status?.trimmingCharacters(in: .whitespaces).lowercased(), !status.isEmpty else { return false }
        return ["signed", "yes", "true", "on file", "on-file", "active", "executed", "in place"].contains(status)
    }

    static func posture(
        of record: DeviceRecord, latest: [PostureEntry], signerCertificates: [Date], at: Date, staleAfter: TimeInterval,
        signerWarning: TimeInterval
    ) -> DevicePosture {
        let device = FleetDevice(record)
        let ephi = record.storesEPHI == true
        let weight = ephi ? FleetRisk.ephiWeight : 0
        var findings: [RiskFinding] = []

        let artifacts = latest.sorted { ($0.recordedAt, $0.id ?? 0) > ($1.recordedAt, $1.id ?? 0) }.map(Self.artifact)
        for artifact in artifacts {
            for code in artifact.failedChecks {
                let score = min(100, FleetRisk.failedScore(code) + weight)
                findings.append(
                    RiskFinding(
                        deviceID: device.id, score: score, severity: RiskSeverity(score: score), code: code, status: "failed",
                        title: "Failed in \(artifact.format) image \(artifact.artifactPath)", entryID: artifact.entryID, date: artifact.recordedAt,
                        artifactPath: artifact.artifactPath, nextStep: FleetRisk.nextStep(failed: code, entryID: artifact.entryID)))
            }
            for code in artifact.warningChecks {
                let score = min(100, FleetRisk.warningScore(code) + weight)
                findings.append(
                    RiskFinding(
                        deviceID: device.id, score: score, severity: RiskSeverity(score: score), code: code, status: "warning",
                        title: "Warning in \(artifact.format) image \(artifact.artifactPath)", entryID: artifact.entryID, date: artifact.recordedAt,
                        artifactPath: artifact.artifactPath, nextStep: FleetRisk.nextStep(warning: code, entryID: artifact.entryID)))
            }
        }

        func finding(_ code: String, _ title: String, entry: ArtifactPosture? = nil, date: Date? = nil, _ nextStep: String) {
            let score = min(100, FleetRisk.postureScore(code) + weight)
            findings.append(
                RiskFinding(
                    deviceID: device.id, score: score, severity: RiskSeverity(score: score), code: code, status: "finding", title: title,
                    entryID: entry?.entryID, date: date ?? entry?.recordedAt, artifactPath: entry?.artifactPath, nextStep: nextStep))
        }

        let newest = artifacts.first
        let lastVerified = newest?.recordedAt
        let verdict = artifacts.map(\.verdict).max()
        let status: DevicePostureStatus
        if let verdict, let lastVerified {
            if verdict == .fail {
                status = .fail
            } else if at.timeIntervalSince(lastVerified) > staleAfter {
                status = .stale
            } else {
                status = verdict == .warn ? .warn : .pass
            }
            if at.timeIntervalSince(lastVerified) > staleAfter {
                let days = Int((at.timeIntervalSince(lastVerified) / 86_400).rounded(.down))
                finding(
                    FleetRisk.stale, "Last verified \(days) days ago (older than \(Int(staleAfter / 86_400)) days)", entry: newest,
                    "Verify this device's firmware again (fwgate verify FILE --device \(device.id) --record, or add it to the batch manifest): its last result is too old to rely on.")
            }
        } else {
            status = .neverVerified
            finding(
                FleetRisk.neverVerified, "No firmware of this device was ever verified",
                "Verify the firmware this device runs (fwgate verify FILE --device \(device.id) --record, or add it to the batch manifest).")
        }

        var signerExpiry = artifacts.compactMap(\.signerExpiry).min()
        if let swept = signerCertificates.min() { signerExpiry = min(signerExpiry ?? swept, swept) }
        if let signerExpiry {
            let days = Self.daysLeft(until: signerExpiry, at: at)
            if signerExpiry < at {
                finding(
                    FleetRisk.signerExpired, "Update signer expired \(Self.day(signerExpiry)) (\(-days) days ago)", entry: newest,
                    date: signerExpiry,
                    "The device can take no further update signed under this signer. Ask the vendor how updates will be signed from now on, and plan for it.")
            } else if signerExpiry.timeIntervalSince(at) <= signerWarning {
                finding(
                    FleetRisk.signerExpiring, "Update signer expires \(Self.day(signerExpiry)) (in \(days) days)", entry: newest,
                    date: signerExpiry,
                    "Ask the vendor for its signing-key rollover plan and install any update that carries the new signer before \(Self.day(signerExpiry)).")
            }
        }

        let supportEnd = record.supportEndDate.flatMap(FleetDates.parse)
        let supportEnded = supportEnd.map { $0 < at } ?? false
        if supportEnded, let supportEnd, let text = record.supportEndDate {
            finding(
                FleetRisk.supportEnded, "Vendor support ended \(text)", date: supportEnd,
                "The vendor no longer ships fixes for this device. Plan its replacement; until then keep it isolated on a restricted network segment and monitor it.")
        }
        let baa = Self.baaOnRecord(record.baaStatus)
        if ephi && !baa {
            finding(
                FleetRisk.ephiWithoutBAA, "Stores or transmits ePHI, but no business associate agreement is on record (baaStatus: \(record.baaStatus ?? "empty"))",
                "Get a business associate agreement signed with the vendor, or record where the existing one is (baaStatus in devices.csv).")
        }

        findings.sort(by: Self.moreSevere)
        return DevicePosture(
            device: device, status: status, verdict: verdict, lastVerified: lastVerified, firmwareVersion: newest?.version,
            signer: newest?.signer, signerExpiry: signerExpiry, supportEnd: supportEnd, supportEnded: supportEnded, baaOnRecord: baa,
            artifacts: artifacts, findings: findings, riskScore: findings.first?.score ?? 0)
    }

    static func artifact(_ entry: PostureEntry) -> ArtifactPosture {
        var failed: Set<String> = []
        var warnings: Set<String> = []
        for check in CheckOutcomes.read(entry.checks) {
            switch check.status {
            case .failed: failed.insert(check.code)
            case .warning: warnings.insert(check.code)
            default: break
            }
        }
        let unsignedCodes = [CheckCode.signatureMissing.rawValue, CheckCode.policyUnsignedFormat.rawValue]
        let signed = !unsignedCodes.contains { failed.contains($0) || warnings.contains($0) }
        let testKey = failed.contains(CheckCode.keyKnownTestKey.rawValue) || warnings.contains(CheckCode.keyKnownTestKey.rawValue)
        return ArtifactPosture(
            entryID: entry.id ?? 0, artifactPath: entry.artifactPath, artifactSHA256: entry.artifactSHA256, format: entry.format,
            version: entry.version, verdict: entry.verdict, failedChecks: failed.sorted(), warningChecks: warnings.sorted(),
            signer: entry.signerName ?? entry.signerSubject, signerFingerprint: entry.signerFingerprint, signerExpiry: entry.earliestExpiry,
            signed: signed, knownTestKey: testKey, recordedAt: entry.recordedAt, entryHash: entry.entryHash, toolVersion: entry.toolVersion)
    }

    static func summary(_ postures: [DevicePosture], entries: Int, entriesWithoutDevice: Int, at: Date, signerWarning: TimeInterval)
        -> FleetSummary
    {
        var counts = PostureCounts()
        var codeDevices: [String: Int] = [:]
        struct ModelKey: Hashable { var make: String?; var model: String? }
        var models: [ModelKey: [String?: FleetSummary.VersionVerdicts]] = [:]
        var unsigned: [FleetSummary.DeviceArtifactRef] = []
        var testKeys: [FleetSummary.DeviceArtifactRef] = []
        var signers: [FleetSummary.SignerExpiry] = []
        var supportEnded: [FleetSummary.SupportEnded] = []
        var ephi: [FleetSummary.EPHIWithoutBAA] = []
        for posture in postures {
            counts[posture.status] += 1
            let id = posture.device.id
            for code in Set(posture.artifacts.flatMap(\.failedChecks)) { codeDevices[code, default: 0] += 1 }
            let key = ModelKey(make: posture.device.make, model: posture.device.model)
            var versions = models[key] ?? [:]
            for artifact in posture.artifacts {
                var row = versions[artifact.version] ?? FleetSummary.VersionVerdicts(version: artifact.version, pass: 0, warn: 0, fail: 0, devices: [])
                switch artifact.verdict {
                case .pass: row.pass += 1
                case .warn: row.warn += 1
                case .fail: row.fail += 1
                }
                if row.devices.last != id { row.devices.append(id) }
                versions[artifact.version] = row
            }
            models[key] = versions
            for artifact in posture.artifacts {
                let ref = FleetSummary.DeviceArtifactRef(
                    deviceID: id, entryID: artifact.entryID, artifactPath: artifact.artifactPath, version: artifact.version, signer: artifact.signer)
                if !artifact.signed { unsigned.append(ref) }
                if artifact.knownTestKey { testKeys.append(ref) }
            }
            if let expiry = posture.signerExpiry, expiry.timeIntervalSince(at) <= signerWarning {
                signers.append(.init(deviceID: id, signer: posture.signer, notAfter: expiry, daysLeft: daysLeft(until: expiry, at: at)))
            }
            if posture.supportEnded, let end = posture.supportEnd, let text = posture.device.supportEndDate {
                supportEnded.append(.init(deviceID: id, supportEndDate: text, daysPast: -daysLeft(until: end, at: at)))
            }
            if posture.device.storesEPHI == true && !posture.baaOnRecord {
                ephi.append(.init(deviceID: id, baaStatus: posture.device.baaStatus))
            }
        }
        let failing = codeDevices.map { FleetSummary.CodeCount(code: $0.key, devices: $0.value) }
            .sorted { ($0.devices, $1.code) > ($1.devices, $0.code) }
        let firmware = models.map { key, versions in
            FleetSummary.ModelFirmware(
                make: key.make, model: key.model,
                versions: versions.values.sorted { ($0.version ?? "") < ($1.version ?? "") })
        }.sorted { ($0.make ?? "", $0.model ?? "") < ($1.make ?? "", $1.model ?? "") }
        return FleetSummary(
            devices: postures.count, counts: counts, entries: entries, entriesWithoutDevice: entriesWithoutDevice, failingChecks: failing,
            firmwareByModel: firmware, unsignedFirmware: unsigned, knownTestKeys: testKeys,
            signersExpiring: signers.sorted { ($0.notAfter, $0.deviceID) < ($1.notAfter, $1.deviceID) },
            supportEnded: supportEnded.sorted { ($0.supportEndDate, $0.deviceID) < ($1.supportEndDate, $1.deviceID) }, ephiWithoutBAA: ephi)
    }

    /// Devices by posture at the end of each of the last ``historyWeeks`` weeks (the last point
    /// is `at` itself), judged with the entries recorded up to each point.
    static func history(devices: [String], timeline: [TimelineEntry], at: Date, staleAfter: TimeInterval) -> [PosturePoint] {
        let points = (0..<historyWeeks).map { at.addingTimeInterval(-Double(historyWeeks - 1 - $0) * 7 * 86_400) }
        var byDevice: [String: [TimelineEntry]] = [:]
        for entry in timeline where entry.recordedAt <= at { byDevice[entry.deviceID, default: []].append(entry) }
        var counts = Array(repeating: PostureCounts(), count: points.count)
        for id in devices {
            let entries = (byDevice[id] ?? []).sorted { $0.recordedAt < $1.recordedAt }
            var latest: [String: Verdict] = [:]
            var last: Date?
            var next = 0
            for (index, point) in points.enumerated() {
                while next < entries.count, entries[next].recordedAt <= point {
                    latest[entries[next].artifactPath] = entries[next].verdict
                    last = entries[next].recordedAt
                    next += 1
                }
                let status: DevicePostureStatus
                if let last, let verdict = latest.values.max() {
                    if verdict == .fail {
                        status = .fail
                    } else if point.timeIntervalSince(last) > staleAfter {
                        status = .stale
                    } else {
                        status = verdict == .warn ? .warn : .pass
                    }
                } else {
                    status = .neverVerified
                }
                counts[index][status] += 1
            }
        }
        return zip(points, counts).map { PosturePoint(at: $0, counts: $1) }
    }

    /// Whole days from `at` to `end`, rounded down (negative once passed).
    static func daysLeft(until end: Date, at: Date) -> Int { Int((end.timeIntervalSince(at) / 86_400).rounded(.down)) }

    /// `2026-06-01`.
    static func day(_ date: Date) -> String { String(RFC3339.string(date).prefix(10)) }
}
