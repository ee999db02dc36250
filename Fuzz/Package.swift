// swift-tools-version:6.0
//
// libFuzzer entry points, one per format and one per shared reader, each in Fuzz/<Name>/ as
// Fuzz<Name>.swift with a seed corpus/ and a dictionary (<name>.dict). Targets are discovered
// from the folders, so a new format adds its folder and nothing here. FuzzSupport/ holds the
// production-path driver they share. Built with the fuzzer and address sanitizers by
// Fuzz/run.sh; kept out of the main package so a normal build needs no libFuzzer.
import Foundation
import PackageDescription

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
let folders = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted().filter { name in
    FileManager.default.fileExists(atPath: root.appendingPathComponent(name).appendingPathComponent("Fuzz\(name).swift").path)
}
let libraries: [Target.Dependency] = [
    .product(name: "FirmwareCrypto", package: "fwgate"),
    .product(name: "FirmwareFormats", package: "fwgate"),
    .product(name: "FirmwareVerification", package: "fwgate"),
]

let package = Package(
    name: "fwgate-fuzz",
    dependencies: [.package(name: "fwgate", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: libraries, path: "FuzzSupport")
    ]
        + folders.map { name in
            .executableTarget(
                name: "Fuzz\(name)", dependencies: libraries + ["FuzzSupport"], path: name,
                exclude: ["corpus", "\(name.lowercased()).dict"])
        }
)
