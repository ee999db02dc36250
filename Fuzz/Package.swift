// swift-tools-version:6.0
//
// libFuzzer entry points, one per parser (parse only). Built with the fuzzer and address
// sanitizers by Fuzz/run.sh; kept out of the main package so a normal build needs no libFuzzer.
import PackageDescription

let package = Package(
    name: "fwgate-fuzz",
    dependencies: [.package(name: "fwgate", path: "..")],
    targets: [
        .executableTarget(
            name: "FuzzMCUboot",
            dependencies: [.product(name: "FirmwareFormats", package: "fwgate")],
            path: "MCUboot",
            exclude: ["corpus"]
        ),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: [.product(name: "FirmwareFormats", package: "fwgate")],
            path: "CSV",
            exclude: ["corpus"]
        ),
        .executableTarget(
            name: "FuzzESPIDF",
            dependencies: [.product(name: "FirmwareFormats", package: "fwgate")],
            path: "ESP32",
            exclude: ["corpus"]
        ),
    ]
)
