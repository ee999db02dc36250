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
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/ts.h>
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

// MARK: - PKCS#7 (Authenticode)
//
// Authenticode signatures are PKCS#7 v1.5 SignedData whose content is not id-data but
// SpcIndirectDataContent; OpenSSL's CMS decoder wants an OCTET STRING there and refuses them, so
// they are read with the PKCS7 interface. Its structures are public but reached through unions
// and fields Swift cannot name safely; these accessors read them, checking each pointer.

static inline int fwgate_sk_PKCS7_SIGNER_INFO_num(STACK_OF(PKCS7_SIGNER_INFO) *sk) { return sk_PKCS7_SIGNER_INFO_num(sk); }
static inline PKCS7_SIGNER_INFO *fwgate_sk_PKCS7_SIGNER_INFO_value(STACK_OF(PKCS7_SIGNER_INFO) *sk, int i) { return sk_PKCS7_SIGNER_INFO_value(sk, i); }

static inline int fwgate_sk_ASN1_TYPE_num(const ASN1_SEQUENCE_ANY *sk) { return sk_ASN1_TYPE_num(sk); }
static inline ASN1_TYPE *fwgate_sk_ASN1_TYPE_value(const ASN1_SEQUENCE_ANY *sk, int i) { return sk_ASN1_TYPE_value(sk, i); }
static inline void fwgate_sk_ASN1_TYPE_pop_free(ASN1_SEQUENCE_ANY *sk) { sk_ASN1_TYPE_pop_free(sk, ASN1_TYPE_free); }
/// The DER of a SEQUENCE held in an ASN1_TYPE (borrowed), or NULL when it holds something else.
static inline const ASN1_STRING *fwgate_ASN1_TYPE_sequence(const ASN1_TYPE *t) { return (t != NULL && t->type == V_ASN1_SEQUENCE) ? t->value.sequence : NULL; }
/// The OBJECT IDENTIFIER held in an ASN1_TYPE (borrowed), or NULL.
static inline const ASN1_OBJECT *fwgate_ASN1_TYPE_object(const ASN1_TYPE *t) { return (t != NULL && t->type == V_ASN1_OBJECT) ? t->value.object : NULL; }

/// The content type of a SignedData's encapsulated content, or NULL when `p7` is not SignedData.
static inline const ASN1_OBJECT *fwgate_PKCS7_signed_content_type(PKCS7 *p7) {
    if (p7 == NULL || OBJ_obj2nid(p7->type) != NID_pkcs7_signed || p7->d.sign == NULL || p7->d.sign->contents == NULL) return NULL;
    return p7->d.sign->contents->type;
}

/// The DER (tag and length included) of a SignedData's encapsulated content when it is a
/// SEQUENCE of a type OpenSSL does not know (Authenticode's SpcIndirectDataContent); else NULL.
static inline const ASN1_STRING *fwgate_PKCS7_signed_other_sequence(PKCS7 *p7) {
    if (fwgate_PKCS7_signed_content_type(p7) == NULL) return NULL;
    PKCS7 *contents = p7->d.sign->contents;
    switch (OBJ_obj2nid(contents->type)) {
    case NID_pkcs7_data: case NID_pkcs7_signed: case NID_pkcs7_enveloped: case NID_pkcs7_signedAndEnveloped:
    case NID_pkcs7_digest: case NID_pkcs7_encrypted: return NULL;
    default: break;
    }
    if (contents->d.other == NULL || contents->d.other->type != V_ASN1_SEQUENCE) return NULL;
    return contents->d.other->value.sequence;
}

/// How many algorithms a SignedData's digestAlgorithms SET names (-1 when it is not SignedData).
static inline int fwgate_PKCS7_signed_digest_algorithm_count(PKCS7 *p7) {
    if (fwgate_PKCS7_signed_content_type(p7) == NULL) return -1;
    return sk_X509_ALGOR_num(p7->d.sign->md_algs);
}

/// The certificates a SignedData carries (borrowed), or NULL.
static inline STACK_OF(X509) *fwgate_PKCS7_signed_certs(PKCS7 *p7) {
    if (fwgate_PKCS7_signed_content_type(p7) == NULL) return NULL;
    return p7->d.sign->cert;
}

/// A SignerInfo's signature value (borrowed).
static inline const ASN1_OCTET_STRING *fwgate_PKCS7_SIGNER_INFO_signature(PKCS7_SIGNER_INFO *si) { return si == NULL ? NULL : si->enc_digest; }
/// A SignerInfo's unsigned attributes (borrowed; NULL when there are none).
static inline const STACK_OF(X509_ATTRIBUTE) *fwgate_PKCS7_SIGNER_INFO_unsigned_attributes(PKCS7_SIGNER_INFO *si) { return si == NULL ? NULL : si->unauth_attr; }
/// Whether a SignerInfo has signed attributes.
static inline int fwgate_PKCS7_SIGNER_INFO_has_signed_attributes(PKCS7_SIGNER_INFO *si) { return si != NULL && si->auth_attr != NULL && sk_X509_ATTRIBUTE_num(si->auth_attr) > 0; }

// MARK: - TLS

/// Sets the SNI host name sent in the ClientHello (RFC 6066 §3); returns 1 on success.
static inline long fwgate_SSL_set_tlsext_host_name(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
/// Sets the lowest protocol version the context will negotiate (e.g. TLS1_2_VERSION); 1 on success.
static inline long fwgate_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) { return SSL_CTX_set_min_proto_version(ctx, version); }

#endif
