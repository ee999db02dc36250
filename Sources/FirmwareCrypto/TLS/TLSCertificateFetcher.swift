import Foundation

/// Reads the certificate chains that devices serve on their TLS endpoints.
///
/// For each endpoint the fetcher resolves the host, opens a TCP connection, runs a TLS 1.2 or
/// 1.3 client handshake (RFC 5246, RFC 8446) with SNI when the host is a name, takes the
/// certificates the device sent, sends close_notify and closes. It never sends application
/// data, and it contacts nothing but the addresses the endpoint's host resolves to (no
/// redirects, no AIA, OCSP or CRL fetches).
///
/// The chain is taken whatever it is: expired, self-signed, untrusted or incomplete. OpenSSL's
/// verdict on it (against the system's default trust store) is recorded in
/// ``TLSFetchResult/verification`` and never enforced: judging the chain is the job of
/// fwgate's chain validation and policy.
///
/// Every fetch has a hard deadline covering resolution, connection and handshake.
public enum TLSCertificateFetcher {
    /// Fetches the chain one endpoint serves. Blocks the calling thread for at most about
    /// `timeout`.
    ///
    /// From async code, prefer ``fetchAll(_:timeout:concurrency:)`` (even for one endpoint):
    /// it runs the blocking work off the Swift concurrency pool.
    ///
    /// - Parameters:
    ///   - endpoint: the host and port to contact.
    ///   - timeout: the deadline for the whole fetch (resolve, connect and handshake together).
    /// - Returns: the served chain and negotiated parameters, or the error that stopped the
    ///   fetch in ``TLSFetchResult/error``. Never throws: an unreachable device is a result.
    /// - Warning: The handshake does not authenticate the device (`SSL_VERIFY_NONE`); the
    ///   result says what was served, not that it is genuine.
    public static func fetch(_ endpoint: TLSEndpoint, timeout: Duration = .seconds(10)) -> TLSFetchResult {
        let deadline = Deadline(after: timeout)
        switch TLSClientContext.make() {
        case .failure(let error): return .failure(endpoint, error)
        case .success(let context): return fetch(endpoint, deadline: deadline, context: context)
        }
    }

    /// Fetches the chains of many endpoints, at most `concurrency` at a time, and returns the
    /// results in the order of `endpoints`.
    ///
    /// Each fetch runs on a thread of its own (it blocks in poll(2)), so the Swift concurrency
    /// pool is never blocked and `concurrency` fetches really are in flight at once.
    ///
    /// Cancelling the calling task stops new fetches from starting; fetches in flight finish
    /// within their own timeout. Endpoints that were never contacted are reported with
    /// ``TLSFetchError/io(_:)`` ("not contacted: the fetch was cancelled").
    ///
    /// - Parameters:
    ///   - endpoints: the endpoints to contact; duplicates are contacted again.
    ///   - timeout: the deadline of each fetch, counted from the moment it starts (time spent
    ///     waiting for a free slot does not count).
    ///   - concurrency: how many fetches may be in flight (values below 1 mean 1).
    /// - Returns: one result per endpoint, in input order.
    public static func fetchAll(
        _ endpoints: [TLSEndpoint], timeout: Duration = .seconds(10), concurrency: Int = 16
    ) async -> [TLSFetchResult] {
        guard !endpoints.isEmpty else { return [] }
        let context: TLSClientContext
        switch TLSClientContext.make() {
        case .failure(let error): return endpoints.map { .failure($0, error) }
        case .success(let made): context = made
        }
        let limit = max(1, concurrency)
        return await withTaskGroup(of: (Int, TLSFetchResult).self, returning: [TLSFetchResult].self) { group in
            var results: [TLSFetchResult?] = Array(repeating: nil, count: endpoints.count)
            var next = 0
            func startNext() {
                let index = next
                let endpoint = endpoints[index]
                next += 1
                group.addTask {
                    if Task.isCancelled {
                        return (index, .failure(endpoint, .io("not contacted: the fetch was cancelled")))
                    }
                    let result = await onOwnThread {
                        fetch(endpoint, deadline: Deadline(after: timeout), context: context)
                    }
                    return (index, result)
                }
            }
            while next < min(limit, endpoints.count) { startNext() }
            for await (index, result) in group {
                results[index] = result
                if next < endpoints.count { startNext() }
            }
            return zip(endpoints, results).map { endpoint, result in
                result ?? .failure(endpoint, .io("not contacted"))
            }
        }
    }

    // MARK: - One fetch

    static func fetch(_ endpoint: TLSEndpoint, deadline: Deadline, context: TLSClientContext) -> TLSFetchResult {
        let addresses: [ResolvedAddress]
        switch HostResolver.resolve(endpoint, deadline: deadline) {
        case .failure(let error): return .failure(endpoint, error)
        case .success(let resolved): addresses = resolved
        }
        let socket: TCPSocket
        switch TCPSocket.connect(to: addresses, deadline: deadline) {
        case .failure(let error): return .failure(endpoint, error)
        case .success(let connected): socket = connected
        }
        let session: TLSClientSession
        do {
            session = try TLSClientSession(context: context, serverName: endpoint.effectiveServerName)
        } catch {
            return .failure(endpoint, error)
        }
        // Both owners are used through their methods only, so they live until the last one.
        let failure = handshake(session, over: socket, deadline: deadline)
        // Keep the chain even when the handshake failed after the device sent it (e.g. it wants
        // a client certificate under TLS 1.2): that is what the fetch is for.
        let (chain, unreadable) = session.servedChain()
        let served = !chain.isEmpty || !unreadable.isEmpty
        let verification = served ? session.verification : nil
        let result = TLSFetchResult(
            endpoint: endpoint, chain: chain, unreadableCertificates: unreadable,
            protocolVersion: served || failure == nil ? session.protocolVersion : nil,
            cipher: served || failure == nil ? session.cipher : nil,
            verification: verification?.text, verificationCode: verification?.code, error: failure)
        if failure == nil {
            // Goodbye without application data: close_notify, FIN, close (best effort, no wait).
            session.close()
            _ = session.takeOutput { socket.send($0, deadline: deadline) }
        }
        socket.finish()
        return result
    }

    /// Drives SSL_connect over the socket until it completes, fails or the deadline passes.
    private static func handshake(_ session: TLSClientSession, over socket: TCPSocket, deadline: Deadline) -> TLSFetchError? {
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            if deadline.hasPassed { return .timeout(phase: "handshake") }
            let step = session.step()
            // Send what OpenSSL produced: ClientHello, Finished, or the alert of a failure.
            let sendError = session.takeOutput { socket.send($0, deadline: deadline) }
            switch step {
            case .done:
                return sendError
            case .failed(let message):
                return .handshake(message)
            case .wantsWrite:
                if let sendError { return sendError }
            case .wantsRead:
                if let sendError { return sendError }
                switch socket.wait(for: Int16(POLLIN), deadline: deadline) {
                case .timedOut: return .timeout(phase: "handshake")
                case .failed(let code): return .io("poll: \(TCPSocket.errorText(code))")
                case .ready: break
                }
                let received = buffer.withUnsafeMutableBytes { socket.receive(into: $0) }
                switch received {
                case .bytes(let count):
                    let accepted = buffer.withUnsafeBytes { session.receive(UnsafeRawBufferPointer(rebasing: $0.prefix(count))) }
                    if !accepted { return .io("OpenSSL did not take the bytes received: \(ErrorQueue.drainedText())") }
                case .wouldBlock:
                    continue
                case .closed:
                    return .handshake("the device closed the connection before the handshake finished")
                case .failed(let code):
                    return .io("the connection failed during the handshake: \(TCPSocket.errorText(code))")
                }
            }
        }
    }

    /// Runs blocking work on a new thread and resumes when it is done.
    private static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: work()) }
            thread.name = "fwgate-tls-fetch"
            thread.start()
        }
    }
}
