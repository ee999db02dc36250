internal import COpenSSL

/// Owns one `X509` and frees it in `deinit`.
final class X509Cert: @unchecked Sendable {
    // @unchecked Sendable: never mutated after init. OpenSSL caches extension flags inside the
    // X509 on first use; `Certificate.init` triggers that cache before the object is shared.
    let pointer: OpaquePointer
    init(takingOwnershipOf pointer: OpaquePointer) { self.pointer = pointer }
    /// Takes a new reference to a certificate someone else owns.
    init(retaining pointer: OpaquePointer) {
        X509_up_ref(pointer)
        self.pointer = pointer
    }
    deinit { X509_free(pointer) }
}

/// Owns one `X509_CRL`.
final class X509CRLOwner: @unchecked Sendable {
    // @unchecked Sendable: never mutated after init.
    let pointer: OpaquePointer
    init(takingOwnershipOf pointer: OpaquePointer) { self.pointer = pointer }
    deinit { X509_CRL_free(pointer) }
}

/// Owns one `CMS_ContentInfo`.
final class CMSContent: @unchecked Sendable {
    // @unchecked Sendable: never mutated after parsing; verification works on it from one
    // thread at a time (CMSSignedData.verify is not called concurrently on one value).
    let pointer: OpaquePointer
    init(takingOwnershipOf pointer: OpaquePointer) { self.pointer = pointer }
    deinit { CMS_ContentInfo_free(pointer) }
}

/// A `STACK_OF(X509)` built for one call, holding its own references; freed with the owner.
final class CertStack {
    let pointer: OpaquePointer
    init(_ certificates: [Certificate]) throws(CryptoError) {
        guard let stack = fwgate_sk_X509_new_null() else {
            throw ErrorQueue.error(.openSSLFailure, "could not allocate a certificate stack")
        }
        self.pointer = stack
        for certificate in certificates {
            X509_up_ref(certificate.backing.pointer)
            // The stack takes the new reference on success.
            if fwgate_sk_X509_push(stack, certificate.backing.pointer) <= 0 {
                X509_free(certificate.backing.pointer)
                throw ErrorQueue.error(.openSSLFailure, "could not build a certificate stack")
            }
        }
    }
    deinit { fwgate_sk_X509_pop_free(pointer) }
}

/// Copies the certificates of a stack into Swift values (each takes its own reference).
func certificates(in stack: OpaquePointer?) -> [Certificate] {
    guard let stack else { return [] }
    var result: [Certificate] = []
    for index in 0..<fwgate_sk_X509_num(stack) {
        guard let pointer = fwgate_sk_X509_value(stack, index) else { continue }
        if let certificate = try? Certificate(backing: X509Cert(retaining: pointer)) {
            result.append(certificate)
        }
    }
    return result
}
