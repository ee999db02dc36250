import FirmwareCrypto
import Foundation
import FwgateTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

// Real TLS servers (`openssl s_server`) on 127.0.0.1 serving the committed test PKI in
// testvectors/tls/ (see generate.sh there), plus plain sockets that never speak TLS. Nothing
// but 127.0.0.1 is contacted (and "localhost" in the SNI test, which resolves to loopback).

@Suite struct TLSFetchTests {
    static let timeout: Duration = .seconds(3)

    // MARK: - Served chains

    @Test func validChainIsServedLeafFirstWithItsIntermediate() throws {
        let server = try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate")
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.chain == (try pem("valid-leaf") + pem("intermediate")))
        #expect(result.unreadableCertificates.isEmpty)
        #expect(result.protocolVersion == "TLSv1.3")
        #expect(result.cipher?.hasPrefix("TLS_") == true)
        // Our test root is not in the system store: recorded, not enforced.
        #expect(result.verification == "unable to get local issuer certificate")
        #expect(result.verificationCode == 20)
    }

    @Test func expiredLeafIsTakenAndRecordedAsServed() throws {
        let server = try OpenSSLServer(certificate: "expired-leaf", chain: "intermediate")
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.chain == (try pem("expired-leaf") + pem("intermediate")))
        let leaf = try #require(result.chain.first)
        #expect(leaf.notAfter == Date(timeIntervalSince1970: 1_609_459_200))  // 2021-01-01T00:00:00Z
        #expect(leaf.notAfter < Date())
        #expect(result.verification != nil && result.verification != "ok")
    }

    @Test func selfSignedCertificateIsTakenAndRecorded() throws {
        let server = try OpenSSLServer(certificate: "selfsigned")
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.chain == (try pem("selfsigned")))
        let leaf = try #require(result.chain.first)
        #expect(leaf.subject == leaf.issuer)
        #expect(leaf.info.selfSigned)
        #expect(result.verification == "self-signed certificate")
        #expect(result.verificationCode == 18)
    }

    @Test func incompleteChainServesTheLeafAlone() throws {
        let server = try OpenSSLServer(certificate: "valid-leaf")
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.chain == (try pem("valid-leaf")))
        let leaf = try #require(result.chain.first)
        #expect(leaf.issuer != leaf.subject)
        #expect(result.verification == "unable to get local issuer certificate")
    }

    @Test func tls12OnlyServerNegotiatesTLS12() throws {
        let server = try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate", options: ["-tls1_2"])
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.protocolVersion == "TLSv1.2")
        #expect(result.chain.count == 2)
    }

    @Test(.enabled(if: ipv6LoopbackWorks(), "no IPv6 loopback here"))
    func ipv6LoopbackEndpointIsFetched() throws {
        let server = try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate", host: "::1")
        defer { server.stop() }
        let endpoint = try TLSEndpoint(parsing: "[::1]:\(server.port)")
        let result = TLSCertificateFetcher.fetch(endpoint, timeout: Self.timeout)
        #expect(result.error == nil)
        #expect(result.chain == (try pem("valid-leaf") + pem("intermediate")))
    }

    /// Under TLS 1.2 the device sends its chain before it learns that no client certificate
    /// is coming; the chain is kept with the error.
    @Test func chainIsKeptWhenTheDeviceThenDemandsAClientCertificate() throws {
        let server = try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate", options: ["-tls1_2", "-Verify", "1"])
        defer { server.stop() }
        let result = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        guard case .handshake = result.error else {
            Issue.record("expected a handshake error, got \(String(describing: result.error))")
            return
        }
        #expect(result.chain == (try pem("valid-leaf") + pem("intermediate")))
        #expect(result.protocolVersion == "TLSv1.2")
        #expect(result.verification == "unable to get local issuer certificate")
    }

    /// s_server answers with its second certificate only when the SNI it receives matches.
    @Test func serverNameIsSentForNamesAndNotForAddresses() throws {
        let server = try OpenSSLServer(
            certificate: "valid-leaf",
            options: ["-servername", "localhost", "-cert2", vector("selfsigned.pem"), "-key2", vector("selfsigned.key")])
        defer { server.stop() }
        let byAddress = TLSCertificateFetcher.fetch(server.endpoint, timeout: Self.timeout)
        #expect(byAddress.error == nil)
        #expect(byAddress.chain == (try pem("valid-leaf")))

        let byName = TLSCertificateFetcher.fetch(
            TLSEndpoint(host: "localhost", port: server.port), timeout: Self.timeout)
        #expect(byName.error == nil)
        #expect(byName.chain == (try pem("selfsigned")))

        let explicit = TLSCertificateFetcher.fetch(
            TLSEndpoint(host: "127.0.0.1", port: server.port, serverName: "localhost"), timeout: Self.timeout)
        #expect(explicit.chain == (try pem("selfsigned")))
    }

    // MARK: - Failures

    @Test func listenerThatNeverSpeaksTLSTimesOutInTheHandshake() throws {
        let listener = try SilentListener(backlog: 8)
        let start = ContinuousClock.now
        let result = TLSCertificateFetcher.fetch(TLSEndpoint(host: "127.0.0.1", port: listener.port), timeout: .seconds(1))
        let elapsed = ContinuousClock.now - start
        #expect(result.error == .timeout(phase: "handshake"))
        #expect(result.chain.isEmpty)
        #expect(elapsed >= .milliseconds(900))
        // The deadline ended it: a broken timeout waits for the peer for minutes. Generous
        // bound, since a loaded two-core CI machine may schedule the thread late.
        #expect(elapsed < .seconds(5))
    }

    /// A listener whose accept queue is full drops new SYNs, so the TCP connection never
    /// completes.
    @Test func unansweredConnectTimesOutInConnect() throws {
        let listener = try SilentListener(backlog: 0)
        let fillers = try listener.fillAcceptQueue()
        defer { fillers.forEach { close($0) } }
        let start = ContinuousClock.now
        let result = TLSCertificateFetcher.fetch(TLSEndpoint(host: "127.0.0.1", port: listener.port), timeout: .seconds(1))
        let elapsed = ContinuousClock.now - start
        #expect(result.error == .timeout(phase: "connect"))
        #expect(elapsed < .seconds(5))  // not the kernel's two-minute connect timeout
    }

    @Test func closedPortIsRefusedQuickly() throws {
        let port = try closedPort()
        let start = ContinuousClock.now
        let result = TLSCertificateFetcher.fetch(TLSEndpoint(host: "127.0.0.1", port: port), timeout: Self.timeout)
        #expect(result.error == .refused)
        // Refused at once, not after the 3 s timeout.
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(result.error?.description == "the connection was refused (nothing listens on that port)")
    }

    @Test func serverThatAnswersWithSomethingElseFailsTheHandshake() throws {
        let server = try PlainTextServer(reply: "HTTP/1.0 400 Bad Request\r\n\r\n")
        let result = TLSCertificateFetcher.fetch(TLSEndpoint(host: "127.0.0.1", port: server.port), timeout: Self.timeout)
        guard case .handshake(let message) = result.error else {
            Issue.record("expected a handshake error, got \(String(describing: result.error))")
            return
        }
        #expect(message.contains("wrong version number") || message.contains("packet length too long"), "\(message)")
    }

    @Test func invalidHostIsAResolveErrorWithoutALookup() {
        // Checked before getaddrinfo, so no resolver is asked (these tests contact loopback only).
        let result = TLSCertificateFetcher.fetch(TLSEndpoint(host: "infusion pump", port: 443), timeout: Self.timeout)
        #expect(result.error == .resolve("'infusion pump' is neither an IP address nor a valid host name"))
    }

    // MARK: - Many endpoints

    @Test func fetchAllKeepsInputOrder() async throws {
        let valid = try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate")
        defer { valid.stop() }
        let selfSigned = try OpenSSLServer(certificate: "selfsigned")
        defer { selfSigned.stop() }
        let expired = try OpenSSLServer(certificate: "expired-leaf", chain: "intermediate")
        defer { expired.stop() }
        let closed = TLSEndpoint(host: "127.0.0.1", port: try closedPort())
        let endpoints = [
            valid.endpoint, closed, selfSigned.endpoint, expired.endpoint, valid.endpoint, selfSigned.endpoint,
            closed, expired.endpoint, valid.endpoint, selfSigned.endpoint,
        ]
        let results = await TLSCertificateFetcher.fetchAll(endpoints, timeout: Self.timeout, concurrency: 4)
        #expect(results.map(\.endpoint) == endpoints)
        let leaves = try [
            valid.endpoint: pem("valid-leaf")[0], selfSigned.endpoint: pem("selfsigned")[0],
            expired.endpoint: pem("expired-leaf")[0],
        ]
        for result in results {
            if result.endpoint == closed {
                #expect(result.error == .refused)
            } else {
                #expect(result.error == nil, "\(result.endpoint): \(String(describing: result.error))")
                #expect(result.chain.first == leaves[result.endpoint])
            }
        }
    }

    /// The concurrency limit holds: 4 fetches that each wait out a 500 ms timeout, 2 at a time,
    /// cannot finish in under two rounds. (A lower bound is logical, not a timing race. How many
    /// fetches really run side by side is measured by Benchmarks/tls-sweep.sh: an upper bound on
    /// wall time here would depend on what else the test run is doing.)
    @Test func fetchAllNeverRunsMoreThanConcurrencyAtOnce() async throws {
        let listener = try SilentListener(backlog: 32)
        let endpoints = Array(repeating: TLSEndpoint(host: "127.0.0.1", port: listener.port), count: 4)
        let start = ContinuousClock.now
        let bounded = await TLSCertificateFetcher.fetchAll(endpoints, timeout: .milliseconds(500), concurrency: 2)
        let boundedTime = ContinuousClock.now - start
        #expect(bounded.allSatisfy { $0.error == .timeout(phase: "handshake") })
        #expect(boundedTime >= .milliseconds(950), "4 slow fetches with 2 in flight took only \(boundedTime)")
    }

    /// Not a timed test: set FWGATE_TLS_BENCH=1 to print how long 50 loopback fetches (or
    /// FWGATE_TLS_BENCH_COUNT) take with 16 in flight, against 4 single-threaded s_server
    /// processes. Run it alone (`--filter fiftyLoopback`): it also checks that no descriptor
    /// leaks, which other tests running at the same time would disturb.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["FWGATE_TLS_BENCH"] == "1"))
    func fiftyLoopbackFetchesWithSixteenInFlight() async throws {
        let count = Int(ProcessInfo.processInfo.environment["FWGATE_TLS_BENCH_COUNT"] ?? "") ?? 50
        let servers = try (0..<4).map { _ in try OpenSSLServer(certificate: "valid-leaf", chain: "intermediate") }
        defer { servers.forEach { $0.stop() } }
        let endpoints = (0..<count).map { servers[$0 % servers.count].endpoint }
        let descriptorsBefore = openDescriptors()
        let start = ContinuousClock.now
        let results = await TLSCertificateFetcher.fetchAll(endpoints, timeout: .seconds(5), concurrency: 16)
        let elapsed = ContinuousClock.now - start
        #expect(results.allSatisfy { $0.error == nil && $0.chain.count == 2 })
        #expect(openDescriptors() == descriptorsBefore)
        print("TLS bench: \(count) loopback fetches, 16 in flight: \(elapsed)")
    }

    // MARK: - Parsing endpoints

    @Test(arguments: [
        ("127.0.0.1:443", "127.0.0.1", 443),
        ("[::1]:8443", "::1", 8443),
        ("[fd00::17]:443", "fd00::17", 443),
        ("infusion-07.ward3.example:443", "infusion-07.ward3.example", 443),
        ("device_01.local:65535", "device_01.local", 65535),
        ("localhost:1", "localhost", 1),
    ])
    func endpointParses(_ text: String, _ host: String, _ port: Int) throws {
        let endpoint = try TLSEndpoint(parsing: text)
        #expect(endpoint.host == host)
        #expect(Int(endpoint.port) == port)
        #expect(endpoint.serverName == nil)
        #expect(endpoint.description == text)
    }

    @Test(arguments: [
        ("", "the port is missing"),
        ("device", "the port is missing"),
        ("device:", "the port is empty"),
        (":443", "the host is empty"),
        ("device:0", "not between 1 and 65535"),
        ("device:65536", "not between 1 and 65535"),
        ("device:+443", "is not a number"),
        ("device:44 3", "is not a number"),
        ("::1:443", "needs brackets"),
        ("[::1]", "a port must follow"),
        ("[::1]443", "a port must follow"),
        ("[::1:443", "is not closed"),
        ("[not-v6]:443", "is not an IPv6 address"),
        ("[127.0.0.1]:443", "is not an IPv6 address"),
        ("dev ice:443", "neither an IPv4 address nor a valid host name"),
        ("-device:443", "neither an IPv4 address nor a valid host name"),
        ("10.0.0.256:443", "neither an IPv4 address nor a valid host name"),
    ])
    func badEndpointIsAClearError(_ text: String, _ why: String) {
        do {
            let endpoint = try TLSEndpoint(parsing: text)
            Issue.record("'\(text)' parsed as \(endpoint)")
        } catch {
            #expect(error.code == .malformedInput)
            #expect(error.reason.hasPrefix("'\(text)' is not a TLS endpoint"))
            #expect(error.reason.contains(why), "\(error.reason)")
        }
    }

    // MARK: - Helpers

    private func pem(_ name: String) throws -> [Certificate] {
        try Certificate.load(contentsOf: vector("\(name).pem"))
    }
}

private func vector(_ file: String) throws -> String { try TestVectors.path("tls/\(file)") }

/// The shared `openssl s_server` harness (FwgateTestSupport), under its old name here.
private typealias OpenSSLServer = TLSTestServer

extension TLSTestServer {
    var endpoint: TLSEndpoint { TLSEndpoint(host: host, port: port) }
}

/// A TCP listener on 127.0.0.1 that never accepts: connections complete in the kernel (up to
/// the backlog) and then nothing is ever said.
private final class SilentListener {
    let descriptor: Int32
    let port: UInt16

    init(backlog: Int32) throws {
        let (descriptor, port) = try boundSocket()
        self.descriptor = descriptor
        self.port = port
        guard listen(descriptor, backlog) == 0 else {
            throw TestSupportError("listen: \(errno)")
        }
    }

    deinit { close(descriptor) }

    /// Connects until the accept queue is full (a connection no longer completes within
    /// 300 ms); returns the sockets to close later.
    func fillAcceptQueue() throws -> [Int32] {
        var sockets: [Int32] = []
        for _ in 0..<8 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            sockets.append(fd)
            var address = loopback(port: port)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            if poll(&entry, 1, 300) == 0 { return sockets }
        }
        sockets.forEach { close($0) }
        throw TestSupportError("the accept queue of a backlog-0 listener never filled")
    }
}

/// Accepts one connection on 127.0.0.1, writes `reply` (not TLS) and closes.
private final class PlainTextServer: Sendable {
    let port: UInt16

    init(reply: String) throws {
        let (descriptor, port) = try boundSocket()
        self.port = port
        guard listen(descriptor, 1) == 0 else {
            close(descriptor)
            throw TestSupportError("listen: \(errno)")
        }
        let thread = Thread {
            defer { close(descriptor) }
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            let bytes = Array(reply.utf8)
            _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            // Let the client read the reply before the close.
            usleep(200_000)
        }
        thread.start()
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, read, released).
private func closedPort() throws -> UInt16 {
    let (descriptor, port) = try boundSocket()
    close(descriptor)
    return port
}

/// A TCP socket bound to 127.0.0.1 on a port the kernel picks.
private func boundSocket() throws -> (Int32, UInt16) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard descriptor >= 0 else { throw TestSupportError("socket: \(errno)") }
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let named = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard bound == 0, named == 0 else {
        close(descriptor)
        throw TestSupportError("bind/getsockname on 127.0.0.1: \(errno)")
    }
    return (descriptor, UInt16(bigEndian: address.sin_port))
}

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
    return address
}

/// The first `name` on PATH.
private func executable(_ name: String) throws -> URL {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    for directory in path.split(separator: ":") {
        let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    throw TestSupportError("\(name) is not on PATH")
}

/// True when a TCP socket can be bound to ::1.
private func ipv6LoopbackWorks() -> Bool {
    let descriptor = socket(AF_INET6, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in6()
    address.sin6_family = sa_family_t(AF_INET6)
    address.sin6_addr = in6addr_loopback
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
    } == 0
}

/// How many descriptors this process has open.
private func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
