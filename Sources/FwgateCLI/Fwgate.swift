import ArgumentParser
import DeviceInventory
import FirmwareCrypto
import FirmwareFormats
import FirmwareVerification
import Foundation

/// The root command. Subcommands only gather options; runners do the work; printers render.
struct Fwgate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fwgate",
        abstract: "Verify firmware images, update packages and certificates of connected medical devices.",
        discussion: """
            Exit codes: 0 everything passed (warnings allowed), 1 at least one artifact failed \
            verification, 2 usage or input error (missing file, unreadable trust material).
            """,
        version: FwgateVersion.string,
        subcommands: [
            FormatsCommand.self, InspectCommand.self, VerifyCommand.self, DigestCommand.self, KeysCommand.self, CertsCommand.self, DevicesCommand.self,
            InventoryCommand.self, BatchCommand.self, GateCommand.self,
        ]
    )
}

/// fwgate's own entry point: argument-parser would exit 64 on usage errors and 1 on thrown
/// errors; DESIGN.md promises 0 / 1 / 2.
///
/// `main` is synchronous: most commands do no asynchronous work (verify, digest, inspect, gate,
/// ...: `ParsableCommand`s) and run on the main thread, without starting the Swift concurrency
/// runtime's threads. An async `main` ran every command on a dispatch worker thread and hopped
/// to the cooperative pool; on a loaded 2-core machine those hand-offs cost more wall time
/// than verifying a small image (Benchmarks/verify.sh). Commands that need tasks (`batch`,
/// `certs sweep`) stay `AsyncParsableCommand`s and run through ``runBlocking(_:)``.
public enum FwgateMain {
    /// Opens `postgresql://` inventories: set once, by `fwgate-pg`'s entry point, before any
    /// command runs (and before any other thread exists); `nil` in `fwgate`, which hands such
    /// runs to `fwgate-pg` (``handOffToCentralBackend()``).
    nonisolated(unsafe) static var centralOpener: CentralInventoryOpener?

    /// Runs the command line and exits.
    ///
    /// - Parameter central: the PostgreSQL backend, when this executable links it.
    public static func main(central: CentralInventoryOpener?) -> Never {
        centralOpener = central
        // `fwgate --version` is answered before argument-parser builds the command tree (every
        // subcommand's configuration and option metadata): scripts call it to stamp their logs,
        // and it then costs little more than loading the binary (Benchmarks/startup.sh). The
        // output is argument-parser's own: the version and a newline.
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(FwgateVersion.string)
            Terminal.flushStandardOutput()
            exit(0)
        }
        CryptoLibrary.initializeForProcess()
        let status: Int32
        do {
            var command = try parseLeafDirectly(Array(CommandLine.arguments.dropFirst())) ?? Fwgate.parseAsRoot()
            if isAsync(type(of: command)), let asyncCommand = command as? any AsyncParsableCommand {
                try runBlocking(asyncCommand)
            } else {
                try command.run()
            }
            status = 0
        } catch {
            status = report(error)
        }
        Terminal.flushStandardOutput()
        exit(status)
    }

    /// The command, parsed by its own type when the command line names a leaf subcommand
    /// (`verify`, `certs sweep`, ...) and parses cleanly; `nil` otherwise, and then the caller
    /// parses from the root as usual.
    ///
    /// argument-parser, given the root, builds the whole command tree (every subcommand's
    /// configuration) and the root's argument sets, by reflection, before it reaches the
    /// subcommand; parsing was the largest cost of a small `fwgate verify` after the digest
    /// itself, and this takes about a fifth off it (perf, 16 MiB MCUboot verify; issue 10). The
    /// root has no options of its own, so a leaf parses the same arguments to the same values
    /// either way (`LeafParseTests`). Anything that is not a clean parse goes the long way, so
    /// that help, usage lines and error messages name `fwgate <subcommand>` exactly as before:
    /// help, version and completion requests, and every parse or validation error. A plain
    /// `verify` line skips argument-parser altogether (``VerifyCommand/init(plain:)``).
    static func parseLeafDirectly(_ commandLine: [String]) -> (any ParsableCommand)? {
        var arguments = commandLine
        var type: any ParsableCommand.Type = Fwgate.self
        while let name = arguments.first,
            let next = type.configuration.subcommands.first(where: { $0._commandName == name })
        {
            type = next
            arguments.removeFirst()
        }
        guard type != Fwgate.self, type.configuration.subcommands.isEmpty else { return nil }
        if type == VerifyCommand.self, let plain = VerifyCommand(plain: arguments) { return plain }
        for argument in arguments {
            if argument == "--" { break }
            if argument == "-h" || argument == "--help" || argument == "help" || argument.hasPrefix("--generate-completion")
                || argument.hasPrefix("--experimental") || argument == "--version"
            {
                return nil
            }
        }
        return try? type.parseAsRoot(arguments)
    }

    /// `fwgate`'s first step: when the command line (or `$FWGATE_DB`) names a `postgresql://`
    /// inventory, the process becomes `fwgate-pg` (installed beside `fwgate`) with the same
    /// arguments, before anything is read or printed. fwgate itself does not link the
    /// PostgreSQL driver (SwiftNIO): it is half the size and starts faster. When fwgate-pg is
    /// not there this returns, and a command that opens the URL says what is missing.
    public static func handOffToCentralBackend() {
        // `getenv`, not ProcessInfo's environment: that builds a dictionary of every variable
        // at each start, for one value.
        let database = getenv("FWGATE_DB").map { String(cString: $0) }
        let arguments = CommandLine.arguments
        guard namesCentralInventory(arguments: arguments, database: database),
            let backend = centralBackendExecutable(), FileManager.default.isExecutableFile(atPath: backend)
        else { return }
        let reason = ProcessReplacement.exec(backend, arguments: [backend] + arguments.dropFirst())
        Terminal.printError("fwgate: error: could not start \(backend): \(reason)")
        exit(2)
    }

    /// True when an argument is a `postgresql://` URL (`--db URL`, `--db=URL`, `--to URL`, ...)
    /// or `database` (`$FWGATE_DB`) is one and no `--db` is given.
    static func namesCentralInventory(arguments: [String], database: String?) -> Bool {
        var givesDB = false
        for argument in arguments.dropFirst() {
            if argument == "--" { break }
            var value = argument
            if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
                value = String(argument[argument.index(after: equals)...])
                if argument.hasPrefix("--db=") { givesDB = true }
            }
            if argument == "--db" { givesDB = true }
            if PostgresLocation.isPostgres(value) { return true }
        }
        if !givesDB, let database, PostgresLocation.isPostgres(database) { return true }
        return false
    }

    /// `fwgate-pg` in the folder of the running executable.
    static func centralBackendExecutable() -> String? {
        guard let own = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("fwgate-pg").path
    }

    /// Opens a `postgresql://` inventory through the registered backend.
    ///
    /// - Throws: `FwgateError(.usage)` naming fwgate-pg when this executable has no backend.
    static func openCentral(_ url: String, access: Inventory.Access) throws(FwgateError) -> any CentralInventory {
        guard let centralOpener else {
            let expected = centralBackendExecutable() ?? "fwgate-pg"
            // The URL as messages show it: never its password.
            let shown = (try? PostgresLocation.parse(url).display) ?? "the postgresql:// URL"
            throw FwgateError(
                .usage,
                "\(shown): a PostgreSQL inventory is handled by fwgate-pg, which is not installed at \(expected) (build it beside fwgate: swift build -c release --static-swift-stdlib --product fwgate-pg)")
        }
        return try centralOpener.open(url, access)
    }

    /// The subcommands whose `run()` is async. A list, because asking a command `as? any
    /// AsyncParsableCommand` makes the Swift runtime scan every protocol-conformance record of
    /// the binary the first time it is asked for a type (a "no" included): 1.4% of a small
    /// `fwgate verify`'s instructions under callgrind. `AsyncCommandTests` walks the command
    /// tree and checks the list against the conformances.
    static let asyncCommands: [any ParsableCommand.Type] = [BatchCommand.self, CertsCommand.Sweep.self]

    static func isAsync(_ type: any ParsableCommand.Type) -> Bool {
        asyncCommands.contains { ObjectIdentifier($0) == ObjectIdentifier(type) }
    }

    /// Runs an async command on the cooperative pool while the main thread waits for it.
    ///
    /// - Throws: what the command throws.
    static func runBlocking(_ command: any AsyncParsableCommand) throws {
        let job = AsyncJob(command: command)
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            await job.run()
            done.signal()
        }
        done.wait()
        try job.outcome.get()
    }

    /// Prints an error (to stderr) or help/version (to stdout) and returns the exit status.
    static func report(_ error: any Error) -> Int32 {
        switch error {
        case let error as VerdictExit:
            return error.status
        case let error as FwgateError:
            Terminal.printError("fwgate: error: \(error.reason)")
            return 2
        case let error as CryptoError:
            Terminal.printError("fwgate: error: \(error)")
            return 2
        case let error as ExitCode:
            return error.rawValue == 0 ? 0 : (error.rawValue == 1 ? 1 : 2)
        default:
            let code = Fwgate.exitCode(for: error)
            let message = Fwgate.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                return 0
            }
            Terminal.printError(message)
            return 2
        }
    }
}

/// One async command handed from the waiting main thread to a task, and its outcome back.
private final class AsyncJob: @unchecked Sendable {
    // @unchecked Sendable: the main thread creates the job and then only waits on a semaphore
    // until the task has finished with it; the task signals after its last write to `outcome`,
    // so the two threads never touch `command` or `outcome` at the same time.
    private var command: any AsyncParsableCommand
    private(set) var outcome: Result<Void, any Error> = .success(())

    init(command: any AsyncParsableCommand) { self.command = command }

    func run() async {
        do {
            try await command.run()
        } catch {
            outcome = .failure(error)
        }
    }
}

/// Thrown by a command after it printed its results, to exit with 1 (something failed).
struct VerdictExit: Error {
    let status: Int32
    static let failed = VerdictExit(status: 1)
}

/// The version printed by `fwgate --version` and recorded with every posture entry.
enum FwgateVersion {
    static let string = "0.1.0"
}
