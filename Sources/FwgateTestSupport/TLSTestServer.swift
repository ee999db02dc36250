import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `openssl s_server` on 127.0.0.1 and a port the kernel picks, serving one certificate (and
/// optionally an extra chain). Its output goes to a file; stdin is a pipe that stays open, so
/// the server never sees end of input. `stop()` kills it.
public final class TLSTestServer {
    public let port: UInt16
    private let process: Process
    private let input: Pipe
    private let log: URL

    public let host: String

    /// - Parameter host: `127.0.0.1` or `::1`.
    public init(certificate: String, chain: String? = nil, options: [String] = [], host: String = "127.0.0.1") throws {
        self.host = host
        let listen = host.contains(":") ? "[\(host)]" : host
        var arguments = ["s_server", "-accept", "\(listen):0", "-cert", try TLSTestServer.vector("\(certificate).pem"), "-key", try TLSTestServer.vector("\(certificate).key")]
        if let chain { arguments += ["-cert_chain", try TLSTestServer.vector("\(chain).pem")] }
        arguments += options
        log = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-s_server-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        input = Pipe()
        process = Process()
        process.executableURL = try TLSTestServer.executable("openssl")
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        guard let port = TLSTestServer.waitForPort(log: log, process: process, prefix: "ACCEPT \(listen):") else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: log)
            throw TestSupportError("openssl \(arguments.joined(separator: " ")) did not start: \(text)")
        }
        self.port = port
    }

    /// s_server prints "ACCEPT 127.0.0.1:<port>" (or "ACCEPT [::1]:<port>") once it listens.
    private static func waitForPort(log: URL, process: Process, prefix: String) -> UInt16? {
        let start = ContinuousClock.now
        while process.isRunning && ContinuousClock.now - start < .seconds(20) {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return UInt16(line.dropFirst(prefix.count))
            }
            usleep(20_000)
        }
        return nil
    }

    public func stop() {
        if process.isRunning {
            // SIGKILL, not terminate(): the child inherits the test runner's signal mask, in
            // which SIGTERM is blocked.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? input.fileHandleForWriting.close()
        try? FileManager.default.removeItem(at: log)
    }

    /// `testvectors/tls/<file>`.
    static func vector(_ file: String) throws -> String { try TestVectors.path("tls/\(file)") }

    /// The first `name` on PATH.
    static func executable(_ name: String) throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw TestSupportError("\(name) is not on PATH")
    }

    /// A TCP port on 127.0.0.1 that nothing listens on (bound, read, released).
    public static func closedPort() throws -> UInt16 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError("socket: \(errno)") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard bound == 0, named == 0 else { throw TestSupportError("bind/getsockname on 127.0.0.1: \(errno)") }
        return UInt16(bigEndian: address.sin_port)
    }
}
