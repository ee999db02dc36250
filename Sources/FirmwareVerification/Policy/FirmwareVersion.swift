import Foundation

/// A dotted numeric firmware version (`1.2.3`, `v2.0`, `1.2.3+45`), compared component by
/// component with missing components as 0 (`1.2` == `1.2.0`).
///
/// The build number after `+` is dropped: MCUboot's `boot_version_cmp`
/// (`boot/bootutil/src/loader.c`, later `boot_compare_version`) compares
/// `major.minor.revision`, and the build number only when built with
/// `MCUBOOT_VERSION_CMP_USE_BUILD_NUMBER` (off by default).
struct FirmwareVersion: Comparable, Sendable, CustomStringConvertible {
    let components: [UInt64]
    /// Whether a `+build` part was dropped.
    let hadBuild: Bool

    /// Parses `[v]N(.N)*[+anything]`; nil for anything else (pre-release tags, git describe
    /// suffixes, free text).
    init?(_ text: String) {
        var core = Substring(text.trimmingCharacters(in: .whitespaces))
        var hadBuild = false
        if let plus = core.firstIndex(of: "+") {
            core = core[..<plus]
            hadBuild = true
        }
        if core.first == "v" || core.first == "V" { core = core.dropFirst() }
        var components: [UInt64] = []
        for part in core.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.allSatisfy({ $0.isASCII && $0.isNumber }), let value = UInt64(part) else { return nil }
            components.append(value)
        }
        guard !components.isEmpty else { return nil }
        self.components = components
        self.hadBuild = hadBuild
    }

    var description: String { components.map(String.init).joined(separator: ".") }

    static func == (lhs: FirmwareVersion, rhs: FirmwareVersion) -> Bool { compare(lhs, rhs) == 0 }
    static func < (lhs: FirmwareVersion, rhs: FirmwareVersion) -> Bool { compare(lhs, rhs) < 0 }

    private static func compare(_ lhs: FirmwareVersion, _ rhs: FirmwareVersion) -> Int {
        for index in 0..<max(lhs.components.count, rhs.components.count) {
            let left = index < lhs.components.count ? lhs.components[index] : 0
            let right = index < rhs.components.count ? rhs.components[index] : 0
            if left != right { return left < right ? -1 : 1 }
        }
        return 0
    }
}
