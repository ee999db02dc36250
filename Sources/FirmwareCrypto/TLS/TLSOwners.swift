internal import COpenSSL

/// Owns one client `SSL_CTX`: TLS 1.2 or later, no peer verification enforced, the system's
/// default trust store loaded so that a verification result can be recorded.
final class TLSClientContext: @unchecked Sendable {
    // @unchecked Sendable: configured completely in `make()` and never changed afterwards.
    // OpenSSL allows SSL_new on one configured SSL_CTX from many threads at once, and each SSL
    // takes its own reference to the context.
    let pointer: OpaquePointer

    private init(takingOwnershipOf pointer: OpaquePointer) { self.pointer = pointer }
    deinit { SSL_CTX_free(pointer) }

    /// A context for fetching chains, or `.io` when OpenSSL cannot provide one.
    static func make() -> Result<TLSClientContext, TLSFetchError> {
        ErrorQueue.clear()
        guard let method = TLS_client_method(), let raw = SSL_CTX_new(method) else {
            return .failure(.io("the TLS client could not be set up: \(ErrorQueue.drainedText())"))
        }
        let context = TLSClientContext(takingOwnershipOf: raw)
        guard fwgate_SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION) == 1 else {
            return .failure(.io("the TLS client could not be limited to TLS 1.2 or later: \(ErrorQueue.drainedText())"))
        }
        // Take the chain whatever it is (expired, self-signed, untrusted): OpenSSL still runs
        // the verification and keeps its result (SSL_get_verify_result), but does not abort.
        SSL_CTX_set_verify(raw, SSL_VERIFY_NONE, nil)
        // Without the default paths the result would always be "unable to get local issuer
        // certificate"; if they cannot be loaded that is what gets recorded, nothing worse.
        _ = SSL_CTX_set_default_verify_paths(raw)
        ErrorQueue.clear()
        return .success(context)
    }
}

/// Owns one client `SSL` for one connection. The TLS records go through two memory BIOs
/// instead of the socket: the fetcher moves the bytes with send/recv itself, so it controls
/// every wait (poll with a deadline) and no write can raise SIGPIPE.
///
/// Not Sendable: used by one fetch, on one thread.
final class TLSClientSession {
    private let ssl: OpaquePointer
    /// Bytes received from the device, read by OpenSSL. Owned by `ssl`.
    private let incoming: OpaquePointer
    /// Bytes OpenSSL wants sent to the device. Owned by `ssl`.
    private let outgoing: OpaquePointer

    /// What one step of the handshake asks for.
    enum Step {
        case done
        case wantsRead
        case wantsWrite
        case failed(String)
    }

    init(context: TLSClientContext, serverName: String?) throws(TLSFetchError) {
        ErrorQueue.clear()
        guard let ssl = SSL_new(context.pointer) else {
            throw .io("could not create a TLS connection: \(ErrorQueue.drainedText())")
        }
        guard let incoming = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw .io("could not allocate a buffer: \(ErrorQueue.drainedText())")
        }
        guard let outgoing = BIO_new(BIO_s_mem()) else {
            BIO_free(incoming)
            SSL_free(ssl)
            throw .io("could not allocate a buffer: \(ErrorQueue.drainedText())")
        }
        // SSL_set_bio takes ownership of both BIOs (it cannot fail): SSL_free frees them.
        SSL_set_bio(ssl, incoming, outgoing)
        self.ssl = ssl
        self.incoming = incoming
        self.outgoing = outgoing
        SSL_set_connect_state(ssl)
        if let serverName {
            guard fwgate_SSL_set_tlsext_host_name(ssl, serverName) == 1 else {
                throw .handshake("the server name '\(serverName)' cannot be sent: \(ErrorQueue.drainedText())")
            }
        }
    }

    deinit { SSL_free(ssl) }

    /// Runs the handshake as far as the bytes received so far allow.
    func step() -> Step {
        ErrorQueue.clear()
        let status = SSL_connect(ssl)
        if status == 1 { return .done }
        let reason = SSL_get_error(ssl, status)
        switch reason {
        case SSL_ERROR_WANT_READ: return .wantsRead
        case SSL_ERROR_WANT_WRITE: return .wantsWrite
        case SSL_ERROR_ZERO_RETURN:
            ErrorQueue.clear()
            return .failed("the device closed the TLS connection during the handshake")
        default:
            let text = ErrorQueue.drainedText()
            return .failed(text.isEmpty ? "OpenSSL stopped the handshake (SSL_get_error \(reason))" : text)
        }
    }

    /// Hands bytes received from the device to OpenSSL.
    func receive(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard !bytes.isEmpty else { return true }
        ErrorQueue.clear()
        return BIO_write(incoming, bytes.baseAddress, Int32(bytes.count)) == Int32(bytes.count)
    }

    /// Takes the bytes OpenSSL wants sent (records, alerts), calling `send` per chunk and
    /// stopping at the first error it returns.
    func takeOutput(_ send: (UnsafeRawBufferPointer) -> TLSFetchError?) -> TLSFetchError? {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while BIO_ctrl_pending(outgoing) > 0 {
            let count = chunk.withUnsafeMutableBytes { BIO_read(outgoing, $0.baseAddress, Int32($0.count)) }
            guard count > 0 else { break }
            if let error = chunk.withUnsafeBytes({ send(UnsafeRawBufferPointer(rebasing: $0.prefix(Int(count)))) }) {
                return error
            }
        }
        return nil
    }

    /// Queues a close_notify alert (RFC 8446 §6.1) without waiting for the device's. Only valid
    /// after the handshake completed.
    func close() {
        ErrorQueue.clear()
        _ = SSL_shutdown(ssl)
        ErrorQueue.clear()
    }

    /// The certificates the device sent, leaf first. On the client side
    /// SSL_get_peer_cert_chain includes the leaf and is the chain as received, not one that
    /// OpenSSL built.
    func servedChain() -> (chain: [Certificate], unreadable: [CryptoError]) {
        var chain: [Certificate] = []
        var unreadable: [CryptoError] = []
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for index in 0..<fwgate_sk_X509_num(stack) {
                guard let pointer = fwgate_sk_X509_value(stack, index) else { continue }
                do {
                    chain.append(try Certificate(backing: X509Cert(retaining: pointer)))
                } catch {
                    unreadable.append(error.prefixed("served certificate \(index + 1)"))
                }
            }
        }
        if chain.isEmpty && unreadable.isEmpty, let leaf = SSL_get1_peer_certificate(ssl) {
            // SSL_get1_peer_certificate returns a new reference, which X509Cert takes.
            do {
                chain.append(try Certificate(backing: X509Cert(takingOwnershipOf: leaf)))
            } catch {
                unreadable.append(error.prefixed("served certificate 1"))
            }
        }
        ErrorQueue.clear()
        return (chain, unreadable)
    }

    /// `TLSv1.3`, `TLSv1.2`.
    var protocolVersion: String? { SSL_get_version(ssl).map { String(cString: $0) } }

    /// The negotiated cipher suite's OpenSSL name.
    var cipher: String? {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return nil }
        return String(cString: name)
    }

    /// OpenSSL's verification result for the served chain, as code and text.
    var verification: (code: Int, text: String) {
        let code = SSL_get_verify_result(ssl)
        let text = X509_verify_cert_error_string(code).map { String(cString: $0) } ?? "verification error \(code)"
        return (Int(code), text)
    }
}

extension ErrorQueue {
    /// Drains the queue into one line of text ("" when it was empty).
    static func drainedText() -> String {
        drain().map(\.description).joined(separator: "; ")
    }
}
