internal import COpenSSL

/// OpenSSL's per-thread error queue: cleared before each entry point, drained (with its text)
/// after a failure, never printed. [nio-ssl `buildErrorStack`]
enum ErrorQueue {
    /// Empties the queue so that what is drained after a call belongs to that call.
    static func clear() { ERR_clear_error() }

    /// Removes every entry from the queue and returns them, oldest first.
    static func drain() -> [OpenSSLErrorEntry] {
        var entries: [OpenSSLErrorEntry] = []
        while true {
            var data: UnsafePointer<CChar>?
            var flags: Int32 = 0
            let code = ERR_get_error_all(nil, nil, nil, &data, &flags)
            if code == 0 { break }
            let library = ERR_lib_error_string(code).map { String(cString: $0) } ?? "OpenSSL"
            var reason = ERR_reason_error_string(code).map { String(cString: $0) } ?? ""
            if reason.isEmpty {
                var buffer = [CChar](repeating: 0, count: 256)
                ERR_error_string_n(code, &buffer, buffer.count)
                reason = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            let text = (flags & ERR_TXT_STRING) != 0 ? data.map { String(cString: $0) } : nil
            entries.append(OpenSSLErrorEntry(code: UInt(code), library: library, reason: reason, data: text))
        }
        return entries
    }

    /// A `CryptoError` carrying whatever OpenSSL queued.
    static func error(_ code: CryptoError.Code, _ reason: String) -> CryptoError {
        CryptoError(code, reason, openSSLErrors: drain())
    }
}
