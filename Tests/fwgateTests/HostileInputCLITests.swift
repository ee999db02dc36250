import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Every command that takes a file, fed what is not a regular readable file (issue 9 item 1): a
/// FIFO with no writer (main hung in open(2) forever), a Unix socket, a folder, /dev/zero
/// (endless), an empty file and a file without read permission. Each run has a time limit, so
/// a hang fails the test instead of blocking the run; each must end with a non-zero exit and a
/// message in fwgate's words naming the file and what it is.
///
/// The unreadable case: root reads a chmod-000 file anyway, so when the tests run as root that
/// case runs as `nobody` through setpriv (BinaryRunner.runUnprivileged), and is skipped when
/// setpriv is missing.
@Suite struct HostileInputCLITests {
    enum Kind: String, CaseIterable, Sendable {
        case fifo, socket, folder, devZero = "dev-zero", empty, unreadable

        /// What the message must say.
        var phrase: String {
            switch self {
            case .fifo: "is a FIFO, not a regular file"
            case .socket: "is a socket, not a regular file"
            case .folder: "folder"
            case .devZero: "is a character device, not a regular file"
            case .empty: "empty"
            case .unreadable: "permission denied"
            }
        }
    }

    /// A scratch folder holding one input of each kind (and a writable folder for databases).
    struct Inputs {
        let root: URL
        let paths: [Kind: String]
        let dbFolder: URL

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("fwgate-hostile-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
            chmod(root.path, 0o755)
            var paths: [Kind: String] = [:]
            paths[.fifo] = root.appendingPathComponent("input.fifo").path
            #expect(mkfifo(paths[.fifo]!, 0o644) == 0)
            paths[.socket] = root.appendingPathComponent("input.sock").path
            try Self.bindSocket(paths[.socket]!)
            paths[.folder] = root.appendingPathComponent("input-folder").path
            try FileManager.default.createDirectory(atPath: paths[.folder]!, withIntermediateDirectories: true)
            paths[.devZero] = "/dev/zero"
            paths[.empty] = root.appendingPathComponent("input-empty.pem").path
            try Data().write(to: URL(fileURLWithPath: paths[.empty]!))
            paths[.unreadable] = root.appendingPathComponent("input-unreadable.pem").path
            try Data("secret\n".utf8).write(to: URL(fileURLWithPath: paths[.unreadable]!))
            chmod(paths[.unreadable]!, 0o000)
            self.paths = paths
            dbFolder = root.appendingPathComponent("db")
            try FileManager.default.createDirectory(at: dbFolder, withIntermediateDirectories: true)
            chmod(dbFolder.path, 0o777)
        }

        func remove() { try? FileManager.default.removeItem(at: root) }

        /// A listening-less Unix socket file at `path` (bind(2) creates it).
        static func bindSocket(_ path: String) throws {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw TestSupportError("socket() failed") }
            defer { close(fd) }
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            withUnsafeMutableBytes(of: &address.sun_path) { buffer in
                for (index, byte) in bytes.enumerated() where index < buffer.count - 1 { buffer[index] = byte }
            }
            let status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard status == 0 else { throw TestSupportError("bind(\(path)) failed") }
        }
    }

    static let root = ProjectPaths.root.path
    static let image = "\(root)/testvectors/mcuboot/ed25519.bin"
    static let key = "\(root)/testvectors/mcuboot/keys/test-ed25519.pub.pem"
    static let caRoot = "\(root)/testvectors/crypto/chains/root.pem"
    static let leaf = "\(root)/testvectors/crypto/chains/leaf-valid.pem"
    static let policy = "\(root)/keys-example/policy.yaml"
    static let at = ["--at", "2026-06-01T00:00:00Z"]

    /// One way of handing the input to fwgate.
    struct Use: Sendable, CustomTestStringConvertible {
        let name: String
        /// Builds the arguments for an input path (and a scratch folder for databases, manifests).
        let arguments: @Sendable (String, Inputs) throws -> [String]
        /// Kinds for which this use is a legitimate input (a folder to `certs sweep`), skipped.
        var skip: Set<Kind> = []
        var testDescription: String { name }
    }

    static let uses: [Use] = [
        Use(name: "verify FILE") { path, _ in ["verify", path, "--trust", key] + at },
        Use(name: "inspect FILE") { path, _ in ["inspect", path] },
        Use(name: "digest FILE") { path, _ in ["digest", path] },
        Use(name: "certs verify LEAF") { path, _ in ["certs", "verify", path, "--ca", caRoot] + at },
        Use(name: "certs verify --ca FILE") { path, _ in ["certs", "verify", leaf, "--ca", path] + at },
        Use(name: "certs show FILE") { path, _ in ["certs", "show", path] },
        Use(name: "certs sweep FILE", arguments: { path, _ in ["certs", "sweep", "--no-record", path] + at }, skip: [.folder]),
        Use(name: "batch MANIFEST") { path, inputs in
            ["batch", path, "--trust", key, "--db", inputs.dbFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path] + at
        },
        Use(name: "batch DIR holding the input") { path, inputs in
            let folder = inputs.root.appendingPathComponent("batch-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            chmod(folder.path, 0o755)
            let link = folder.appendingPathComponent("artifact.bin").path
            // A symbolic link: the walk and the open both follow it to the input itself.
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: path)
            return ["batch", folder.path, "--trust", key, "--db", inputs.dbFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path] + at
        },
        Use(name: "batch manifest naming the input") { path, inputs in
            let manifest = inputs.root.appendingPathComponent("manifest-\(UUID().uuidString).csv")
            try Data("file\n\(path)\n".utf8).write(to: manifest)
            chmod(manifest.path, 0o644)
            return ["batch", manifest.path, "--trust", key, "--db", inputs.dbFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path] + at
        },
        Use(name: "gate FILE") { path, _ in ["gate", path, "--policy", policy, "--no-record"] + at },
        Use(name: "devices import FILE") { path, inputs in
            ["devices", "import", path, "--db", inputs.dbFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path]
        },
        Use(name: "keys fingerprint FILE") { path, _ in ["keys", "fingerprint", path] },
        Use(name: "--policy FILE") { path, _ in ["verify", image, "--policy", path] + at },
        Use(name: "--trust FILE") { path, _ in ["verify", image, "--trust", path] + at },
        Use(name: "--db FILE (read)") { path, _ in ["inventory", "list", "--db", path] },
        // An empty file is an empty SQLite database: a recording command may start an inventory in it.
        Use(name: "--db FILE (write)", arguments: { path, _ in ["verify", image, "--trust", key, "--record", "--db", path] + at }, skip: [.empty]),
    ]

    static let cases: [(Use, Kind)] = uses.flatMap { use in Kind.allCases.filter { !use.skip.contains($0) }.map { (use, $0) } }

    @Test(arguments: cases)
    func refusedQuicklyWithAClearMessage(use: Use, kind: Kind) throws {
        if kind == .unreadable && getuid() == 0 && !BinaryRunner.canDropPrivileges {
            // Root reads a chmod-000 file, and without setpriv there is no one else to run as.
            return
        }
        let inputs = try Inputs()
        defer { inputs.remove() }
        let path = inputs.paths[kind]!
        let arguments = try use.arguments(path, inputs)
        let result =
            kind == .unreadable
            ? try BinaryRunner.runUnprivileged(arguments, timeout: 20) : try BinaryRunner.run(arguments, timeout: 20)
        #expect(!result.timedOut, "\(use.name) \(kind): hung")
        let output = result.stdout + result.stderr
        if use.name == "digest FILE" && kind == .empty {
            // The SHA-256 of nothing (FIPS 180-4 test value): a correct answer, not an error.
            #expect(result.status == 0)
            #expect(result.stdout.hasPrefix("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  "))
            return
        }
        #expect(result.status == 1 || result.status == 2, "\(use.name) \(kind): exit \(result.status)\n\(output)")
        #expect(output.contains(kind.phrase), "\(use.name) \(kind): \(output)")
        if kind != .empty && kind != .folder {
            // The batch over a folder names the link it found there.
            let name = use.name.hasPrefix("batch DIR") ? "artifact.bin" : URL(fileURLWithPath: path).lastPathComponent
            #expect(output.contains(name), "\(use.name) \(kind) does not name the file: \(output)")
        }
        for foreign in ["NSCocoaErrorDomain", "Error Domain", "You don't have permission", "SQLite error", "The operation could not"] {
            #expect(!output.contains(foreign), "\(use.name) \(kind): \(output)")
        }
    }
}
