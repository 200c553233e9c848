/* Certificates and RFC 7427 digital signatures for IKE_AUTH (OpenSSL).
 *
 * Our credentials: certificate, private key (ECDSA P-256/P-384 or RSA) and
 * the CA that must have signed the peer's certificate, all PEM files. A
 * peer's certificate (CERT payload, X.509 DER) is verified against that CA
 * before its public key checks the AUTH signature.
 *
 * AUTH data for method 14 (RFC 7427 §3): one octet with the length of the
 * DER AlgorithmIdentifier, the AlgorithmIdentifier, then the signature
 * (ECDSA: DER ECDSA-Sig-Value; RSA: PKCS#1 v1.5).
 */
#ifndef DMVPN_IKE_CERT_H
#define DMVPN_IKE_CERT_H

#include <stddef.h>
#include <stdint.h>

#include "ike/crypto.h"

struct ike_cred;
struct ike_peer_cert;

/* NULL with a message in err on failure. */
struct ike_cred *ike_cred_load(const char *cert_pem, const char *key_pem, const char *ca_pem,
                               char *err, size_t errlen);
void ike_cred_free(struct ike_cred *c);
/* Our certificate (DER) and its subject name (DER, for ID_DER_ASN1_DN). */
const uint8_t *ike_cred_cert(const struct ike_cred *c, size_t *len);
const uint8_t *ike_cred_subject(const struct ike_cred *c, size_t *len);
/* SHA-1 of the CA's SubjectPublicKeyInfo (CERTREQ data), 20 bytes. */
const uint8_t *ike_cred_ca_keyid(const struct ike_cred *c);
/* RFC 7427 AUTH data over the concatenated chunks. Length or -1. */
int ike_cred_sign(const struct ike_cred *c, const struct ike_chunk *data, size_t n, uint8_t *out,
                  size_t cap);

/* Parses a DER certificate and verifies it against c's CA (chain of one,
 * validity dates included). NULL with a message in err. */
struct ike_peer_cert *ike_peer_cert_verify(const struct ike_cred *c, const uint8_t *der,
                                           size_t len, char *err, size_t errlen);
void ike_peer_cert_free(struct ike_peer_cert *pc);
const uint8_t *ike_peer_cert_subject(const struct ike_peer_cert *pc, size_t *len);
/* Checks an RFC 7427 signature (alg: DER AlgorithmIdentifier) made by the
 * certificate's key over the chunks. 0 when it verifies. */
int ike_peer_cert_check(const struct ike_peer_cert *pc, const uint8_t *alg, size_t alglen,
                        const uint8_t *sig, size_t siglen, const struct ike_chunk *data, size_t n);

/* A DER Name as text ("C=CH, O=Org, CN=host"). -1 when malformed. */
int ike_dn_string(const uint8_t *der, size_t len, char *out, size_t cap);

#endif
