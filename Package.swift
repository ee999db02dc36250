// swift-tools-version:6.0
//
// fwgate: verifies firmware images, update packages and certificates for connected medical
// devices, and records the results in an append-only device posture inventory.
// Layers (DESIGN.md): fwgate -> DeviceInventory -> FirmwareVerification -> FirmwareFormats
//                     -> FirmwareCrypto -> COpenSSL / CZlib. Arrows only point down.
import PackageDescription

let package = Package(
    name: "fwgate",
    products: [
        .executable(name: "fwgate", targets: ["fwgate"]),
        .library(name: "FirmwareVerification", targets: ["FirmwareVerification"]),
        // For the fuzz package in Fuzz/, whose entry points drive the production path.
        .library(name: "FirmwareFormats", targets: ["FirmwareFormats"]),
        .library(name: "FirmwareCrypto", targets: ["FirmwareCrypto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries: a module map and a shim header each; they compile nothing.
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // The only target that imports COpenSSL / CZlib (`internal import`).
        .target(
            name: "FirmwareCrypto",
            dependencies: ["COpenSSL", "CZlib"]
        ),
        // Byte readers and one folder per format: pure parsers plus format verifiers.
        .target(
            name: "FirmwareFormats",
            dependencies: ["FirmwareCrypto"]
        ),
        // Checks, verdicts, trust store, policy, reports.
        .target(
            name: "FirmwareVerification",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Posture entries, devices, certificates, audit chain (SQLite via GRDB; PostgreSQL via postgres-nio).
        .target(
            name: "DeviceInventory",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                "FirmwareVerification",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .executableTarget(
            name: "fwgate",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                "FirmwareVerification",
                "DeviceInventory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark baseline (Benchmarks/batch-record.sh): a bare GRDB insert loop.
        .executableTarget(
            name: "fwgate-inventory-bench",
            dependencies: ["DeviceInventory", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Benchmarks/InventoryBench"
        ),
        // Test-only helpers: vector loader, the generic format vector suite, binary runner.
        .target(
            name: "FwgateTestSupport",
            dependencies: ["FirmwareFormats", "FirmwareVerification"]
        ),
        .testTarget(
            name: "FirmwareCryptoTests",
            dependencies: ["FirmwareCrypto", "FirmwareFormats", "FirmwareVerification", "FwgateTestSupport"]
        ),
        .testTarget(
            name: "FirmwareFormatsTests",
            dependencies: ["FirmwareFormats", "FirmwareCrypto", "FirmwareVerification", "FwgateTestSupport"]
        ),
        .testTarget(
            name: "FirmwareVerificationTests",
            dependencies: ["FirmwareVerification", "FirmwareFormats", "FirmwareCrypto", "FwgateTestSupport"]
        ),
        .testTarget(
            name: "DeviceInventoryTests",
            dependencies: [
                "DeviceInventory", "FirmwareVerification", "FirmwareFormats", "FwgateTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["FirmwareCrypto", "FirmwareFormats", "FirmwareVerification", "FwgateTestSupport"]
        ),
        .testTarget(
            name: "fwgateTests",
            dependencies: ["fwgate", "FwgateTestSupport", "FirmwareVerification", "FirmwareCrypto"],
            exclude: ["Snapshots"]
        ),
    ]
)
