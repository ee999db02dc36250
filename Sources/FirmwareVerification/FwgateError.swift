import FirmwareCrypto
import Foundation

/// A problem in the environment, not in the content being verified: a missing file, an
/// unreadable trust file or policy, a bad option, a database failure. The CLI exits 2.
/// Two errors compare equal when their codes are equal.
public struct FwgateError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        case fileNotFound = "file-not-found"
        case unreadableInput = "unreadable-input"
        case invalidTrust = "invalid-trust"
        case invalidPolicy = "invalid-policy"
        case usage
        case database
        case io
    }

    public let code: Code
    public let reason: String

    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { reason }

    /// The same error with `prefix: ` added in front (context added as the error rises).
    public func prefixed(_ prefix: String) -> FwgateError { FwgateError(code, "\(prefix): \(reason)") }

    public static func == (lhs: FwgateError, rhs: FwgateError) -> Bool { lhs.code == rhs.code }
}

extension InputFile {
    /// Reads a whole file the user named (policy, trust file, device list, manifest) through
    /// ``InputFile/read(_:limit:)``: FIFOs, sockets and devices are refused at once, and the error
    /// names the file in fwgate's words.
    ///
    /// - Throws: `FwgateError(.fileNotFound)` when nothing is at `path`,
    ///   `FwgateError(.unreadableInput)` when it cannot be read or is not a regular file.
    public static func readInput(_ path: String, limit: Int = 64 << 20) throws(FwgateError) -> Data {
        do {
            return try read(path, limit: limit)
        } catch {
            throw FwgateError(isMissing(path) ? .fileNotFound : .unreadableInput, error.reason)
        }
    }
}
