import DeviceInventory
import FirmwareFormats
import FirmwareVerification
import Foundation
import FwgateTestSupport
import Testing

/// The fleet posture model over a real inventory: README's main job on keys-example/demo plus
/// four devices verified with `fwgate verify --record` (``FleetFixture``).
@Suite struct FleetPostureTests {
    static let staleAfter: TimeInterval = 90 * 86_400

    @Test func everyDeviceHasItsPostureAndFindings() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let inventory = try Inventory.open(path: built.database)
        let posture = try inventory.fleetPosture(at: built.at, staleAfter: Self.staleAfter)

        let expected: [String: (DevicePostureStatus, Set<String>)] = [
            "pump-icu-01": (.warn, []), "pump-icu-02": (.warn, []), "monitor-or-01": (.warn, []),
            "pump-ward-03": (.fail, ["integrity.digest-mismatch"]), "pump-ward-04": (.fail, ["rollback.version"]),
            "pump-ward-05": (.fail, ["key.untrusted"]), "monitor-or-02": (.fail, ["signature.missing"]),
            "vent-icu-07": (.fail, ["signature.invalid"]), "lab-analyser-01": (.warn, []), "xray-02": (.stale, []),
            "pump-legacy-09": (.neverVerified, []),
        ]
        #expect(posture.devices.map(\.device.id) == expected.keys.sorted())
        for device in posture.devices {
            let (status, failing) = try #require(expected[device.device.id])
            #expect(device.status == status, "\(device.device.id)")
            #expect(Set(device.artifacts.flatMap(\.failedChecks)) == failing, "\(device.device.id)")
        }
        var counts = PostureCounts()
        counts.fail = 5
        counts.warn = 4
        counts.stale = 1
        counts.neverVerified = 1
        #expect(posture.summary.counts == counts)
        #expect(posture.summary.devices == 11)
        #expect(posture.summary.entries == 10)
        #expect(posture.history.last?.counts == counts)
        #expect(posture.history.count == FleetPosture.historyWeeks)

        // The demo's known-test-key warnings name the example keys.
        let icu = try #require(posture.devices.first { $0.device.id == "pump-icu-01" })
        #expect(icu.artifacts.first?.warningChecks == ["key.known-test-key"])
        #expect(icu.signer == "acme-medical/ecdsa-p256")
        #expect(icu.firmwareVersion == "1.4.0+0")
        #expect(icu.artifacts.first?.knownTestKey == true)

        // Each artifact is its stored entry, field for field.
        for device in posture.devices {
            for artifact in device.artifacts {
                let entry = try #require(try inventory.entry(artifact.entryID))
                #expect(entry.deviceID == device.device.id)
                #expect(entry.artifactPath == artifact.artifactPath && entry.artifactSHA256 == artifact.artifactSHA256)
                #expect(entry.format == artifact.format && entry.version == artifact.version && entry.verdict == artifact.verdict)
                #expect(entry.signerFingerprint == artifact.signerFingerprint && entry.earliestExpiry == artifact.signerExpiry)
                #expect((entry.signerName ?? entry.signerSubject) == artifact.signer)
                #expect(entry.recordedAt == artifact.recordedAt && entry.entryHash == artifact.entryHash && entry.toolVersion == artifact.toolVersion)
                #expect(Set(entry.decodedChecks.filter { $0.status == .failed }.map(\.code.rawValue)) == Set(artifact.failedChecks))
            }
        }

        // Summary lists.
        #expect(posture.summary.unsignedFirmware.map(\.deviceID) == ["monitor-or-02"])
        #expect(Set(posture.summary.knownTestKeys.map(\.deviceID)) == ["lab-analyser-01", "monitor-or-01", "pump-icu-01", "pump-icu-02", "pump-ward-03", "pump-ward-04"])
        #expect(posture.summary.supportEnded.map(\.deviceID) == ["vent-icu-07"])
        #expect(posture.summary.ephiWithoutBAA.map(\.deviceID) == ["vent-icu-07"])
        #expect(posture.summary.failingChecks.count == 5)
        #expect(posture.summary.failingChecks.allSatisfy { $0.devices == 1 })
        let pumpX2 = try #require(posture.summary.firmwareByModel.first { $0.model == "pump-x2" })
        #expect(pumpX2.versions.map(\.version) == ["1.0.0+0", "1.2.0+0", "1.4.0+0"])
        #expect(pumpX2.versions.map(\.fail) == [1, 1, 1])
    }

    @Test func theRiskRegisterRanksByHarmWithEvidence() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let inventory = try Inventory.open(path: built.database)
        let posture = try inventory.fleetPosture(at: built.at, staleAfter: Self.staleAfter)
        let risks = posture.risks

        // A failing signature on an ePHI ventilator outranks a warning on a lab analyser.
        let vent = try #require(risks.firstIndex { $0.deviceID == "vent-icu-07" && $0.code == "signature.invalid" })
        let lab = try #require(risks.firstIndex { $0.deviceID == "lab-analyser-01" && $0.code == "key.known-test-key" })
        #expect(vent < lab)
        #expect(risks[vent].severity == .critical)
        #expect(risks[vent].score == 100)
        #expect(risks[lab].severity == .medium)
        #expect(risks[lab].score == 40)
        // The same warning weighs more on an ePHI pump than on the lab analyser.
        let pumpWarning = try #require(risks.first { $0.deviceID == "pump-icu-01" && $0.code == "key.known-test-key" })
        #expect(pumpWarning.score > risks[lab].score)
        #expect(zip(risks, risks.dropFirst()).allSatisfy { $0.score >= $1.score })

        // Every check finding points at the entry that holds the check, with its date.
        for risk in risks where risk.status != "finding" {
            let id = try #require(risk.entryID)
            let entry = try #require(try inventory.entry(id))
            #expect(entry.deviceID == risk.deviceID)
            #expect(entry.recordedAt == risk.date)
            let status: Check.Status = risk.status == "failed" ? .failed : .warning
            #expect(entry.decodedChecks.contains { $0.code.rawValue == risk.code && $0.status == status }, "\(risk.code) in entry \(id)")
            #expect(!risk.nextStep.isEmpty)
        }
        // Device findings, in plain words.
        let codes = Set(risks.filter { $0.status == "finding" }.map { "\($0.deviceID) \($0.code)" })
        #expect(
            codes == [
                "vent-icu-07 posture.support-ended", "vent-icu-07 posture.ephi-without-baa", "xray-02 posture.stale",
                "pump-legacy-09 posture.never-verified",
            ])
        let stale = try #require(risks.first { $0.code == FleetRisk.stale })
        #expect(stale.title.contains("200 days ago"))
        #expect(stale.entryID != nil)
        let supportEnd = try #require(risks.first { $0.code == FleetRisk.supportEnded })
        #expect(supportEnd.nextStep.contains("replacement"))
    }

    @Test func atIgnoresLaterEntriesAndStaleFollowsTheThreshold() throws {
        let built = try FleetFixture.build()
        defer { try? FileManager.default.removeItem(at: built.directory) }
        let inventory = try Inventory.open(path: built.database)

        // Before anything was recorded: every device never verified.
        let before = try inventory.fleetPosture(at: built.at.addingTimeInterval(-300 * 86_400), staleAfter: Self.staleAfter)
        #expect(before.devices.allSatisfy { $0.status == .neverVerified })
        #expect(before.summary.entries == 0)

        // 150 days before: only xray-02's entry exists, and it is 50 days old: not stale.
        let early = try inventory.fleetPosture(at: built.at.addingTimeInterval(-150 * 86_400), staleAfter: Self.staleAfter)
        #expect(early.devices.first { $0.device.id == "xray-02" }?.status == .pass)
        #expect(early.summary.entries == 1)

        // With a 365-day threshold xray-02 is no longer stale.
        let lenient = try inventory.fleetPosture(at: built.at, staleAfter: 365 * 86_400)
        #expect(lenient.devices.first { $0.device.id == "xray-02" }?.status == .pass)
        #expect(lenient.staleAfterDays == 365)
    }

    /// Update signers from certificates: expired, expiring inside the window, and far off.
    @Test func updateSignerExpiryIsJudgedAtTheContextTime() throws {
        let at = RFC3339.parse("2026-06-01T00:00:00Z")!
        let inventory = try Inventory.inMemory()
        var devices: [DeviceRecord] = []
        for id in ["expired", "soon", "later"] {
            var device = DeviceRecord(id: id, updatedAt: at)
            device.make = "acme"
            device.model = "m1"
            device.storesEPHI = false
            devices.append(device)
        }
        try inventory.upsert(devices)
        let expiries = ["expired": "2026-05-01T00:00:00Z", "soon": "2026-07-01T00:00:00Z", "later": "2027-06-01T00:00:00Z"]
        for (id, expiry) in expiries {
            let report = VerificationReport(
                file: "\(id).bin", sha256: String(repeating: "c", count: 64), format: "mcuboot", signed: true, version: "2.0.0",
                signer: Signer(name: "CN=Acme Update Signer"), earliestExpiry: RFC3339.parse(expiry),
                checks: [Check(.signatureInvalid, .passed, subject: id, "signature verifies")])
            try inventory.record(report, deviceID: id, size: 1, policyDigest: nil, toolVersion: "t", at: at.addingTimeInterval(-86_400))
        }
        let posture = try inventory.fleetPosture(at: at, staleAfter: 90 * 86_400)
        #expect(posture.summary.signersExpiring.map(\.deviceID) == ["expired", "soon"])
        #expect(posture.summary.signersExpiring.map(\.daysLeft) == [-31, 30])
        let codes = posture.risks.map { "\($0.deviceID) \($0.code) \($0.severity.rawValue)" }
        #expect(codes == ["expired posture.signer-expired high", "soon posture.signer-expiring low"])
        #expect(posture.devices.first { $0.device.id == "later" }?.signerExpiry == RFC3339.parse("2027-06-01T00:00:00Z"))
        #expect(posture.devices.allSatisfy { $0.status == .pass })
    }
}
