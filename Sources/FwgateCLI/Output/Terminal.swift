import FirmwareFormats
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where output goes: results to stdout, diagnostics and progress to stderr. Colour only on a
/// terminal and never when NO_COLOR is set.
enum Terminal {
    static var stdoutIsTTY: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTTY: Bool { isatty(STDERR_FILENO) == 1 }

    /// True when stdout is a terminal and NO_COLOR is unset or empty.
    static var colorAllowed: Bool {
        // `getenv`, not ProcessInfo's environment: that builds a dictionary of every variable.
        let noColor = getenv("NO_COLOR").map { String(cString: $0) } ?? ""
        return noColor.isEmpty && stdoutIsTTY && getenv("TERM").map { String(cString: $0) } != "dumb"
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func flushStandardOutput() { fflush(nil) }

    enum Color: String {
        case red = "31"
        case green = "32"
        case yellow = "33"
        case dim = "2"
        case bold = "1"
    }

    static func paint(_ text: String, _ color: Color, enabled: Bool) -> String {
        enabled ? "\u{1B}[\(color.rawValue)m\(text)\u{1B}[0m" : text
    }
}
