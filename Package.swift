// swift-tools-version:6.0
//
// fwgate: verifies firmware images, update packages and certificates for connected medical
// devices, and records the results in an append-only device posture inventory.
// Layers (DESIGN.md): fwgate -> FwgateCLI -> DeviceInventory -> FirmwareVerification
//                     -> FirmwareFormats -> FirmwareCrypto -> COpenSSL / CZlib. Arrows only point down.
// Two executables share FwgateCLI: `fwgate` (SQLite inventory) and `fwgate-pg` (the same
// commands plus the PostgreSQL backend, PostgresBackend over postgres-nio). fwgate hands every
// run that names a postgresql:// inventory to fwgate-pg, so it never links SwiftNIO: a binary
// half the size, which starts and verifies small images faster (README, issue 10).
import PackageDescription

/// How the release executables are linked (the documented build, `swift build -c release
/// --static-swift-stdlib`): with the toolchain's lld instead of gold, so that
/// - `--no-export-dynamic` keeps the executable's own ~45,000 Swift symbols out of the dynamic
///   symbol table (nothing loads fwgate as a library; the Swift runtime's `dladdr` at start-up
///   scanned them all);
/// - `-z pack-relative-relocs` stores the ~100,000 relative relocations as DT_RELR (a few KiB
///   instead of 3 MiB of RELA the loader reads at every start; glibc 2.36 or later).
/// Together, on this machine: `fwgate --version` 6.4 ms -> 4.9 ms before the PostgreSQL split.
///
/// - `Build/static-libstdc++` first on the library search path: its `libstdc++.so` is a linker
///   script naming `libstdc++.a`, so the C++ library the Swift runtime uses is linked in (GCC's
///   `-static-libstdc++`, which the Swift driver has no flag for) rather than loaded: the loader
///   no longer binds libstdc++.so.6's ~1,700 symbols at every start. Measured with a program
///   that only uses `NSString` and links fwgate's C libraries: 4.61 ms -> 3.62 ms (hyperfine
///   median, 300 runs). libgcc_s (the unwinder) stays shared. libstdc++ is covered by GCC's
///   runtime library exception.
/// - `--symbol-ordering-file=Build/symbol-order/fwgate.txt`: the ~2,000 functions that
///   `fwgate --version` and `fwgate verify` run (callgrind, `Build/symbol-order/make.sh`) are
///   placed first in the code, together. Scattered over the 21 MiB of code, they cost one page
///   fault per 64 KiB window touched: 59 for `fwgate --version`, now 19; a small verify 936 ->
///   850 faults in all, about 7% of its time on this 2-core virtual machine. Names the list has
///   and the executable lacks are skipped (`--no-warn-symbol-ordering`), so a stale list only
///   loses the gain. fwgate's own modules are compiled with one section per function
///   (`releaseSwiftSettings`) so that they can be placed function by function.
var releaseLinkerSettings: [LinkerSetting] {
    // The package folder, from this file's own path (the manifest has no Foundation).
    let packageFolder = #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
    let staticLibstdcxx = packageFolder + "/Build/static-libstdc++"
    let symbolOrder = packageFolder + "/Build/symbol-order/fwgate.txt"
    return [
        .unsafeFlags(
            [
                "-use-ld=lld", "-Xlinker", "--no-export-dynamic", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
                "-L", staticLibstdcxx,
                "-Xlinker", "--symbol-ordering-file=" + symbolOrder, "-Xlinker", "--no-warn-symbol-ordering",
            ],
            .when(platforms: [.linux], configuration: .release))
    ]
}

/// How fwgate's own modules are compiled in release: concrete generic types (`Set<CheckCode>`,
/// an `Option<String>` of a command) get their metadata from direct accessor calls instead of
/// from mangled names. A mangled name is resolved at run time, and each generic requirement in
/// it (`CheckCode: Hashable`) is looked up by scanning all ~7,800 protocol-conformance records
/// of the binary, once per process: a small `fwgate verify` did 67 such scans (perf probe on
/// the Swift runtime's scan loop), 13 fewer with this flag, for ~100 KB of code.
/// `-function-sections` gives each function its own section, for the symbol ordering above.
var releaseSwiftSettings: [SwiftSetting] {
    [
        .unsafeFlags(
            ["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors", "-Xfrontend", "-function-sections"],
            .when(configuration: .release))
    ]
}

let package = Package(
    name: "fwgate",
    products: [
        .executable(name: "fwgate", targets: ["fwgate"]),
        .executable(name: "fwgate-pg", targets: ["fwgate-pg"]),
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
            dependencies: ["COpenSSL", "CZlib"],
            swiftSettings: releaseSwiftSettings
        ),
        // Byte readers and one folder per format: pure parsers plus format verifiers.
        .target(
            name: "FirmwareFormats",
            dependencies: ["FirmwareCrypto"],
            swiftSettings: releaseSwiftSettings
        ),
        // Checks, verdicts, trust store, policy, reports.
        .target(
            name: "FirmwareVerification",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        // Posture entries, devices, certificates, audit chain (SQLite via GRDB), and the
        // protocol the PostgreSQL backend implements (CentralInventory).
        .target(
            name: "DeviceInventory",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                "FirmwareVerification",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        // The inventory in PostgreSQL (postgres-nio): linked by fwgate-pg and the tests only.
        .target(
            name: "PostgresBackend",
            dependencies: [
                "FirmwareFormats",
                "FirmwareVerification",
                "DeviceInventory",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        // The commands (argument-parser), runners and printers of both executables.
        .target(
            name: "FwgateCLI",
            dependencies: [
                "FirmwareCrypto",
                "FirmwareFormats",
                "FirmwareVerification",
                "DeviceInventory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: releaseSwiftSettings
        ),
        .executableTarget(
            name: "fwgate",
            dependencies: ["FwgateCLI"],
            linkerSettings: releaseLinkerSettings
        ),
        .executableTarget(
            name: "fwgate-pg",
            dependencies: ["FwgateCLI", "PostgresBackend"],
            linkerSettings: releaseLinkerSettings
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
                "DeviceInventory", "PostgresBackend", "FirmwareVerification", "FirmwareFormats", "FwgateTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["FirmwareCrypto", "FirmwareFormats", "FirmwareVerification", "FwgateTestSupport"]
        ),
        .testTarget(
            name: "fwgateTests",
            // fwgate and fwgate-pg: the tests run both binaries (PostgreSQL runs through the hand-off).
            dependencies: ["FwgateCLI", "fwgate", "fwgate-pg", "FwgateTestSupport", "FirmwareVerification", "FirmwareCrypto"],
            exclude: ["Snapshots"]
        ),
    ]
)

