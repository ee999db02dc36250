#ifndef FWGATE_COPENSSL_SHIM_H
#define FWGATE_COPENSSL_SHIM_H
// OpenSSL 3.x for fwgate. Only FirmwareCrypto imports this module (`internal import COpenSSL`).
//
// Deprecated interfaces are hidden so that nothing uses them by accident: OpenSSL 3.0 is the
// oldest supported version (Debian 12).
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED 1

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

// A system-library target compiles no C, so function-like macros and composite constants that
// Swift cannot import are wrapped here as `static inline` functions.

// MARK: - Stacks (sk_* are macros over OPENSSL_sk_*)

static inline STACK_OF(X509) *fwgate_sk_X509_new_null(void) { return sk_X509_new_null(); }
static inline int fwgate_sk_X509_num(const STACK_OF(X509) *sk) { return sk_X509_num(sk); }
static inline X509 *fwgate_sk_X509_value(const STACK_OF(X509) *sk, int i) { return sk_X509_value(sk, i); }
/// Pushes without taking a new reference: the stack owns `x` on success (returns > 0).
static inline int fwgate_sk_X509_push(STACK_OF(X509) *sk, X509 *x) { return sk_X509_push(sk, x); }
/// Frees the stack and drops one reference of every certificate in it.
static inline void fwgate_sk_X509_pop_free(STACK_OF(X509) *sk) { sk_X509_pop_free(sk, X509_free); }
/// Frees the stack only (for stacks whose elements are borrowed, e.g. CMS_get0_signers).
static inline void fwgate_sk_X509_free(STACK_OF(X509) *sk) { sk_X509_free(sk); }

static inline int fwgate_sk_CMS_SignerInfo_num(STACK_OF(CMS_SignerInfo) *sk) { return sk_CMS_SignerInfo_num(sk); }
static inline CMS_SignerInfo *fwgate_sk_CMS_SignerInfo_value(STACK_OF(CMS_SignerInfo) *sk, int i) { return sk_CMS_SignerInfo_value(sk, i); }
static inline int fwgate_sk_GENERAL_NAME_num(const GENERAL_NAMES *sk) { return sk_GENERAL_NAME_num(sk); }
static inline GENERAL_NAME *fwgate_sk_GENERAL_NAME_value(const GENERAL_NAMES *sk, int i) { return sk_GENERAL_NAME_value(sk, i); }

static inline int fwgate_sk_ASN1_OBJECT_num(const EXTENDED_KEY_USAGE *sk) { return sk_ASN1_OBJECT_num(sk); }
static inline ASN1_OBJECT *fwgate_sk_ASN1_OBJECT_value(const EXTENDED_KEY_USAGE *sk, int i) { return sk_ASN1_OBJECT_value(sk, i); }

// MARK: - Memory and BIO macros

static inline void fwgate_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline long fwgate_BIO_get_mem_data(BIO *b, char **pp) { return BIO_get_mem_data(b, pp); }

// MARK: - Composite constants

static inline unsigned long fwgate_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }
static inline int fwgate_EVP_PKEY_PUBLIC_KEY(void) { return EVP_PKEY_PUBLIC_KEY; }
static inline unsigned long fwgate_OPENSSL_VERSION_NUMBER(void) { return OPENSSL_VERSION_NUMBER; }

// MARK: - Extension decoding

/// 1 when OpenSSL knows the extension and it decodes; 0 when it knows it and it does not
/// decode (malformed); -1 when OpenSSL has no decoder for it.
static inline int fwgate_extension_decodes(X509_EXTENSION *ext) {
    const X509V3_EXT_METHOD *method = X509V3_EXT_get(ext);
    if (method == NULL || method->it == NULL) return -1;
    void *value = X509V3_EXT_d2i(ext);
    if (value == NULL) return 0;
    ASN1_item_free((ASN1_VALUE *)value, ASN1_ITEM_ptr(method->it));
    return 1;
}

// MARK: - TLS

/// Sets the SNI host name sent in the ClientHello (RFC 6066 §3); returns 1 on success.
static inline long fwgate_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
/// Sets the lowest protocol version the context will negotiate (e.g. TLS1_2_VERSION); 1 on success.
static inline long fwgate_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }

#endif
