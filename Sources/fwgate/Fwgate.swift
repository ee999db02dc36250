import ArgumentParser
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
@main
enum FwgateMain {
    static func main() {
        // `fwgate --version` is answered before argument-parser builds the command tree (every
        // subcommand's configuration and option metadata): scripts call it to stamp their logs,
        // and it then starts as fast as `openssl version` (Benchmarks/startup.sh). The output is
        // argument-parser's own: the version and a newline.
        if CommandLine.arguments.dropFirst() == ["--version"] {
            print(FwgateVersion.string)
            Terminal.flushStandardOutput()
            exit(0)
        }
        let status: Int32
        do {
            var command = try Fwgate.parseAsRoot()
            if let asyncCommand = command as? any AsyncParsableCommand {
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
