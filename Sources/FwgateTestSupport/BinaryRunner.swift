import Foundation


/// Runs the built `fwgate` binary and captures stdout, stderr and the exit status, so tests pin
/// all three. [ArgumentParser `AssertExecuteCommand`]
public enum BinaryRunner {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// True when the run was killed for passing its time limit (`status` is then -1).
        public var timedOut = false
    }

    /// The `fwgate` executable built beside the test bundle.
    public static func executable() throws -> URL {
        let candidates: [URL] = {
            var list: [URL] = []
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                list.append(URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent("fwgate"))
            }
            list.append(ProjectPaths.root.appendingPathComponent(".build/debug/fwgate"))
            return list
        }()
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate.path) {
            return candidate
        }
        throw TestSupportError("the fwgate binary was not found (looked in \(candidates.map(\.path)))")
    }

    /// Runs `fwgate arguments...` in `directory` (the package root by default).
    ///
    /// - Parameters:
    ///   - arguments: command-line arguments.
    ///   - environment: extra variables (NO_COLOR is always set so output is plain).
    ///   - unsetting: variables removed from the child's environment (e.g. `NO_COLOR`).
    ///   - directory: the working directory.
    ///   - timeout: a time limit in seconds: past it the child is killed and the result says
    ///     `timedOut` (a hang then fails the test instead of blocking the run).
    public static func run(
        _ arguments: [String], environment: [String: String] = [:], unsetting: Set<String> = [], directory: URL? = nil,
        timeout: TimeInterval? = nil
    ) throws -> Result {
        try runProgram(try executable(), arguments, environment: environment, unsetting: unsetting, directory: directory, timeout: timeout)
    }

    /// Whether ``runUnprivileged(_:timeout:)`` really drops privileges: only when running as
    /// root and util-linux `setpriv` is there. Otherwise the run is as the current user, who is
    /// not root, so file permissions apply anyway.
    public static var canDropPrivileges: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")
    }

    /// Runs `fwgate arguments...` as an unprivileged user (`nobody`, through `setpriv`) when the
    /// tests run as root, so that file permissions apply as they would for an auditor; as the
    /// current user otherwise.
    public static func runUnprivileged(_ arguments: [String], timeout: TimeInterval? = 60) throws -> Result {
        guard canDropPrivileges else { return try run(arguments, timeout: timeout) }
        return try runProgram(
            URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=65534", "--regid=65534", "--clear-groups", try executable().path] + arguments,
            environment: [:], unsetting: [], directory: URL(fileURLWithPath: "/"), timeout: timeout)
    }

    public static func runProgram(
        _ program: URL, _ arguments: [String], environment: [String: String], unsetting: Set<String>, directory: URL? = nil,
        timeout: TimeInterval? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = directory ?? ProjectPaths.root
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (key, value) in environment { env[key] = value }
        for key in unsetting { env[key] = nil }
        process.environment = env
        // Files, not pipes: a pipe that fills up would block the child.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        var timedOut = false
        if let timeout {
            if exited.wait(timeout: .now() + timeout) == .timedOut {
                timedOut = true
                kill(process.processIdentifier, SIGKILL)
                exited.wait()
            }
        } else {
            exited.wait()
        }
        try out.close()
        try err.close()
        var result = Result(
            status: timedOut ? -1 : process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
        result.timedOut = timedOut
        return result
    }

    /// Runs `fwgate arguments...` on a pseudo-terminal, as a user at a terminal would (colour is
    /// allowed only there), through util-linux `script`. stdout and stderr both reach the
    /// terminal, so the result's `stdout` holds both (with the terminal's `\r\n` made `\n`) and
    /// `stderr` is empty.
    ///
    /// - Parameters:
    ///   - arguments: command-line arguments.
    ///   - environment: extra variables (NO_COLOR is set unless `unsetting` removes it).
    ///   - unsetting: variables removed from the child's environment.
    public static func runOnTerminal(
        _ arguments: [String], environment: [String: String] = [:], unsetting: Set<String> = []
    ) throws -> Result {
        func quoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
        let command = ([try executable().path] + arguments).map(quoted).joined(separator: " ")
        var env = environment
        env["TERM"] = env["TERM"] ?? "xterm"
        let result = try BinaryRunner.runProgram(
            URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", command, "/dev/null"], environment: env, unsetting: unsetting)
        return Result(status: result.status, stdout: result.stdout.replacingOccurrences(of: "\r\n", with: "\n"), stderr: result.stderr)
    }
}
