internal import COpenSSL

/// Process-wide set-up of the cryptographic library.
public enum CryptoLibrary {
    /// Initialises OpenSSL without its exit handler. Call it once, first thing in `main`, before
    /// any other thread exists and before anything else uses OpenSSL.
    ///
    /// By default OpenSSL registers an `atexit` handler that frees its global state: its locks,
    /// providers and name maps. fwgate runs OpenSSL on worker threads (TLS fetches, batch jobs,
    /// the async commands' tasks), and a worker still releasing a certificate or a session while
    /// the main thread exits then used a lock that handler had just freed: a `certs sweep --tls`
    /// under load died of SIGSEGV in `pthread_rwlock_unlock` on a dispatch thread. The operating
    /// system frees a process's memory at exit anyway, so fwgate skips the handler
    /// (`OPENSSL_INIT_NO_ATEXIT`); exits are also faster without it.
    public static func initializeForProcess() {
        _ = OPENSSL_init_crypto(UInt64(OPENSSL_INIT_NO_ATEXIT), nil)
    }
}
