// The TCP side of a TLS fetch: resolving, connecting and moving bytes, every step bounded by one
// deadline. Sockets are non-blocking and waited on with poll(2); nothing here blocks past the
// deadline except getaddrinfo, which therefore runs on its own thread (see `HostResolver`).

import Dispatch
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The instant by which a fetch must be over.
struct Deadline: Sendable {
    let instant: ContinuousClock.Instant

    init(after duration: Duration) { instant = ContinuousClock.now.advanced(by: max(duration, .zero)) }

    /// What is left, never negative.
    var remaining: Duration { max(.zero, ContinuousClock.now.duration(to: instant)) }

    var hasPassed: Bool { remaining == .zero }

    /// What is left in whole milliseconds, rounded up, for poll(2).
    var remainingMilliseconds: Int32 { Deadline.milliseconds(remaining) }

    /// A deadline `1/parts` of the way from now to this one (to share the time left between
    /// the addresses still to try).
    func share(_ parts: Int) -> Deadline {
        parts <= 1 ? self : Deadline(after: remaining / parts)
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
        return Int32(clamping: max(0, milliseconds))
    }
}

/// One address a host name resolved to, as a copy of its `sockaddr`.
struct ResolvedAddress: Sendable, Hashable, CustomStringConvertible {
    let family: Int32
    let bytes: [UInt8]

    /// The numeric address and port, `127.0.0.1:443` or `[::1]:443`.
    var description: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
        let status = withSockaddr { address, length in
            getnameinfo(address, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
        }
        guard status == 0 else { return "(unprintable address)" }
        let hostText = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let serviceText = String(decoding: service.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return family == AF_INET6 ? "[\(hostText)]:\(serviceText)" : "\(hostText):\(serviceText)"
    }

    /// Calls `body` with a properly aligned copy of the address.
    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var storage = sockaddr_storage()
        return withUnsafeMutableBytes(of: &storage) { raw in
            raw.copyBytes(from: bytes.prefix(raw.count))
            return raw.withMemoryRebound(to: sockaddr.self) { body($0.baseAddress!, socklen_t(bytes.count)) }
        }
    }
}

/// getaddrinfo(3) with a deadline.
///
/// Address literals are converted at once (`AI_NUMERICHOST`, no lookup). Names are resolved on
/// a thread of their own, because getaddrinfo cannot be interrupted: when the deadline passes
/// first, the fetch reports a timeout and that thread finishes (and frees its answer) alone.
enum HostResolver {
    static func resolve(_ endpoint: TLSEndpoint, deadline: Deadline) -> Result<[ResolvedAddress], TLSFetchError> {
        if endpoint.hostIsAddress {
            return lookUp(endpoint.host, port: endpoint.port, numericOnly: true)
        }
        guard TLSEndpoint.isHostName(endpoint.host) else {
            return .failure(.resolve("'\(endpoint.host)' is neither an IP address nor a valid host name"))
        }
        let request = Request()
        let host = endpoint.host
        let port = endpoint.port
        let thread = Thread {
            let answer = lookUp(host, port: port, numericOnly: false)
            request.answer.withLock { $0 = answer }
            request.done.signal()
        }
        thread.name = "fwgate-resolve"
        thread.start()
        let waited = request.done.wait(timeout: .now() + .milliseconds(Int(deadline.remainingMilliseconds)))
        guard waited == .success, let answer = request.answer.withLock({ $0 }) else {
            return .failure(.timeout(phase: "resolve"))
        }
        return answer
    }

    /// Where the resolving thread leaves its answer.
    private final class Request: Sendable {
        let answer = Mutex<Result<[ResolvedAddress], TLSFetchError>?>(nil)
        let done = DispatchSemaphore(value: 0)
    }

    private static func lookUp(_ host: String, port: UInt16, numericOnly: Bool) -> Result<[ResolvedAddress], TLSFetchError> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_protocol = Int32(IPPROTO_TCP)
        hints.ai_flags = AI_NUMERICSERV | (numericOnly ? AI_NUMERICHOST : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        defer { if let list { freeaddrinfo(list) } }
        guard status == 0 else {
            let message =
                status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            return .failure(.resolve("\(host): \(message)"))
        }
        var addresses: [ResolvedAddress] = []
        var entry = list
        while let current = entry {
            let info = current.pointee
            if let address = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6 {
                let raw = UnsafeRawBufferPointer(start: UnsafeRawPointer(address), count: Int(info.ai_addrlen))
                let resolved = ResolvedAddress(family: info.ai_family, bytes: Array(raw))
                if !addresses.contains(resolved) { addresses.append(resolved) }
            }
            entry = info.ai_next
        }
        if addresses.isEmpty { return .failure(.resolve("\(host): no IPv4 or IPv6 address")) }
        return .success(addresses)
    }
}

/// Owns one non-blocking TCP socket and closes it in `deinit`.
///
/// The descriptor never leaves this class: every use goes through a method, so the socket
/// stays open for as long as it is used.
final class TCPSocket {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }
    deinit { close(descriptor) }

    enum WaitOutcome { case ready, timedOut, failed(Int32) }

    /// Connects to the first address that accepts, giving each address an equal share of the
    /// time left, in the order the resolver returned them.
    static func connect(to addresses: [ResolvedAddress], deadline: Deadline) -> Result<TCPSocket, TLSFetchError> {
        var refused = 0
        var timedOut = 0
        var failures: [String] = []
        for (index, address) in addresses.enumerated() {
            if deadline.hasPassed { timedOut += 1; break }
            switch attempt(address, deadline: deadline.share(addresses.count - index)) {
            case .success(let socket): return .success(socket)
            case .failure(.refused): refused += 1
            case .failure(.timeout): timedOut += 1
            case .failure(let error): failures.append("\(address): \(error.messageText)")
            }
        }
        if refused == addresses.count { return .failure(.refused) }
        if timedOut > 0 { return .failure(.timeout(phase: "connect")) }
        if refused > 0 { return .failure(.refused) }
        return .failure(.io(failures.joined(separator: "; ")))
    }

    private static func attempt(_ address: ResolvedAddress, deadline: Deadline) -> Result<TCPSocket, TLSFetchError> {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let descriptor = Glibc.socket(address.family, type, Int32(IPPROTO_TCP))
        guard descriptor >= 0 else { return .failure(.io("socket: \(errorText(errno))")) }
        let socket = TCPSocket(descriptor: descriptor)
        var one: Int32 = 1
        // Handshake flights are small and answered at once: do not let Nagle hold them back.
        _ = setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let status = address.withSockaddr { Glibc.connect(descriptor, $0, $1) }
        if status == 0 { return .success(socket) }
        let error = errno
        guard error == EINPROGRESS || error == EINTR else { return .failure(connectError(error)) }
        switch socket.wait(for: Int16(POLLOUT), deadline: deadline) {
        case .timedOut: return .failure(.timeout(phase: "connect"))
        case .failed(let code): return .failure(connectError(code))
        case .ready:
            var pending: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &pending, &length) == 0 else {
                return .failure(.io("getsockopt: \(errorText(errno))"))
            }
            return pending == 0 ? .success(socket) : .failure(connectError(pending))
        }
    }

    private static func connectError(_ code: Int32) -> TLSFetchError {
        code == ECONNREFUSED ? .refused : .io(errorText(code))
    }

    /// Waits until the socket is readable (`POLLIN`) or writable (`POLLOUT`).
    func wait(for events: Int16, deadline: Deadline) -> WaitOutcome {
        while true {
            var entry = pollfd(fd: descriptor, events: events, revents: 0)
            let status = poll(&entry, 1, deadline.remainingMilliseconds)
            if status < 0 {
                if errno == EINTR { continue }
                return .failed(errno)
            }
            if status == 0 {
                if deadline.hasPassed { return .timedOut }
                continue  // woke a rounding error early
            }
            // POLLERR/POLLHUP count as ready: the following send/recv/getsockopt reports them.
            return .ready
        }
    }

    /// Sends every byte, waiting for room until the deadline. Never raises SIGPIPE.
    func send(_ bytes: UnsafeRawBufferPointer, deadline: Deadline) -> TLSFetchError? {
        var offset = 0
        while offset < bytes.count {
            let sent = Glibc.send(descriptor, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT))
            if sent >= 0 {
                offset += sent
                continue
            }
            let error = errno
            if error == EINTR { continue }
            guard error == EAGAIN || error == EWOULDBLOCK else { return .io("send: \(TCPSocket.errorText(error))") }
            switch wait(for: Int16(POLLOUT), deadline: deadline) {
            case .ready: continue
            case .timedOut: return .timeout(phase: "handshake")
            case .failed(let code): return .io("poll: \(TCPSocket.errorText(code))")
            }
        }
        return nil
    }

    enum Received { case bytes(Int), closed, wouldBlock, failed(Int32) }

    /// One non-blocking recv(2) into `buffer`.
    func receive(into buffer: UnsafeMutableRawBufferPointer) -> Received {
        while true {
            let count = recv(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT))
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            let error = errno
            if error == EINTR { continue }
            if error == EAGAIN || error == EWOULDBLOCK { return .wouldBlock }
            return .failed(error)
        }
    }

    /// Ends our side of the connection (FIN) and discards what the device already sent (such
    /// as TLS 1.3 session tickets), so closing does not answer it with a reset. Does not wait.
    func finish() {
        _ = shutdown(descriptor, Int32(SHUT_WR))
        var scratch = [UInt8](repeating: 0, count: 4096)
        for _ in 0..<16 {
            let count = scratch.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if count <= 0 { break }
        }
    }

    static func errorText(_ code: Int32) -> String { String(cString: strerror(code)) }
}

extension TLSFetchError {
    /// The payload text without the sentence around it.
    var messageText: String {
        switch self {
        case .resolve(let text), .handshake(let text), .io(let text): return text
        case .refused: return "connection refused"
        case .timeout(let phase): return "timed out (\(phase))"
        }
    }
}
