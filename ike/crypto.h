/* IKEv2 cryptography over OpenSSL 3 (implemented in ike/crypto.c and, for
 * Diffie-Hellman, ike/dh.c: with ike/cert.c the only files in ike/ that
 * include OpenSSL headers).
 *
 * - PRF (HMAC) and prf+ (RFC 7296 §2.13), SKEYSEED and the seven IKE SA keys
 *   (§2.14, §2.18).
 * - Integrity: truncated HMAC (RFC 2404, 4595, 4868), constant-time verify.
 * - Ciphers: AES-CBC and 3DES-CBC (RFC 3602, 2451), AES-CTR (RFC 5930: the
 *   last 4 bytes of the key are the nonce), AES-GCM and AES-CCM with 8/12/16
 *   byte ICV (RFC 5282: the last 4 (GCM) or 3 (CCM) bytes of the key are the
 *   salt). The same objects serve ESP (RFC 4106 uses GCM's salt/IV layout).
 * - Diffie-Hellman: MODP (RFC 3526), ECP (RFC 5903), Curve25519/448 (RFC 8031)
 *   with the KE payload's encodings.
 *
 * Key lengths passed in always include the salt/nonce bytes, as they come
 * out of prf+. Objects holding keys zero them when freed. An object is not
 * safe to use from two threads at once.
 */
#ifndef DMVPN_IKE_CRYPTO_H
#define DMVPN_IKE_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Transform IDs: the IANA numbers, which ike/ike.h (the payload codec)
 * defines too, under the same names, as a superset. This library must not
 * depend on the codec, so the copies below are compiled only when ike/ike.h
 * has not been included first. A file that needs both headers includes
 * ike/ike.h BEFORE ike/crypto.h (or ike.h guards its four enums with
 * DMVPN_IKE_TRANSFORM_IDS as well, making the order free). */
#if !defined(DMVPN_IKE_H) && !defined(DMVPN_IKE_TRANSFORM_IDS)
#define DMVPN_IKE_TRANSFORM_IDS

/* IANA "IKEv2 Transform Type 1 - Encryption Algorithm Transform IDs". */
enum ike_encr_id {
	IKE_ENCR_3DES = 3,
	IKE_ENCR_NULL = 11, /* ESP only; not supported here */
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_CCM_8 = 14,
	IKE_ENCR_AES_CCM_12 = 15,
	IKE_ENCR_AES_CCM_16 = 16,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
};

/* IANA Transform Type 3 - Integrity Algorithm Transform IDs. */
enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_HMAC_SHA1_160 = 7,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

/* IANA Transform Type 2 - Pseudorandom Function Transform IDs. */
enum ike_prf_id {
	IKE_PRF_NONE = 0,
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
};

/* IANA Transform Type 4 - Key Exchange Method Transform IDs. */
enum ike_dh_id {
	IKE_DH_NONE = 0,
	IKE_DH_MODP768 = 1,
	IKE_DH_MODP1024 = 2,
	IKE_DH_MODP1536 = 5,
	IKE_DH_MODP2048 = 14,
	IKE_DH_MODP3072 = 15,
	IKE_DH_MODP4096 = 16,
	IKE_DH_MODP6144 = 17,
	IKE_DH_MODP8192 = 18,
	IKE_DH_ECP256 = 19,
	IKE_DH_ECP384 = 20,
	IKE_DH_ECP521 = 21,
	IKE_DH_CURVE25519 = 31,
	IKE_DH_CURVE448 = 32,
};

#endif /* DMVPN_IKE_TRANSFORM_IDS */

/* Upper bounds for stack buffers. */
enum {
	IKE_PRF_MAX = 64,       /* PRF output (SHA-512) */
	IKE_INTEG_KEY_MAX = 64, /* SK_a */
	IKE_ICV_MAX = 32,       /* truncated HMAC or AEAD tag */
	IKE_ENCR_KEY_MAX = 36,  /* SK_e: AES-256 + 4-byte salt */
	IKE_IV_MAX = 16,
	IKE_NONCE_MAX = 256,   /* RFC 7296 §3.9 */
	IKE_DH_PUB_MAX = 1024, /* MODP-8192 */
};

/* Crypto primitive results. */
enum ike_crypto_err {
	IKE_CRYPTO_OK = 0,
	IKE_CRYPTO_ERR = -1, /* bad argument, unsupported algorithm, library failure */
	IKE_CRYPTO_ICV = -2, /* authentication failed (checksum mismatch) */
};

/* A run of input bytes; functions taking an array of chunks process their
 * concatenation (so callers never copy to build "A | B | C"). */
struct ike_chunk {
	const void *p;
	size_t len;
};

/* ------------------------------------------------------------------ */
/* Suites and sizes */

struct ike_suite {
	uint16_t encr;      /* IKE_ENCR_* */
	uint16_t encr_bits; /* Key Length attribute: 128/192/256 for AES; 0 for 3DES */
	uint16_t integ;     /* IKE_INTEG_*; IKE_INTEG_NONE with an AEAD cipher */
	uint16_t prf;       /* IKE_PRF_*; IKE_PRF_NONE for an ESP suite */
	uint16_t dh;        /* IKE_DH_* (IKE_DH_NONE allowed) */
};

struct ike_encr_info {
	uint16_t key_len;  /* cipher key + salt, as drawn from the keying material */
	uint16_t salt_len; /* 0 (CBC), 3 (CCM), 4 (CTR nonce, GCM salt) */
	uint16_t block;    /* padding alignment: 16 AES-CBC, 8 3DES, 1 CTR/CCM/GCM */
	uint16_t iv_len;   /* IV sent in each message: block size for CBC, else 8 */
	uint16_t icv_len;  /* AEAD tag length; 0 for non-AEAD ciphers */
	bool aead;
};

struct ike_suite_sizes {
	uint16_t encr_key;  /* SK_e length (incl. salt) */
	uint16_t salt;      /* of which salt/nonce */
	uint16_t block;     /* padding alignment */
	uint16_t iv;        /* IV size in the SK payload */
	uint16_t icv;       /* checksum size: AEAD tag or truncated HMAC */
	uint16_t integ_key; /* SK_a length; 0 for AEAD */
	uint16_t prf_len;   /* PRF output = SK_d, SK_p length; 0 when prf is NONE */
	bool aead;
};

/* Sizes for one cipher; key_bits is the Key Length attribute (ignored for
 * 3DES). Returns 0, or -1 when the algorithm or key size is unsupported. */
int ike_encr_info(unsigned encr, unsigned key_bits, struct ike_encr_info *out);
/* Integrity: key length and ICV length; 0 when unsupported or NONE. */
size_t ike_integ_key_len(unsigned integ);
size_t ike_integ_icv_len(unsigned integ);
/* PRF output length; 0 when unsupported. */
size_t ike_prf_len(unsigned prf);
/* All sizes of a suite. -1 when any transform is unsupported, when an AEAD
 * cipher comes with an integrity algorithm or a non-AEAD one without. */
int ike_suite_sizes(const struct ike_suite *s, struct ike_suite_sizes *out);
/* strongSwan-style name, e.g. "aes256gcm16-prfsha256-x25519" or
 * "aes128-sha256-prfsha256-modp2048". Returns the length snprintf would. */
int ike_suite_format(const struct ike_suite *s, char *buf, size_t len);
/* Parses such a name (tokens in any order; "aes256gcm16", "aes128ctr",
 * "aes192ccm12", "3des", "sha1", "sha1_160", "sha256", "sha384", "sha512",
 * "prfsha1".."prfsha512", "modp2048", "ecp256", "x25519", "curve25519",
 * "x448"). A non-AEAD suite without a prf token takes the PRF matching its
 * integrity hash; an AEAD suite must name its PRF. 0 or -1. */
int ike_suite_parse(const char *name, struct ike_suite *out);

/* ------------------------------------------------------------------ */
/* PRF and key derivation */

/* out = prf(key, concatenation of data[0..n)); writes ike_prf_len(prf) bytes. */
int ike_prf(unsigned prf, const uint8_t *key, size_t keylen, const struct ike_chunk *data, size_t n,
            uint8_t *out);
/* RFC 7296 §2.13: out = first outlen bytes of T1 | T2 | ..., where
 * T1 = prf(K, S | 0x01), Tn = prf(K, Tn-1 | S | n); S is the concatenation
 * of seed[0..n). outlen is at most 255 * ike_prf_len(prf). */
int ike_prf_plus(unsigned prf, const uint8_t *key, size_t keylen, const struct ike_chunk *seed,
                 size_t n, uint8_t *out, size_t outlen);

/* SKEYSEED = prf(Ni | Nr, g^ir) (§2.14). out gets ike_prf_len(prf) bytes. */
int ike_skeyseed(unsigned prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                 const uint8_t *gir, size_t girlen, uint8_t *out);
/* Rekeyed IKE SA (§2.18): SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr),
 * with the OLD IKE SA's prf. */
int ike_skeyseed_rekey(unsigned old_prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
                       size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                       size_t nrlen, uint8_t *out);

/* The seven IKE SA keys. */
struct ike_keymat {
	uint8_t sk_d[IKE_PRF_MAX];
	uint8_t sk_ai[IKE_INTEG_KEY_MAX], sk_ar[IKE_INTEG_KEY_MAX];
	uint8_t sk_ei[IKE_ENCR_KEY_MAX], sk_er[IKE_ENCR_KEY_MAX];
	uint8_t sk_pi[IKE_PRF_MAX], sk_pr[IKE_PRF_MAX];
	size_t prf_len, integ_len, encr_len; /* valid bytes of each */
};

/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *   = prf+(SKEYSEED, Ni | Nr | SPIi | SPIr)  (RFC 7296 §2.14). */
int ike_keymat_derive(const struct ike_suite *s, const uint8_t *skeyseed, size_t seedlen,
                      const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                      const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keymat *km);
void ike_keymat_clear(struct ike_keymat *km);

/* ------------------------------------------------------------------ */
/* Integrity (truncated HMAC) */

struct ike_integ;

/* keylen must be ike_integ_key_len(integ). NULL on error. */
struct ike_integ *ike_integ_new(unsigned integ, const uint8_t *key, size_t keylen);
void ike_integ_free(struct ike_integ *ig);
size_t ike_integ_icv(const struct ike_integ *ig);
/* Writes ike_integ_icv() bytes of HMAC over the concatenated chunks. */
int ike_integ_compute(struct ike_integ *ig, const struct ike_chunk *data, size_t n, uint8_t *icv);
/* IKE_CRYPTO_OK, IKE_CRYPTO_ICV (constant-time compare) or IKE_CRYPTO_ERR. */
int ike_integ_verify(struct ike_integ *ig, const struct ike_chunk *data, size_t n,
                     const uint8_t *icv);

/* ------------------------------------------------------------------ */
/* Ciphers (CBC, CTR and AEAD behind one interface) */

struct ike_cipher;

/* key/keylen: cipher key followed by the salt (keylen = ike_encr_info's
 * key_len; the AES key size follows from it). Keeps the key schedule. */
struct ike_cipher *ike_cipher_new(unsigned encr, const uint8_t *key, size_t keylen);
void ike_cipher_free(struct ike_cipher *c);
const struct ike_encr_info *ike_cipher_info(const struct ike_cipher *c);

/* Encrypts len bytes (in and out may be the same buffer, but must not
 * otherwise overlap). iv: info->iv_len bytes (the explicit IV as sent; salt
 * and counter are added here). For CBC, len must be a multiple of the block
 * size and no padding is added. For AEAD, aad is authenticated and icv gets
 * info->icv_len bytes; non-AEAD ciphers ignore aad and icv. */
int ike_cipher_encrypt(struct ike_cipher *c, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t *icv);
/* Inverse. For AEAD, returns IKE_CRYPTO_ICV when the tag does not match, in
 * which case out is zeroed. icv == NULL decrypts an AEAD message without
 * checking its tag (diagnostics only: CCM then runs as plain CTR). */
int ike_cipher_decrypt(struct ike_cipher *c, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t len, uint8_t *out, const uint8_t *icv);

/* ------------------------------------------------------------------ */
/* Diffie-Hellman (KE payload data formats of RFC 7296 §3.4, 5903, 8031) */

struct ike_dh;

/* Length of the KE payload's data for a group; 0 when unsupported. MODP:
 * the prime's length; ECP: x | y; Curve25519: 32, Curve448: 56. */
size_t ike_dh_pub_len(unsigned group);
/* Generates an ephemeral key pair. NULL when unsupported or on failure. */
struct ike_dh *ike_dh_new(unsigned group);
/* Same with a fixed private value (known-answer tests): big-endian integer
 * for MODP and ECP, the raw 32/56-byte scalar for Curve25519/448. */
struct ike_dh *ike_dh_new_private(unsigned group, const uint8_t *priv, size_t len);
void ike_dh_free(struct ike_dh *dh);
/* Writes ike_dh_pub_len() bytes: our public value as the KE payload carries it. */
int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap);
/* g^ir from the peer's KE data (validated: length, on the curve, 1 < y < p-1).
 * Writes the shared secret (MODP: padded to the prime; ECP: x only) and
 * returns its length, or -1. */
int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t peerlen, uint8_t *out, size_t cap);

/* ------------------------------------------------------------------ */

/* Cryptographically strong random bytes (IVs, nonces, SPIs). 0 or -1. */
int ike_random(void *buf, size_t len);

/* Plain SHA-1 over the concatenated chunks (NAT_DETECTION_*_IP, RFC 7296
 * §2.23). 0 or -1. */
int ike_sha1(const struct ike_chunk *data, size_t n, uint8_t out[20]);

#endif
