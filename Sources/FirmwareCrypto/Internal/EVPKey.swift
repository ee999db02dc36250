internal import COpenSSL

/// Owns one `EVP_PKEY` and frees it in `deinit`.
final class EVPKey: @unchecked Sendable {
    // @unchecked Sendable: the key is never mutated after init, and OpenSSL 3 allows concurrent
    // read-only use of an EVP_PKEY (verification creates its own contexts).
    let pointer: OpaquePointer

    /// Takes over one reference to `pointer`.
    init(takingOwnershipOf pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }
}
