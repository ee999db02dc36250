import DeviceInventory
import FirmwareFormats
import Foundation

/// Writes a ``FleetPosture`` as JSON (`inventory report --format json`, schema `fwgate.fleet/1`):
/// the same document `JSONEncoder` makes of its `Encodable` form (keys sorted, dates RFC 3339,
/// absent optionals left out), compact, written directly: on 100,000 entries Foundation's encoder
/// took most of the report's time. A test compares the two.
enum FleetJSON {
    static func render(_ posture: FleetPosture) -> String {
        let w = Writer()
        w.out.reserveCapacity(4_096 + posture.devices.count * 1_500 + posture.risks.count * 500)
        w.object {
            w.field("at") { w.date(posture.at) }
            w.field("devices") { w.array(posture.devices) { device($0, w) } }
            w.field("history") {
                w.array(posture.history) { point in
                    w.object {
                        w.field("at") { w.date(point.at) }
                        w.field("counts") { counts(point.counts, w) }
                    }
                }
            }
            w.field("risks") { w.array(posture.risks) { risk($0, w) } }
            w.field("schema") { w.string(posture.schema) }
            w.field("signerWarningDays") { w.int(posture.signerWarningDays) }
            w.field("staleAfterDays") { w.int(posture.staleAfterDays) }
            w.field("summary") { summary(posture.summary, w) }
        }
        w.out.append(0x0A)
        return String(decoding: w.out, as: UTF8.self)
    }

    static func counts(_ c: PostureCounts, _ w: Writer) {
        w.object {
            w.field("fail") { w.int(c.fail) }
            w.field("neverVerified") { w.int(c.neverVerified) }
            w.field("pass") { w.int(c.pass) }
            w.field("stale") { w.int(c.stale) }
            w.field("warn") { w.int(c.warn) }
        }
    }

    static func device(_ d: DevicePosture, _ w: Writer) {
        w.object {
            w.field("artifacts") { w.array(d.artifacts) { artifact($0, w) } }
            w.field("baaOnRecord") { w.bool(d.baaOnRecord) }
            w.field("device") {
                let f = d.device
                w.object {
                    w.optional("assetTag", f.assetTag) { w.string($0) }
                    w.optional("baaStatus", f.baaStatus) { w.string($0) }
                    w.optional("clinicalUse", f.clinicalUse) { w.string($0) }
                    w.field("id") { w.string(f.id) }
                    w.optional("installedVersion", f.installedVersion) { w.string($0) }
                    w.optional("location", f.location) { w.string($0) }
                    w.optional("make", f.make) { w.string($0) }
                    w.optional("model", f.model) { w.string($0) }
                    w.optional("networkSegment", f.networkSegment) { w.string($0) }
                    w.optional("owner", f.owner) { w.string($0) }
                    w.optional("serialNumber", f.serialNumber) { w.string($0) }
                    w.optional("storesEPHI", f.storesEPHI) { w.bool($0) }
                    w.optional("supportEndDate", f.supportEndDate) { w.string($0) }
                }
            }
            w.field("findingCount") { w.int(d.findings.count) }
            w.optional("firmwareVersion", d.firmwareVersion) { w.string($0) }
            w.optional("lastVerified", d.lastVerified) { w.date($0) }
            w.field("riskScore") { w.int(d.riskScore) }
            w.optional("signer", d.signer) { w.string($0) }
            w.optional("signerExpiry", d.signerExpiry) { w.date($0) }
            w.field("status") { w.string(d.status.rawValue) }
            w.optional("supportEnd", d.supportEnd) { w.date($0) }
            w.field("supportEnded") { w.bool(d.supportEnded) }
            w.optional("verdict", d.verdict) { w.string($0.rawValue) }
        }
    }

    static func artifact(_ a: ArtifactPosture, _ w: Writer) {
        w.object {
            w.field("artifactPath") { w.string(a.artifactPath) }
            w.optional("artifactSHA256", a.artifactSHA256) { w.string($0) }
            w.field("entryHash") { w.string(a.entryHash) }
            w.field("entryID") { w.int(a.entryID) }
            w.field("failedChecks") { w.array(a.failedChecks) { w.string($0) } }
            w.field("format") { w.string(a.format) }
            w.field("knownTestKey") { w.bool(a.knownTestKey) }
            w.field("recordedAt") { w.date(a.recordedAt) }
            w.field("signed") { w.bool(a.signed) }
            w.optional("signer", a.signer) { w.string($0) }
            w.optional("signerExpiry", a.signerExpiry) { w.date($0) }
            w.optional("signerFingerprint", a.signerFingerprint) { w.string($0) }
            w.field("toolVersion") { w.string(a.toolVersion) }
            w.field("verdict") { w.string(a.verdict.rawValue) }
            w.optional("version", a.version) { w.string($0) }
            w.field("warningChecks") { w.array(a.warningChecks) { w.string($0) } }
        }
    }

    static func risk(_ r: RiskFinding, _ w: Writer) {
        w.object {
            w.optional("artifactPath", r.artifactPath) { w.string($0) }
            w.field("code") { w.string(r.code) }
            w.optional("date", r.date) { w.date($0) }
            w.field("deviceID") { w.string(r.deviceID) }
            w.optional("entryID", r.entryID) { w.int($0) }
            w.field("nextStep") { w.string(r.nextStep) }
            w.field("score") { w.int(r.score) }
            w.field("severity") { w.string(r.severity.rawValue) }
            w.field("status") { w.string(r.status) }
            w.field("title") { w.string(r.title) }
        }
    }

    static func summary(_ s: FleetSummary, _ w: Writer) {
        func ref(_ item: FleetSummary.DeviceArtifactRef) {
            w.object {
                w.field("artifactPath") { w.string(item.artifactPath) }
                w.field("deviceID") { w.string(item.deviceID) }
                w.field("entryID") { w.int(item.entryID) }
                w.optional("signer", item.signer) { w.string($0) }
                w.optional("version", item.version) { w.string($0) }
            }
        }
        w.object {
            w.field("counts") { counts(s.counts, w) }
            w.field("devices") { w.int(s.devices) }
            w.field("entries") { w.int(s.entries) }
            w.field("entriesWithoutDevice") { w.int(s.entriesWithoutDevice) }
            w.field("ephiWithoutBAA") {
                w.array(s.ephiWithoutBAA) { item in
                    w.object {
                        w.optional("baaStatus", item.baaStatus) { w.string($0) }
                        w.field("deviceID") { w.string(item.deviceID) }
                    }
                }
            }
            w.field("failingChecks") {
                w.array(s.failingChecks) { item in
                    w.object {
                        w.field("code") { w.string(item.code) }
                        w.field("devices") { w.int(item.devices) }
                    }
                }
            }
            w.field("firmwareByModel") {
                w.array(s.firmwareByModel) { model in
                    w.object {
                        w.optional("make", model.make) { w.string($0) }
                        w.optional("model", model.model) { w.string($0) }
                        w.field("versions") {
                            w.array(model.versions) { version in
                                w.object {
                                    w.field("devices") { w.array(version.devices) { w.string($0) } }
                                    w.field("fail") { w.int(version.fail) }
                                    w.field("pass") { w.int(version.pass) }
                                    w.optional("version", version.version) { w.string($0) }
                                    w.field("warn") { w.int(version.warn) }
                                }
                            }
                        }
                    }
                }
            }
            w.field("knownTestKeys") { w.array(s.knownTestKeys) { ref($0) } }
            w.field("signersExpiring") {
                w.array(s.signersExpiring) { item in
                    w.object {
                        w.field("daysLeft") { w.int(item.daysLeft) }
                        w.field("deviceID") { w.string(item.deviceID) }
                        w.field("notAfter") { w.date(item.notAfter) }
                        w.optional("signer", item.signer) { w.string($0) }
                    }
                }
            }
            w.field("supportEnded") {
                w.array(s.supportEnded) { item in
                    w.object {
                        w.field("daysPast") { w.int(item.daysPast) }
                        w.field("deviceID") { w.string(item.deviceID) }
                        w.field("supportEndDate") { w.string(item.supportEndDate) }
                    }
                }
            }
            w.field("unsignedFirmware") { w.array(s.unsignedFirmware) { ref($0) } }
        }
    }

    /// Compact JSON into UTF-8 bytes; the caller writes keys in sorted order.
    final class Writer {
        var out: [UInt8] = []
        private var first = [true]

        private func separator() {
            if first[first.count - 1] {
                first[first.count - 1] = false
            } else {
                out.append(0x2C)
            }
        }

        func object(_ body: () -> Void) {
            out.append(0x7B)
            first.append(true)
            body()
            first.removeLast()
            out.append(0x7D)
        }

        func array<T>(_ items: [T], _ element: (T) -> Void) {
            out.append(0x5B)
            first.append(true)
            for item in items {
                separator()
                element(item)
            }
            first.removeLast()
            out.append(0x5D)
        }

        func field(_ key: String, _ value: () -> Void) {
            separator()
            first.append(true)
            appendString(key)
            out.append(0x3A)
            value()
            first.removeLast()
        }

        func optional<T>(_ key: String, _ value: T?, _ write: (T) -> Void) {
            guard let value else { return }
            field(key) { write(value) }
        }

        func string(_ text: String) { appendString(text) }
        func int<T: BinaryInteger>(_ value: T) { out += Array(String(value).utf8) }
        func bool(_ value: Bool) { out += Array((value ? "true" : "false").utf8) }
        func date(_ date: Date) { appendString(RFC3339.string(date)) }

        /// A JSON string (RFC 8259 §7): `"`, `\` and control characters escaped, `/` as is
        /// (like the encoder's `.withoutEscapingSlashes`).
        private func appendString(_ text: String) {
            out.append(0x22)
            for byte in text.utf8 {
                switch byte {
                case 0x22: out += [0x5C, 0x22]
                case 0x5C: out += [0x5C, 0x5C]
                case 0x0A: out += [0x5C, 0x6E]
                case 0x0D: out += [0x5C, 0x72]
                case 0x09: out += [0x5C, 0x74]
                case 0x08: out += [0x5C, 0x62]
                case 0x0C: out += [0x5C, 0x66]
                case ..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    out += [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                default: out.append(byte)
                }
            }
            out.append(0x22)
        }
    }
}
