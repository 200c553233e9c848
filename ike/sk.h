/* SK payload protection: the Encrypted and Authenticated payload (RFC 7296
 * §3.14), AES-CCM/GCM in it (RFC 5282) and the Encrypted Fragment payload
 * (SKF, RFC 7383 §2.5).
 *
 * Layout after the generic payload header (and SKF's fragment number and
 * total): IV | encrypted(inner payloads | padding | pad length) | ICV.
 * Integrity: non-AEAD suites MAC the whole message from the IKE header to
 * the end of the encrypted data; AEAD suites authenticate the IKE header
 * through the SK/SKF header (including any payloads in between) as
 * associated data.
 *
 * Knows nothing about other payloads: it walks the generic payload chain
 * only to find SK/SKF, which must be the last payload.
 */
#ifndef DMVPN_IKE_SK_H
#define DMVPN_IKE_SK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/crypto.h"

struct writer;

enum {
	IKE_SK_PT_SK = 46,  /* Encrypted and Authenticated */
	IKE_SK_PT_SKF = 53, /* Encrypted and Authenticated Fragment */
	IKE_SK_IKE_HDR_LEN = 28,
};

enum ike_sk_err {
	IKE_SK_OK = 0,
	IKE_SK_ERR_SHORT = -1,        /* shorter than the IKE header */
	IKE_SK_ERR_LENGTH = -2,       /* IKE header length differs from the message length */
	IKE_SK_ERR_PAYLOAD = -3,      /* a payload length below 4 or past the end */
	IKE_SK_ERR_NO_SK = -4,        /* no SK or SKF payload */
	IKE_SK_ERR_NOT_LAST = -5,     /* SK/SKF is not the last payload */
	IKE_SK_ERR_FRAG = -6,         /* SKF: fragment number 0 or above the total */
	IKE_SK_ERR_TRUNCATED = -7,    /* SK shorter than IV + pad length + ICV */
	IKE_SK_ERR_BLOCK = -8,        /* encrypted data not a multiple of the block size */
	IKE_SK_ERR_ICV = -9,          /* integrity checksum mismatch */
	IKE_SK_ERR_PAD = -10,         /* pad length larger than the decrypted data */
	IKE_SK_ERR_NOSPACE = -11,     /* output buffer or message too small / too large */
	IKE_SK_ERR_UNSUPPORTED = -12, /* algorithm or key length not supported */
	IKE_SK_ERR_CRYPTO = -13,      /* cryptographic library failure */
};
#define IKE_SK_ERR_COUNT 14

/* Short reason, e.g. "ICV mismatch"; "unknown" for values outside the enum. */
const char *ike_sk_strerror(int err);

/* Keys for ONE direction (an IKE SA holds one context for what it sends,
 * SK_ei/SK_ai as initiator, and one for what it receives). */
struct ike_sk_ctx {
	struct ike_suite_sizes sz;
	struct ike_cipher *cipher;
	struct ike_integ *integ; /* NULL with an AEAD cipher */
};

/* sk_e: encryption key incl. salt (sz.encr_key bytes); sk_a: integrity key
 * (sz.integ_key bytes, NULL/0 for AEAD). IKE_SK_OK or a negative error. */
int ike_sk_ctx_init(struct ike_sk_ctx *ctx, const struct ike_suite *suite, const uint8_t *sk_e,
                    size_t sk_e_len, const uint8_t *sk_a, size_t sk_a_len);
/* Frees the cipher and integrity objects (their keys are zeroed). */
void ike_sk_ctx_clear(struct ike_sk_ctx *ctx);

/* Where the SK/SKF payload sits in a complete message. */
struct ike_sk_loc {
	uint8_t type;        /* IKE_SK_PT_SK or IKE_SK_PT_SKF */
	uint8_t first;       /* its next-payload field: the first inner payload type */
	uint16_t frag_num;   /* SKF only, 1-based */
	uint16_t frag_total; /* SKF only */
	size_t off;          /* offset of the SK/SKF generic payload header */
	size_t iv_off;       /* offset of the IV = length of the associated data */
};

/* Walks the generic payload chain from the IKE header's next-payload field.
 * Checks the header length equals len. IKE_SK_OK or a negative error. */
int ike_sk_locate(const uint8_t *msg, size_t len, struct ike_sk_loc *loc);

enum ike_sk_flags {
	IKE_SK_NO_ICV_CHECK = 1, /* decrypt without verifying (diagnostics only) */
};

/* Verifies and decrypts the SK or SKF payload of msg into out: the inner
 * payloads, padding and pad length stripped (*outlen bytes; cap must be at
 * least the encrypted data's length, which is below len). The first inner
 * payload's type is ike_sk_locate()'s loc.first. With a non-AEAD suite the
 * checksum is verified before anything is decrypted; on any error nothing
 * usable is left in out and *outlen is 0. */
int ike_sk_decrypt(const struct ike_sk_ctx *ctx, const uint8_t *msg, size_t len, uint8_t *out,
                   size_t cap, size_t *outlen, unsigned flags);

/* Appends an SK payload holding inner (first = type of its first payload) to
 * the message being built in w: w's buffer starts with the 28-byte IKE
 * header (no non-ESP marker: send that separately), optionally followed by
 * unencrypted payloads. Sets the last next-payload field of the
 * chain to SK, writes the SK header, a random IV, the encrypted payloads with
 * padding to the block size, and the ICV, and patches the IKE header length
 * (before computing the checksum). inner may overlap w's free space (it is
 * moved first). On error w is left as it was. */
int ike_sk_encrypt(const struct ike_sk_ctx *ctx, struct writer *w, uint8_t first,
                   const uint8_t *inner, size_t inner_len);
/* Same for one fragment (RFC 7383): first is written only in fragment 1. */
int ike_skf_encrypt(const struct ike_sk_ctx *ctx, struct writer *w, uint8_t first,
                    uint16_t frag_num, uint16_t frag_total, const uint8_t *inner, size_t inner_len);
/* Length of the SK (frag false) or SKF payload that inner_len bytes of inner
 * payloads make, headers, IV, padding and ICV included. */
size_t ike_sk_payload_len(const struct ike_sk_ctx *ctx, size_t inner_len, bool frag);

#endif
