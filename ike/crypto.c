/* IKEv2 cryptography over OpenSSL 3 EVP: algorithm tables, suite sizes and
 * names, PRF and prf+, key derivation, integrity, ciphers, random, SHA-1.
 * Diffie-Hellman is in ike/dh.c. */
#include "ike/crypto.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike/dh_priv.h"
#include "lib/util.h"

/* ------------------------------------------------------------------ */
/* Algorithm tables */

enum cipher_mode { MODE_CBC, MODE_CTR, MODE_GCM, MODE_CCM };

static const struct encr_alg {
	uint16_t id;
	uint8_t mode;
	uint8_t icv;
	const char *suffix; /* strongSwan keyword after "aesNNN" */
} encr_algs[] = {
    {IKE_ENCR_3DES, MODE_CBC, 0, NULL},           {IKE_ENCR_AES_CBC, MODE_CBC, 0, ""},
    {IKE_ENCR_AES_CTR, MODE_CTR, 0, "ctr"},       {IKE_ENCR_AES_CCM_8, MODE_CCM, 8, "ccm8"},
    {IKE_ENCR_AES_CCM_12, MODE_CCM, 12, "ccm12"}, {IKE_ENCR_AES_CCM_16, MODE_CCM, 16, "ccm16"},
    {IKE_ENCR_AES_GCM_8, MODE_GCM, 8, "gcm8"},    {IKE_ENCR_AES_GCM_12, MODE_GCM, 12, "gcm12"},
    {IKE_ENCR_AES_GCM_16, MODE_GCM, 16, "gcm16"},
};

static const struct hash_alg {
	uint16_t integ, prf; /* IANA ids using this hash */
	uint8_t len;         /* digest length */
	uint8_t icv;         /* truncated length for integ */
	const char *digest;
	const char *integ_name, *prf_name;
} hash_algs[] = {
    {IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 20, 12, "SHA1", "sha1", "prfsha1"},
    {IKE_INTEG_HMAC_SHA1_160, 0, 20, 20, "SHA1", "sha1_160", NULL},
    {IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 32, 16, "SHA256", "sha256", "prfsha256"},
    {IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, 48, 24, "SHA384", "sha384", "prfsha384"},
    {IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512, 64, 32, "SHA512", "sha512", "prfsha512"},
};

static const struct encr_alg *encr_find(unsigned id)
{
	for (size_t i = 0; i < ARRAY_SIZE(encr_algs); i++)
		if (encr_algs[i].id == id)
			return &encr_algs[i];
	return NULL;
}

static const struct hash_alg *integ_find(unsigned id)
{
	for (size_t i = 0; id && i < ARRAY_SIZE(hash_algs); i++)
		if (hash_algs[i].integ == id)
			return &hash_algs[i];
	return NULL;
}

static const struct hash_alg *prf_find(unsigned id)
{
	for (size_t i = 0; id && i < ARRAY_SIZE(hash_algs); i++)
		if (hash_algs[i].prf == id)
			return &hash_algs[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Sizes and names */

int ike_encr_info(unsigned encr, unsigned key_bits, struct ike_encr_info *out)
{
	const struct encr_alg *a = encr_find(encr);

	memset(out, 0, sizeof(*out));
	if (!a)
		return -1;
	if (encr == IKE_ENCR_3DES) {
		*out = (struct ike_encr_info){.key_len = 24, .block = 8, .iv_len = 8};
		return 0;
	}
	if (key_bits != 128 && key_bits != 192 && key_bits != 256)
		return -1;
	out->key_len = (uint16_t)(key_bits / 8);
	switch (a->mode) {
	case MODE_CBC:
		out->block = out->iv_len = 16;
		return 0;
	case MODE_CTR:
	case MODE_GCM:
		out->salt_len = 4;
		break;
	case MODE_CCM:
		out->salt_len = 3;
		break;
	}
	out->key_len += out->salt_len;
	out->block = 1;
	out->iv_len = 8;
	out->icv_len = a->icv;
	out->aead = a->icv != 0;
	return 0;
}

size_t ike_integ_key_len(unsigned integ)
{
	const struct hash_alg *h = integ_find(integ);
	return h ? h->len : 0;
}

size_t ike_integ_icv_len(unsigned integ)
{
	const struct hash_alg *h = integ_find(integ);
	return h ? h->icv : 0;
}

size_t ike_prf_len(unsigned prf)
{
	const struct hash_alg *h = prf_find(prf);
	return h ? h->len : 0;
}

int ike_suite_sizes(const struct ike_suite *s, struct ike_suite_sizes *out)
{
	struct ike_encr_info e;

	memset(out, 0, sizeof(*out));
	if (ike_encr_info(s->encr, s->encr_bits, &e) < 0)
		return -1;
	if (e.aead ? s->integ != IKE_INTEG_NONE : !integ_find(s->integ))
		return -1;
	if (s->prf != IKE_PRF_NONE && !prf_find(s->prf))
		return -1;
	if (s->dh != IKE_DH_NONE && !ike_dh_group_find(s->dh))
		return -1;
	out->encr_key = e.key_len;
	out->salt = e.salt_len;
	out->block = e.block;
	out->iv = e.iv_len;
	out->aead = e.aead;
	out->icv = e.aead ? e.icv_len : (uint16_t)ike_integ_icv_len(s->integ);
	out->integ_key = (uint16_t)ike_integ_key_len(s->integ);
	out->prf_len = (uint16_t)ike_prf_len(s->prf);
	return 0;
}

int ike_suite_format(const struct ike_suite *s, char *buf, size_t len)
{
	const struct encr_alg *e = encr_find(s->encr);
	const struct hash_alg *ig = integ_find(s->integ), *pr = prf_find(s->prf);
	const struct dh_group *g = ike_dh_group_find(s->dh);
	char encr[24];

	if (!e)
		snprintf(encr, sizeof(encr), "encr%u", s->encr);
	else if (!e->suffix)
		snprintf(encr, sizeof(encr), "3des");
	else
		snprintf(encr, sizeof(encr), "aes%u%s", s->encr_bits, e->suffix);
	return snprintf(buf, len, "%s%s%s%s%s%s%s", encr, ig ? "-" : "", ig ? ig->integ_name : "",
	                pr ? "-" : "", pr ? pr->prf_name : "", g ? "-" : "", g ? g->token : "");
}

/* One token of a suite name; false when unknown or repeated. */
static bool suite_token(const char *t, struct ike_suite *s)
{
	static const struct {
		const char *alias, *name;
	} aliases[] = {{"ccm64", "ccm8"},        {"ccm96", "ccm12"},  {"ccm128", "ccm16"},
	               {"gcm64", "gcm8"},        {"gcm96", "gcm12"},  {"gcm128", "gcm16"},
	               {"curve25519", "x25519"}, {"curve448", "x448"}};
	unsigned bits;
	int n = 0;

	if (strcmp(t, "3des") == 0 || (sscanf(t, "aes%u%n", &bits, &n) == 1 && n > 0)) {
		const char *suffix = n ? t + n : NULL;
		if (s->encr)
			return false;
		for (size_t i = 0; suffix && i < ARRAY_SIZE(aliases); i++)
			if (strcmp(suffix, aliases[i].alias) == 0)
				suffix = aliases[i].name;
		for (size_t i = 0; i < ARRAY_SIZE(encr_algs) && !s->encr; i++) {
			const struct encr_alg *a = &encr_algs[i];
			if (suffix ? a->suffix && strcmp(a->suffix, suffix) == 0 : !a->suffix) {
				s->encr = a->id;
				s->encr_bits = suffix ? (uint16_t)bits : 0;
			}
		}
		struct ike_encr_info info;
		return s->encr && ike_encr_info(s->encr, s->encr_bits, &info) == 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(aliases); i++)
		if (strcmp(t, aliases[i].alias) == 0)
			t = aliases[i].name;
	for (size_t i = 0; i < ARRAY_SIZE(hash_algs); i++) {
		const struct hash_alg *h = &hash_algs[i];
		if (strcmp(t, h->integ_name) == 0 && !s->integ)
			return (s->integ = h->integ) != 0;
		if (h->prf_name && strcmp(t, h->prf_name) == 0 && !s->prf)
			return (s->prf = h->prf) != 0;
	}
	const struct dh_group *g = ike_dh_group_by_token(t);
	if (g && !s->dh)
		return (s->dh = g->id) != 0;
	return false;
}

int ike_suite_parse(const char *name, struct ike_suite *out)
{
	char buf[128], *save = NULL;
	struct ike_encr_info info;

	memset(out, 0, sizeof(*out));
	if (strlen(name) >= sizeof(buf))
		return -1;
	strcpy(buf, name);
	for (char *t = strtok_r(buf, "-", &save); t; t = strtok_r(NULL, "-", &save))
		if (!suite_token(t, out))
			return -1;
	if (!out->encr || ike_encr_info(out->encr, out->encr_bits, &info) < 0)
		return -1;
	if (info.aead ? out->integ != IKE_INTEG_NONE : out->integ == IKE_INTEG_NONE)
		return -1;
	if (!out->prf && out->integ) /* strongSwan: PRF follows the integrity hash */
		out->prf = integ_find(out->integ)->prf;
	return 0;
}

/* ------------------------------------------------------------------ */
/* HMAC, PRF, prf+ */

static EVP_MAC_CTX *hmac_new(const char *digest, const uint8_t *key, size_t keylen)
{
	static const uint8_t empty[1];
	OSSL_PARAM params[2];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;

	EVP_MAC_free(mac); /* the context holds its own reference */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (ctx && EVP_MAC_init(ctx, keylen ? key : empty, keylen, params))
		return ctx;
	EVP_MAC_CTX_free(ctx);
	ERR_clear_error();
	return NULL;
}

/* One MAC over chunks (plus an optional trailer); restart re-keys the context. */
static int hmac_run(EVP_MAC_CTX *ctx, bool restart, const struct ike_chunk *pre,
                    const struct ike_chunk *data, size_t n, const struct ike_chunk *post,
                    uint8_t *out, size_t cap)
{
	size_t outl = 0;

	if (restart && !EVP_MAC_init(ctx, NULL, 0, NULL))
		return -1;
	if (pre && pre->len && !EVP_MAC_update(ctx, pre->p, pre->len))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (data[i].len && !EVP_MAC_update(ctx, data[i].p, data[i].len))
			return -1;
	if (post && post->len && !EVP_MAC_update(ctx, post->p, post->len))
		return -1;
	return EVP_MAC_final(ctx, out, &outl, cap) ? 0 : -1;
}

int ike_prf(unsigned prf, const uint8_t *key, size_t keylen, const struct ike_chunk *data, size_t n,
            uint8_t *out)
{
	const struct hash_alg *h = prf_find(prf);
	EVP_MAC_CTX *ctx = h ? hmac_new(h->digest, key, keylen) : NULL;
	int rc = ctx ? hmac_run(ctx, false, NULL, data, n, NULL, out, h->len) : -1;

	EVP_MAC_CTX_free(ctx);
	return rc;
}

int ike_prf_plus(unsigned prf, const uint8_t *key, size_t keylen, const struct ike_chunk *seed,
                 size_t n, uint8_t *out, size_t outlen)
{
	const struct hash_alg *h = prf_find(prf);
	uint8_t t[IKE_PRF_MAX];
	size_t done = 0;
	int rc = 0;

	if (!h || outlen > 255u * h->len)
		return -1;
	EVP_MAC_CTX *ctx = hmac_new(h->digest, key, keylen);
	if (!ctx)
		return -1;
	for (unsigned i = 1; done < outlen && rc == 0; i++) {
		uint8_t counter = (uint8_t)i;
		struct ike_chunk prev = {t, i > 1 ? h->len : 0}, ctr = {&counter, 1};
		rc = hmac_run(ctx, i > 1, &prev, seed, n, &ctr, t, sizeof(t));
		size_t take = MIN((size_t)h->len, outlen - done);
		memcpy(out + done, t, take);
		done += take;
	}
	secure_zero(t, sizeof(t));
	EVP_MAC_CTX_free(ctx);
	if (rc)
		secure_zero(out, outlen);
	return rc;
}

int ike_skeyseed(unsigned prf, const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                 const uint8_t *gir, size_t girlen, uint8_t *out)
{
	uint8_t key[2 * IKE_NONCE_MAX];
	struct ike_chunk data = {gir, girlen};

	if (nilen > IKE_NONCE_MAX || nrlen > IKE_NONCE_MAX)
		return -1;
	memcpy(key, ni, nilen);
	memcpy(key + nilen, nr, nrlen);
	int rc = ike_prf(prf, key, nilen + nrlen, &data, 1, out);
	secure_zero(key, sizeof(key));
	return rc;
}

int ike_skeyseed_rekey(unsigned old_prf, const uint8_t *sk_d, size_t sk_d_len, const uint8_t *gir,
                       size_t girlen, const uint8_t *ni, size_t nilen, const uint8_t *nr,
                       size_t nrlen, uint8_t *out)
{
	struct ike_chunk data[3] = {{gir, girlen}, {ni, nilen}, {nr, nrlen}};
	return ike_prf(old_prf, sk_d, sk_d_len, data, 3, out);
}

int ike_keymat_derive(const struct ike_suite *s, const uint8_t *skeyseed, size_t seedlen,
                      const uint8_t *ni, size_t nilen, const uint8_t *nr, size_t nrlen,
                      const uint8_t spi_i[8], const uint8_t spi_r[8], struct ike_keymat *km)
{
	struct ike_suite_sizes z;
	uint8_t buf[3 * IKE_PRF_MAX + 2 * IKE_INTEG_KEY_MAX + 2 * IKE_ENCR_KEY_MAX];
	struct ike_chunk seed[4] = {{ni, nilen}, {nr, nrlen}, {spi_i, 8}, {spi_r, 8}};

	memset(km, 0, sizeof(*km));
	if (ike_suite_sizes(s, &z) < 0 || !z.prf_len)
		return -1;
	size_t p = z.prf_len, a = z.integ_key, e = z.encr_key, total = 3 * p + 2 * a + 2 * e;
	if (ike_prf_plus(s->prf, skeyseed, seedlen, seed, 4, buf, total) < 0)
		return -1;
	const uint8_t *q = buf;
	memcpy(km->sk_d, q, p), q += p;
	memcpy(km->sk_ai, q, a), q += a;
	memcpy(km->sk_ar, q, a), q += a;
	memcpy(km->sk_ei, q, e), q += e;
	memcpy(km->sk_er, q, e), q += e;
	memcpy(km->sk_pi, q, p), q += p;
	memcpy(km->sk_pr, q, p);
	km->prf_len = p;
	km->integ_len = a;
	km->encr_len = e;
	secure_zero(buf, sizeof(buf));
	return 0;
}

void ike_keymat_clear(struct ike_keymat *km)
{
	secure_zero(km, sizeof(*km));
}

/* ------------------------------------------------------------------ */
/* Integrity */

struct ike_integ {
	const struct hash_alg *h;
	EVP_MAC_CTX *ctx; /* keyed; re-initialised per message */
};

struct ike_integ *ike_integ_new(unsigned integ, const uint8_t *key, size_t keylen)
{
	const struct hash_alg *h = integ_find(integ);
	struct ike_integ *ig;

	if (!h || keylen != h->len || !(ig = calloc(1, sizeof(*ig))))
		return NULL;
	ig->h = h;
	ig->ctx = hmac_new(h->digest, key, keylen);
	if (!ig->ctx) {
		free(ig);
		return NULL;
	}
	return ig;
}

void ike_integ_free(struct ike_integ *ig)
{
	if (!ig)
		return;
	EVP_MAC_CTX_free(ig->ctx); /* OpenSSL cleanses the key */
	free(ig);
}

size_t ike_integ_icv(const struct ike_integ *ig)
{
	return ig->h->icv;
}

int ike_integ_compute(struct ike_integ *ig, const struct ike_chunk *data, size_t n, uint8_t *icv)
{
	uint8_t md[IKE_PRF_MAX];

	if (hmac_run(ig->ctx, true, NULL, data, n, NULL, md, sizeof(md)) < 0) {
		ERR_clear_error();
		return IKE_CRYPTO_ERR;
	}
	memcpy(icv, md, ig->h->icv);
	secure_zero(md, sizeof(md));
	return IKE_CRYPTO_OK;
}

int ike_integ_verify(struct ike_integ *ig, const struct ike_chunk *data, size_t n,
                     const uint8_t *icv)
{
	uint8_t mine[IKE_ICV_MAX];

	if (ike_integ_compute(ig, data, n, mine) < 0)
		return IKE_CRYPTO_ERR;
	int diff = ct_memcmp(mine, icv, ig->h->icv);
	secure_zero(mine, sizeof(mine));
	return diff ? IKE_CRYPTO_ICV : IKE_CRYPTO_OK;
}

/* ------------------------------------------------------------------ */
/* Ciphers */

struct ike_cipher {
	struct ike_encr_info info;
	uint8_t mode;
	uint8_t salt[4];
	uint8_t key[32]; /* kept for CCM's unchecked (CTR) path */
	size_t keylen;   /* without salt */
	EVP_CIPHER_CTX *enc, *dec;
};

static EVP_CIPHER_CTX *cipher_ctx_new(const struct ike_cipher *c, EVP_CIPHER *evp, int enc)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();

	if (!x || !EVP_CipherInit_ex2(x, evp, NULL, NULL, enc, NULL))
		goto fail;
	if (c->mode == MODE_CCM &&
	    (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_IVLEN, 11, NULL) <= 0 ||
	     EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, c->info.icv_len, NULL) <= 0))
		goto fail;
	if (!EVP_CipherInit_ex2(x, NULL, c->key, NULL, enc, NULL))
		goto fail;
	return x;
fail:
	EVP_CIPHER_CTX_free(x);
	return NULL;
}

struct ike_cipher *ike_cipher_new(unsigned encr, const uint8_t *key, size_t keylen)
{
	static const char *const modes[] = {"CBC", "CTR", "GCM", "CCM"};
	const struct encr_alg *a = encr_find(encr);
	struct ike_cipher *c;
	char name[32];
	size_t salt = !a ? 0 : a->mode == MODE_CCM ? 3 : a->mode == MODE_CBC ? 0 : 4;

	if (!a || keylen < salt || !(c = calloc(1, sizeof(*c))))
		return NULL;
	c->mode = a->mode;
	c->keylen = keylen - salt;
	if (ike_encr_info(encr, (unsigned)c->keylen * 8, &c->info) < 0 ||
	    c->info.key_len != keylen) {
		free(c);
		return NULL;
	}
	memcpy(c->key, key, c->keylen);
	memcpy(c->salt, key + c->keylen, salt);
	if (encr == IKE_ENCR_3DES)
		snprintf(name, sizeof(name), "DES-EDE3-CBC");
	else
		snprintf(name, sizeof(name), "AES-%zu-%s", c->keylen * 8, modes[a->mode]);
	EVP_CIPHER *evp = EVP_CIPHER_fetch(NULL, name, NULL);
	if (evp) {
		c->enc = cipher_ctx_new(c, evp, 1);
		/* CTR decrypts with the encryption context */
		c->dec = c->mode == MODE_CTR ? NULL : cipher_ctx_new(c, evp, 0);
	}
	EVP_CIPHER_free(evp);
	if (!c->enc || (!c->dec && c->mode != MODE_CTR)) {
		ERR_clear_error();
		ike_cipher_free(c);
		return NULL;
	}
	return c;
}

void ike_cipher_free(struct ike_cipher *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->enc); /* cleanses the key schedule */
	EVP_CIPHER_CTX_free(c->dec);
	secure_zero(c, sizeof(*c));
	free(c);
}

const struct ike_encr_info *ike_cipher_info(const struct ike_cipher *c)
{
	return &c->info;
}

/* The IV handed to OpenSSL: CBC as sent; CTR salt|iv|1 (RFC 5930/3686);
 * GCM salt|iv (12 bytes); CCM salt|iv (11 bytes). */
static void cipher_nonce(const struct ike_cipher *c, const uint8_t *iv, uint8_t nonce[16])
{
	memset(nonce, 0, 16);
	if (c->mode == MODE_CBC) {
		memcpy(nonce, iv, c->info.iv_len);
		return;
	}
	memcpy(nonce, c->salt, c->info.salt_len);
	memcpy(nonce + c->info.salt_len, iv, 8);
	if (c->mode == MODE_CTR)
		nonce[15] = 1;
}

/* Initialises one message: IV, CCM length and AAD. */
static bool cipher_start(const struct ike_cipher *c, EVP_CIPHER_CTX *x, int enc, const uint8_t *iv,
                         const uint8_t *aad, size_t aadlen, size_t len)
{
	uint8_t nonce[16];
	int l;

	cipher_nonce(c, iv, nonce);
	if (!EVP_CipherInit_ex2(x, NULL, NULL, nonce, enc, NULL))
		return false;
	if (c->mode == MODE_CBC)
		return EVP_CIPHER_CTX_set_padding(x, 0) == 1;
	if (c->mode == MODE_CCM && !EVP_CipherUpdate(x, NULL, &l, NULL, (int)len))
		return false;
	if (c->info.aead && aadlen && !EVP_CipherUpdate(x, NULL, &l, aad, (int)aadlen))
		return false;
	return true;
}

static bool cipher_args_ok(const struct ike_cipher *c, const uint8_t *iv, size_t aadlen, size_t len)
{
	return iv && len <= INT_MAX - 32 && aadlen <= INT_MAX &&
	       (c->mode != MODE_CBC || len % c->info.block == 0);
}

int ike_cipher_encrypt(struct ike_cipher *c, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t len, uint8_t *out, uint8_t *icv)
{
	uint8_t dummy[1];
	int l = 0, l2 = 0;

	if (!cipher_args_ok(c, iv, aadlen, len) || (c->info.aead && !icv))
		return IKE_CRYPTO_ERR;
	if (!cipher_start(c, c->enc, 1, iv, aad, aadlen, len) ||
	    !EVP_EncryptUpdate(c->enc, len ? out : dummy, &l, len ? in : dummy, (int)len) ||
	    !EVP_EncryptFinal_ex(c->enc, out + l, &l2) || (size_t)(l + l2) != len)
		goto fail;
	if (c->info.aead &&
	    EVP_CIPHER_CTX_ctrl(c->enc, EVP_CTRL_AEAD_GET_TAG, c->info.icv_len, icv) <= 0)
		goto fail;
	return IKE_CRYPTO_OK;
fail:
	ERR_clear_error();
	return IKE_CRYPTO_ERR;
}

/* CCM without its tag is CTR with the counter block (L-1)|salt|iv|counter,
 * payload counter starting at 1 (RFC 3610 §2.3, L = 4 for an 11-byte nonce). */
static int ccm_decrypt_unchecked(const struct ike_cipher *c, const uint8_t *iv, const uint8_t *in,
                                 size_t len, uint8_t *out)
{
	uint8_t block[16] = {3};
	char name[32];
	int l = 0, l2 = 0, rc = IKE_CRYPTO_ERR;

	memcpy(block + 1, c->salt, 3);
	memcpy(block + 4, iv, 8);
	block[15] = 1;
	snprintf(name, sizeof(name), "AES-%zu-CTR", c->keylen * 8);
	EVP_CIPHER *evp = EVP_CIPHER_fetch(NULL, name, NULL);
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	if (evp && x && EVP_DecryptInit_ex2(x, evp, c->key, block, NULL) &&
	    EVP_DecryptUpdate(x, out, &l, in, (int)len) && EVP_DecryptFinal_ex(x, out + l, &l2))
		rc = IKE_CRYPTO_OK;
	EVP_CIPHER_CTX_free(x);
	EVP_CIPHER_free(evp);
	return rc;
}

int ike_cipher_decrypt(struct ike_cipher *c, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
                       const uint8_t *in, size_t len, uint8_t *out, const uint8_t *icv)
{
	EVP_CIPHER_CTX *x = c->mode == MODE_CTR ? c->enc : c->dec;
	uint8_t dummy[1], tag[16];
	int l = 0, l2 = 0;

	if (!cipher_args_ok(c, iv, aadlen, len))
		return IKE_CRYPTO_ERR;
	if (c->mode == MODE_CCM && !icv) {
		if (ccm_decrypt_unchecked(c, iv, in, len, out) == IKE_CRYPTO_OK)
			return IKE_CRYPTO_OK;
		goto fail;
	}
	if (c->info.aead && icv) {
		memcpy(tag, icv, c->info.icv_len); /* the tag may live inside `in` */
		if (c->mode == MODE_CCM &&
		    EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, c->info.icv_len, tag) <= 0)
			goto fail;
	}
	if (!cipher_start(c, x, 0, iv, aad, aadlen, len))
		goto fail;
	if (!EVP_DecryptUpdate(x, len ? out : dummy, &l, len ? in : dummy, (int)len)) {
		if (c->mode == MODE_CCM) /* CCM verifies inside the update */
			goto icv;
		goto fail;
	}
	if (c->mode == MODE_GCM) {
		if (!icv) /* unchecked: the plaintext is already out */
			return IKE_CRYPTO_OK;
		if (EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_SET_TAG, c->info.icv_len, tag) <= 0)
			goto fail;
	}
	if (!EVP_DecryptFinal_ex(x, out + l, &l2)) {
		if (c->info.aead)
			goto icv;
		goto fail;
	}
	return (size_t)(l + l2) == len ? IKE_CRYPTO_OK : IKE_CRYPTO_ERR;
icv:
	ERR_clear_error();
	secure_zero(out, len);
	return IKE_CRYPTO_ICV;
fail:
	ERR_clear_error();
	return IKE_CRYPTO_ERR;
}

/* ------------------------------------------------------------------ */

int ike_random(void *buf, size_t len)
{
	return len <= INT_MAX && RAND_bytes(buf, (int)len) == 1 ? 0 : -1;
}

int ike_sha1(const struct ike_chunk *data, size_t n, uint8_t out[20])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int olen = 0;
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) == 1;

	for (size_t i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, data[i].p, data[i].len) == 1;
	ok = ok && EVP_DigestFinal_ex(ctx, out, &olen) == 1 && olen == 20;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}
