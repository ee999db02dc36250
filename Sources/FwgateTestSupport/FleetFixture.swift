import Foundation

/// A fleet inventory built the way a user builds one: README's main job on `keys-example/demo`
/// (seven devices, seven entries), plus four more devices verified with the real `fwgate verify
/// --record` against the committed vectors at chosen times:
///
/// | device | facts | entry | posture at `at` |
/// |---|---|---|---|
/// | `vent-icu-07` | ePHI, BAA `pending`, support ended 2024-12-31 | `ecdsa-p256-sig-flip.bin`, 10 days before: `signature.invalid` | fail |
/// | `lab-analyser-01` | no ePHI | demo `pump-x-1.4.0.bin`, 2 days before: known test key allowed | warn |
/// | `xray-02` | ePHI, BAA signed | `ecdsa-p256.bin`, 200 days before | stale (90 days) |
/// | `pump-legacy-09` | ePHI, BAA signed | none | never verified |
///
/// The demo's entries are recorded at the time the batch runs (before `at`).
public enum FleetFixture {
    public struct Built: Sendable {
        /// The inventory file.
        public var database: String
        /// The context time to report at (one hour after the build).
        public var at: Date
        /// The scratch folder holding it; remove it when done.
        public var directory: URL
    }

    public static let extraDevicesCSV = """
        id,assetTag,make,model,serialNumber,location,storesEPHI,baaStatus,supportEndDate,clinicalUse
        vent-icu-07,HX-40007,breathe,vent-v5,V5-000077,ICU bed 7,yes,pending,2024-12-31,ventilator
        lab-analyser-01,HX-30001,labcorp,analyzer-a2,A2-000001,Core lab,no,,2032-01-01,lab analyser
        xray-02,HX-50002,breathe,xray-x5,X5-000002,Radiology 2,yes,signed,2033-01-01,imaging
        pump-legacy-09,HX-10009,acme-medical,pump-x0,PX0-000009,Ward 2 bed 1,yes,signed,2031-12-31,infusion pump

        """

    /// Builds the inventory in a new scratch folder (runs the built `fwgate` binary).
    public static func build() throws -> Built {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let database = dir.appendingPathComponent("fwgate.sqlite").path
        let root = ProjectPaths.root.path
        let db = ["--db", database]
        func run(_ arguments: [String], allowing statuses: Set<Int32> = [0]) throws {
            let result = try BinaryRunner.run(arguments + db)
            guard statuses.contains(result.status) else {
                throw TestSupportError("fwgate \(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
            }
        }
        try run(["devices", "import", "keys-example/demo/devices.csv"])
        try run(["batch", "keys-example/demo/manifest.csv", "--policy", "keys-example/policy.yaml", "--quiet"], allowing: [1])
        let csv = dir.appendingPathComponent("more-devices.csv")
        try Data(extraDevicesCSV.utf8).write(to: csv)
        try run(["devices", "import", csv.path])
        let policy = dir.appendingPathComponent("policy.yaml")
        try Data(
            """
            version: 1
            vendors:
              - name: labcorp
                keys: [\(root)/keys-example/vendor-keys/ecdsa-p256.pub.pem]
                formats: [mcuboot]
              - name: breathe
                keys: [\(root)/testvectors/mcuboot/keys/test-ecdsa-p256.pub.pem]
                formats: [mcuboot]
            knownTestKeys:
              allowUnsafe:
                - b0ec0431d91115ff37274a5f24e9a263952df7bc394e76cc5d24b46c141f395a  # keys-example/vendor-keys/ecdsa-p256.pub.pem

            """.utf8
        ).write(to: policy)
        let at = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 3_600)
        func time(daysBefore days: Double) -> String {
            ISO8601DateFormatter().string(from: at.addingTimeInterval(-days * 86_400))
        }
        let verify = ["verify", "--policy", policy.path, "--record"]
        try run(verify + ["testvectors/mcuboot/ecdsa-p256-sig-flip.bin", "--device", "vent-icu-07", "--at", time(daysBefore: 10)], allowing: [1])
        try run(verify + ["keys-example/demo/firmware/pump-x-1.4.0.bin", "--device", "lab-analyser-01", "--at", time(daysBefore: 2)])
        try run(verify + ["testvectors/mcuboot/ecdsa-p256.bin", "--device", "xray-02", "--at", time(daysBefore: 200)])
        return Built(database: database, at: at, directory: dir)
    }
}
