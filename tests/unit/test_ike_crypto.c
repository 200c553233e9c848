/* Unit tests for ike/crypto: known answers for PRF, integrity, prf+ and
 * keys, suites, ciphers, Diffie-Hellman; random bytes. The ike/sk (SK
 * payload) tests are in test_ike_sk.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ike/crypto.h"
#include "lib/util.h"

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	long n = hex_decode(hex, out, cap);
	assert_true(n >= 0);
	return (size_t)n;
}

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	char buf[2 * 1100 + 1];
	assert_true(len <= 1100);
	hex_encode(got, len, buf);
	assert_string_equal(buf, hex);
}

/* ------------------------------------------------------------------ */
/* PRF, integrity, prf+ */

/* RFC 4231 test cases 1, 2, 6 (SHA-2) and RFC 2202 1, 2, 6 (SHA-1). */
static void test_prf_hmac_kat(void **state)
{
	static const struct {
		unsigned prf;
		uint8_t keybyte; /* 0: "Jefe" */
		size_t keylen;
		const char *data, *mac;
	} v[] = {
	    {IKE_PRF_HMAC_SHA2_256, 0x0b, 20, "Hi There",
	     "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
	    {IKE_PRF_HMAC_SHA2_256, 0, 4, "what do ya want for nothing?",
	     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
	    {IKE_PRF_HMAC_SHA2_256, 0xaa, 131,
	     "Test Using Larger Than Block-Size Key - Hash Key First",
	     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
	    {IKE_PRF_HMAC_SHA2_384, 0, 4, "what do ya want for nothing?",
	     "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c7"
	     "8b3239ecfab21649"},
	    {IKE_PRF_HMAC_SHA2_384, 0xaa, 131,
	     "Test Using Larger Than Block-Size Key - Hash Key First",
	     "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe82"
	     "96248df163f44952"},
	    {IKE_PRF_HMAC_SHA2_512, 0x0b, 20, "Hi There",
	     "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702"
	     "038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
	    {IKE_PRF_HMAC_SHA2_512, 0, 4, "what do ya want for nothing?",
	     "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a"
	     "6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
	    {IKE_PRF_HMAC_SHA1, 0x0b, 20, "Hi There", "b617318655057264e28bc0b6fb378c8ef146be00"},
	    {IKE_PRF_HMAC_SHA1, 0, 4, "what do ya want for nothing?",
	     "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"},
	    {IKE_PRF_HMAC_SHA1, 0xaa, 80, "Test Using Larger Than Block-Size Key - Hash Key First",
	     "aa4ae5e15272d00e95705637ce8a3b55ed402112"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t key[131], out[IKE_PRF_MAX];
		if (v[i].keybyte)
			memset(key, v[i].keybyte, v[i].keylen);
		else
			memcpy(key, "Jefe", 4);
		/* split the data in two chunks to exercise concatenation */
		size_t dl = strlen(v[i].data);
		struct ike_chunk d[2] = {{v[i].data, 3}, {v[i].data + 3, dl - 3}};
		assert_int_equal(ike_prf(v[i].prf, key, v[i].keylen, d, 2, out), 0);
		assert_hex(out, ike_prf_len(v[i].prf), v[i].mac);
	}
	uint8_t out[IKE_PRF_MAX];
	struct ike_chunk d = {"x", 1};
	assert_int_equal(ike_prf(99, (const uint8_t *)"k", 1, &d, 1, out), -1);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA1), 20);
	assert_int_equal(ike_prf_len(IKE_PRF_HMAC_SHA2_384), 48);
	assert_int_equal(ike_prf_len(4), 0); /* AES128_XCBC: unsupported */
}

/* RFC 4868 §2.7.2 AUTH256-1 style vectors (key = 0x0b * key length,
 * "Hi There"), RFC 2404 (HMAC-SHA-1-96) and RFC 4595 (HMAC-SHA1-160). */
static void test_integ_kat(void **state)
{
	static const struct {
		unsigned integ;
		size_t keylen, icvlen;
		const char *icv;
	} v[] = {
	    {IKE_INTEG_HMAC_SHA1_96, 20, 12, "b617318655057264e28bc0b6"},
	    {IKE_INTEG_HMAC_SHA1_160, 20, 20, "b617318655057264e28bc0b6fb378c8ef146be00"},
	    {IKE_INTEG_HMAC_SHA2_256_128, 32, 16, "198a607eb44bfbc69903a0f1cf2bbdc5"},
	    {IKE_INTEG_HMAC_SHA2_384_192, 48, 24,
	     "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973"},
	    {IKE_INTEG_HMAC_SHA2_512_256, 64, 32,
	     "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t key[64], icv[IKE_ICV_MAX];
		memset(key, 0x0b, sizeof(key));
		assert_int_equal(ike_integ_key_len(v[i].integ), v[i].keylen);
		assert_int_equal(ike_integ_icv_len(v[i].integ), v[i].icvlen);
		assert_null(ike_integ_new(v[i].integ, key, v[i].keylen - 1));
		struct ike_integ *ig = ike_integ_new(v[i].integ, key, v[i].keylen);
		assert_non_null(ig);
		assert_int_equal(ike_integ_icv(ig), v[i].icvlen);
		struct ike_chunk d[2] = {{"Hi ", 3}, {"There", 5}};
		/* twice: the keyed context must re-initialise cleanly */
		for (int rep = 0; rep < 2; rep++) {
			assert_int_equal(ike_integ_compute(ig, d, 2, icv), IKE_CRYPTO_OK);
			assert_hex(icv, v[i].icvlen, v[i].icv);
		}
		assert_int_equal(ike_integ_verify(ig, d, 2, icv), IKE_CRYPTO_OK);
		icv[v[i].icvlen - 1] ^= 1;
		assert_int_equal(ike_integ_verify(ig, d, 2, icv), IKE_CRYPTO_ICV);
		icv[v[i].icvlen - 1] ^= 1;
		d[1].len = 4;
		assert_int_equal(ike_integ_verify(ig, d, 2, icv), IKE_CRYPTO_ICV);
		ike_integ_free(ig);
	}
	assert_null(ike_integ_new(IKE_INTEG_NONE, NULL, 0));
	assert_int_equal(ike_integ_key_len(IKE_INTEG_NONE), 0);
	ike_integ_free(NULL);
}

/* Expected values computed independently with the openssl CLI
 * (`openssl mac -digest D -macopt hexkey:K HMAC`, prf+ iterated by a shell
 * script): Ni = 00..1f, Nr = 20..3f, g^ir = 64..83, SPIi = 0102..08,
 * SPIr = 1112..18. */
static const char ni_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
static const char nr_hex[] = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f";
static const char gir_hex[] = "6465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f80818283";
static const uint8_t spi_i[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t spi_r[8] = {0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18};
static const char km256_hex[] =
    "e8ad17928bd1da562a88640cfbd8875397f3d2fa7cb33871060d78f39875b0e03b08e551808b7ae0"
    "7104307c8010790dc06b71088785c3a21750df4192cee48697e7a1ad51d14d9a7d5225373430086f"
    "1ec42aba516c6c20146b12cb0b19eb3e9de8d701bf05e8b5f3b75fd7b38e16004c87807a3d71fd1e"
    "a3e584582acceedfaadbd6aa1fefcfc8ef0a8d83dffad1bed547918a57555052e88397af481d886e"
    "4aec9e0294654c5d";
static const char km1_hex[] =
    "e447cfb1195b836d3c9033f8bc1600732a12ac6216b2cfd92b210a4bc0ba9d3c7c74c721a3f5478d"
    "4106f3fdaef7928b6597fcfe03343b2d616b52fc8799dcb42162f14db7617810bd947315f5ae012a"
    "109aa89f8ada53b4df41d72cbf670558efff034ffae05c107bb69e344b7b61b35df84eda91ca74b6"
    "531cdc237c5feba7713d300b";

static void test_prf_plus_and_keymat(void **state)
{
	uint8_t ni[32], nr[32], gir[32], seed[IKE_PRF_MAX], km[200], expect[200];
	(void)state;
	unhex(ni_hex, ni, sizeof(ni));
	unhex(nr_hex, nr, sizeof(nr));
	unhex(gir_hex, gir, sizeof(gir));

	/* SKEYSEED = prf(Ni | Nr, g^ir) */
	assert_int_equal(ike_skeyseed(IKE_PRF_HMAC_SHA2_256, ni, 32, nr, 32, gir, 32, seed), 0);
	assert_hex(seed, 32, "964db3a2f1c8edd050659be6696fcbb81b8e1fa61e53054026f12eeef890e32e");
	/* prf+ directly, seed given as four chunks */
	struct ike_chunk s[4] = {{ni, 32}, {nr, 32}, {spi_i, 8}, {spi_r, 8}};
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, seed, 32, s, 4, km, 168), 0);
	assert_hex(km, 168, km256_hex);
	/* a shorter output is a prefix */
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, seed, 32, s, 4, km, 33), 0);
	unhex(km256_hex, expect, sizeof(expect));
	assert_memory_equal(km, expect, 33);
	/* the 255-block limit */
	static uint8_t big[255 * 32 + 1];
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, seed, 32, s, 4, big, 255 * 32), 0);
	assert_memory_equal(big, expect, 168);
	assert_int_equal(ike_prf_plus(IKE_PRF_HMAC_SHA2_256, seed, 32, s, 4, big, 255 * 32 + 1),
	                 -1);

	/* all seven keys for aes256gcm16-prfsha256 */
	struct ike_suite gcm = {IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA2_256,
	                        IKE_DH_CURVE25519};
	struct ike_keymat k;
	assert_int_equal(ike_keymat_derive(&gcm, seed, 32, ni, 32, nr, 32, spi_i, spi_r, &k), 0);
	assert_int_equal(k.prf_len, 32);
	assert_int_equal(k.integ_len, 0);
	assert_int_equal(k.encr_len, 36);
	assert_memory_equal(k.sk_d, expect, 32);
	assert_memory_equal(k.sk_ei, expect + 32, 36);
	assert_memory_equal(k.sk_er, expect + 68, 36);
	assert_memory_equal(k.sk_pi, expect + 104, 32);
	assert_memory_equal(k.sk_pr, expect + 136, 32);
	ike_keymat_clear(&k);
	assert_int_equal(k.prf_len, 0);

	/* aes128-sha1-prfsha1: SK_d 20 | SK_ai 20 | SK_ar 20 | SK_ei 16 | SK_er 16 | SK_p 20+20 */
	struct ike_suite cbc = {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1,
	                        0};
	assert_int_equal(ike_skeyseed(IKE_PRF_HMAC_SHA1, ni, 32, nr, 32, gir, 32, seed), 0);
	assert_hex(seed, 20, "fff4d90b5f8356c1c63daeb624d86fb906f79d0c");
	assert_int_equal(ike_keymat_derive(&cbc, seed, 20, ni, 32, nr, 32, spi_i, spi_r, &k), 0);
	unhex(km1_hex, expect, sizeof(expect));
	assert_memory_equal(k.sk_d, expect, 20);
	assert_memory_equal(k.sk_ai, expect + 20, 20);
	assert_memory_equal(k.sk_ar, expect + 40, 20);
	assert_memory_equal(k.sk_ei, expect + 60, 16);
	assert_memory_equal(k.sk_er, expect + 76, 16);
	assert_memory_equal(k.sk_pi, expect + 92, 20);
	assert_memory_equal(k.sk_pr, expect + 112, 20);

	/* rekey: prf(SK_d, g^ir | Ni | Nr) */
	uint8_t a[IKE_PRF_MAX], b[IKE_PRF_MAX], cat[96];
	assert_int_equal(
	    ike_skeyseed_rekey(IKE_PRF_HMAC_SHA1, k.sk_d, 20, gir, 32, ni, 32, nr, 32, a), 0);
	memcpy(cat, gir, 32);
	memcpy(cat + 32, ni, 32);
	memcpy(cat + 64, nr, 32);
	struct ike_chunk one = {cat, 96};
	assert_int_equal(ike_prf(IKE_PRF_HMAC_SHA1, k.sk_d, 20, &one, 1, b), 0);
	assert_memory_equal(a, b, 20);
	ike_keymat_clear(&k);

	/* nonces above 256 bytes and suites without a PRF are refused */
	static uint8_t huge[IKE_NONCE_MAX + 1];
	assert_int_equal(ike_skeyseed(IKE_PRF_HMAC_SHA1, huge, sizeof(huge), nr, 32, gir, 32, seed),
	                 -1);
	gcm.prf = IKE_PRF_NONE;
	assert_int_equal(ike_keymat_derive(&gcm, seed, 32, ni, 32, nr, 32, spi_i, spi_r, &k), -1);
}

/* ------------------------------------------------------------------ */
/* Suites */

static void test_suite_sizes(void **state)
{
	/* expected: encr_key, salt, block, iv, icv, integ_key, prf_len, aead */
	static const struct {
		struct ike_suite s;
		int ok;
		struct ike_suite_sizes z;
	} v[] = {
	    {{IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_160, IKE_PRF_HMAC_SHA1, 0},
	     0,
	     {24, 0, 8, 8, 20, 20, 20, false}},
	    {{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 14},
	     0,
	     {16, 0, 16, 16, 12, 20, 20, false}},
	    {{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 19},
	     0,
	     {32, 0, 16, 16, 16, 32, 32, false}},
	    {{IKE_ENCR_AES_CTR, 192, IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512, 0},
	     0,
	     {28, 4, 1, 8, 32, 64, 64, false}},
	    {{IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, 0},
	     0,
	     {20, 4, 1, 8, 24, 48, 48, false}},
	    {{IKE_ENCR_AES_CCM_8, 128, 0, IKE_PRF_HMAC_SHA2_256, 0},
	     0,
	     {19, 3, 1, 8, 8, 0, 32, true}},
	    {{IKE_ENCR_AES_CCM_12, 192, 0, IKE_PRF_HMAC_SHA2_256, 0},
	     0,
	     {27, 3, 1, 8, 12, 0, 32, true}},
	    {{IKE_ENCR_AES_CCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 0},
	     0,
	     {35, 3, 1, 8, 16, 0, 32, true}},
	    {{IKE_ENCR_AES_GCM_8, 256, 0, IKE_PRF_HMAC_SHA2_256, 0},
	     0,
	     {36, 4, 1, 8, 8, 0, 32, true}},
	    {{IKE_ENCR_AES_GCM_12, 128, 0, IKE_PRF_NONE, 0}, 0, {20, 4, 1, 8, 12, 0, 0, true}},
	    {{IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_512, 31},
	     0,
	     {36, 4, 1, 8, 16, 0, 64, true}},
	    /* invalid: bad key size, AEAD with integ, CBC without, unknown ids */
	    {{IKE_ENCR_AES_CBC, 64, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0}, -1, {0}},
	    {{IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0}, -1, {0}},
	    {{IKE_ENCR_AES_CBC, 128, IKE_INTEG_NONE, IKE_PRF_HMAC_SHA1, 0}, -1, {0}},
	    {{IKE_ENCR_NULL, 0, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0}, -1, {0}},
	    {{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 3 /* TIGER */, 0}, -1, {0}},
	    {{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 22}, -1, {0}},
	};
	(void)state;
	/* IANA numbers */
	assert_int_equal(IKE_ENCR_AES_GCM_16, 20);
	assert_int_equal(IKE_ENCR_AES_CCM_8, 14);
	assert_int_equal(IKE_INTEG_HMAC_SHA1_160, 7);
	assert_int_equal(IKE_PRF_HMAC_SHA2_512, 7);
	assert_int_equal(IKE_DH_CURVE25519, 31);
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ike_suite_sizes z;
		const struct ike_suite_sizes *e = &v[i].z;
		int rc = ike_suite_sizes(&v[i].s, &z);
		assert_int_equal(rc, v[i].ok);
		if (rc < 0)
			continue;
		assert_int_equal(z.encr_key, e->encr_key);
		assert_int_equal(z.salt, e->salt);
		assert_int_equal(z.block, e->block);
		assert_int_equal(z.iv, e->iv);
		assert_int_equal(z.icv, e->icv);
		assert_int_equal(z.integ_key, e->integ_key);
		assert_int_equal(z.prf_len, e->prf_len);
		assert_int_equal(z.aead, e->aead);
	}
}

static void test_suite_names(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: parse must fail */
	} v[] = {
	    {"aes256gcm16-prfsha256-x25519", "aes256gcm16-prfsha256-x25519"},
	    {"aes128-sha256-modp2048", "aes128-sha256-prfsha256-modp2048"},
	    {"3des-sha1_160-prfsha1-modp1536", "3des-sha1_160-prfsha1-modp1536"},
	    {"aes192ctr-sha512", "aes192ctr-sha512-prfsha512"},
	    {"aes128ccm96-prfsha384-ecp384", "aes128ccm12-prfsha384-ecp384"},
	    {"curve25519-prfsha512-aes256gcm128", "aes256gcm16-prfsha512-x25519"},
	    {"aes256gcm16", "aes256gcm16"},
	    {"aes128-sha1", "aes128-sha1-prfsha1"},
	    {"aes128", NULL},             /* CBC without integrity */
	    {"aes256gcm16-sha256", NULL}, /* AEAD with integrity */
	    {"aes100-sha1", NULL},        /* key size */
	    {"aes128-sha1-sha256", NULL}, /* two integrity algorithms */
	    {"aes128-aes256-sha1", NULL}, /* two ciphers */
	    {"3des-3des-sha1", NULL},
	    {"aes128-sha1-bogus", NULL}, /* unknown token */
	    {"aes128gcm16-ecp256-ecp384", NULL},
	    {"", NULL},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct ike_suite s;
		char buf[64];
		int rc = ike_suite_parse(v[i].in, &s);
		if (!v[i].out) {
			assert_int_equal(rc, -1);
			continue;
		}
		assert_int_equal(rc, 0);
		ike_suite_format(&s, buf, sizeof(buf));
		assert_string_equal(buf, v[i].out);
	}
}

/* ------------------------------------------------------------------ */
/* Ciphers: known answers */

struct cipher_kat {
	unsigned encr;
	const char *key, *iv, *aad, *pt, *ct, *icv;
};

static void run_cipher_kat(const struct cipher_kat *v)
{
	uint8_t key[40], iv[16], aad[64], pt[128], ct[128], out[128], icv[16], tag[16];
	size_t kl = unhex(v->key, key, sizeof(key)), al = unhex(v->aad, aad, sizeof(aad));
	size_t pl = unhex(v->pt, pt, sizeof(pt)), il = unhex(v->icv, tag, sizeof(tag));
	unhex(v->iv, iv, sizeof(iv));
	unhex(v->ct, ct, sizeof(ct));

	struct ike_cipher *c = ike_cipher_new(v->encr, key, kl);
	assert_non_null(c);
	assert_int_equal(ike_cipher_info(c)->key_len, kl);
	assert_int_equal(ike_cipher_info(c)->icv_len, il);
	for (int rep = 0; rep < 2; rep++) { /* the key schedule is reused */
		assert_int_equal(ike_cipher_encrypt(c, iv, aad, al, pt, pl, out, icv), 0);
		assert_memory_equal(out, ct, pl);
		if (il)
			assert_memory_equal(icv, tag, il);
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, il ? tag : NULL),
		                 0);
		assert_memory_equal(out, pt, pl);
	}
	/* in place */
	memcpy(out, pt, pl);
	assert_int_equal(ike_cipher_encrypt(c, iv, aad, al, out, pl, out, icv), 0);
	assert_memory_equal(out, ct, pl);
	assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, out, pl, out, il ? icv : NULL), 0);
	assert_memory_equal(out, pt, pl);
	if (il) {
		/* wrong tag, wrong AAD, wrong data: ICV; output wiped; then OK again */
		tag[0] ^= 0x80;
		memset(out, 0x55, pl);
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, tag),
		                 IKE_CRYPTO_ICV);
		for (size_t i = 0; i < pl; i++)
			assert_int_equal(out[i], 0);
		/* ... but decrypts without the check */
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, NULL), 0);
		assert_memory_equal(out, pt, pl);
		tag[0] ^= 0x80;
		aad[al - 1] ^= 1;
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, tag),
		                 IKE_CRYPTO_ICV);
		aad[al - 1] ^= 1;
		ct[pl - 1] ^= 1;
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, tag),
		                 IKE_CRYPTO_ICV);
		ct[pl - 1] ^= 1;
		assert_int_equal(ike_cipher_decrypt(c, iv, aad, al, ct, pl, out, tag), 0);
		assert_memory_equal(out, pt, pl);
	}
	ike_cipher_free(c);
}

static void test_cipher_kat(void **state)
{
	static const struct cipher_kat v[] = {
	    /* RFC 3602 case 1 */
	    {IKE_ENCR_AES_CBC, "06a9214036b8a15b512e03d534120006",
	     "3dafba429d9eb430b422da802c9fac41", "", "53696e676c6520626c6f636b206d7367",
	     "e353779c1079aeb82708942dbe77181a", ""},
	    /* RFC 3686 vectors 1 and 3: key | nonce, IV, counter from 1 */
	    {IKE_ENCR_AES_CTR, "ae6852f8121067cc4bf7a5765577f39e00000030", "0000000000000000", "",
	     "53696e676c6520626c6f636b206d7367", "e4095d4fb7a7b3792d6175a3261311b8", ""},
	    {IKE_ENCR_AES_CTR, "7691be035e5020a8ac6e618529f9a0dc00e0017b", "27777f3f4a1786f0", "",
	     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223",
	     "c1cf48a89f2ffdd9cf4652e9efdb72d74540a42bde6d7836d59a5ceaaef3105325b2072f", ""},
	    /* GCM spec test case 4, IV split as salt cafebabe | IV facedbaddecaf888 */
	    {IKE_ENCR_AES_GCM_16, "feffe9928665731c6d6a8f9467308308cafebabe", "facedbaddecaf888",
	     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
	     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532"
	     "fcf0e2449a6b525b16aedf5aa0de657ba637b39",
	     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7"
	     "d8f6a5aac84aa051ba30b396a0aac973d58e091",
	     "5bc94fbc3221a5db94fae95ae7121a47"},
	    {IKE_ENCR_AES_GCM_8, "feffe9928665731c6d6a8f9467308308cafebabe", "facedbaddecaf888",
	     "feedfacedeadbeeffeedfacedeadbeefabaddad2", "d9313225f88406e5a55909c5aff5269a",
	     "42831ec2217774244b7221b784d0d49c", "d9f20ea917428bc4"},
	    /* CCM, 11-byte nonce (salt a1a2a3 | IV), computed with Python's
	     * cryptography (an independent implementation) */
	    {IKE_ENCR_AES_CCM_8,
	     "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fa1a2a3",
	     "b0b1b2b3b4b5b6b7", "000102030405060708090a0b0c0d0e0f10111213",
	     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4",
	     "0b7064ccfac4335012c6f15766ca67112c3ae926c631b19a0944fb8869c30497aa62d2e584",
	     "2d415cc6ffeed97b"},
	    {IKE_ENCR_AES_CCM_12,
	     "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fa1a2a3",
	     "b0b1b2b3b4b5b6b7", "000102030405060708090a0b0c0d0e0f10111213",
	     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4",
	     "0b7064ccfac4335012c6f15766ca67112c3ae926c631b19a0944fb8869c30497aa62d2e584",
	     "ca8a0270d1060c29c7273843"},
	    {IKE_ENCR_AES_CCM_16,
	     "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5fa1a2a3",
	     "b0b1b2b3b4b5b6b7", "000102030405060708090a0b0c0d0e0f10111213",
	     "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9fa0a1a2a3a4",
	     "0b7064ccfac4335012c6f15766ca67112c3ae926c631b19a0944fb8869c30497aa62d2e584",
	     "7a56f51edca2278e8877720480b7b798"},
	    /* 3DES-CBC (openssl enc -des-ede3-cbc -nopad) */
	    {IKE_ENCR_3DES, "0123456789abcdef23456789abcdef01456789abcdef0123", "1234567890abcdef",
	     "", "53696e676c6520626c6f636b206d7367", "ef1463ef188795f9427fd93640ef02a7", ""},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++)
		run_cipher_kat(&v[i]);
}

static void test_cipher_errors(void **state)
{
	uint8_t key[36] = {0}, iv[16] = {0}, buf[32] = {0}, icv[16];
	(void)state;
	assert_null(ike_cipher_new(IKE_ENCR_AES_CBC, key, 15));
	assert_null(ike_cipher_new(IKE_ENCR_AES_GCM_16, key, 32)); /* salt missing */
	assert_null(ike_cipher_new(IKE_ENCR_AES_CCM_8, key, 20));
	assert_null(ike_cipher_new(IKE_ENCR_3DES, key, 16));
	assert_null(ike_cipher_new(IKE_ENCR_NULL, key, 0));
	assert_null(ike_cipher_new(99, key, 16));
	struct ike_cipher *c = ike_cipher_new(IKE_ENCR_AES_CBC, key, 16);
	assert_non_null(c);
	assert_int_equal(ike_cipher_encrypt(c, iv, NULL, 0, buf, 15, buf, NULL), IKE_CRYPTO_ERR);
	assert_int_equal(ike_cipher_decrypt(c, iv, NULL, 0, buf, 17, buf, NULL), IKE_CRYPTO_ERR);
	assert_int_equal(ike_cipher_encrypt(c, NULL, NULL, 0, buf, 16, buf, NULL), IKE_CRYPTO_ERR);
	ike_cipher_free(c);
	c = ike_cipher_new(IKE_ENCR_AES_GCM_16, key, 36);
	assert_int_equal(ike_cipher_encrypt(c, iv, NULL, 0, buf, 16, buf, NULL), IKE_CRYPTO_ERR);
	/* empty AAD is fine */
	assert_int_equal(ike_cipher_encrypt(c, iv, NULL, 0, buf, 16, buf, icv), 0);
	assert_int_equal(ike_cipher_decrypt(c, iv, NULL, 0, buf, 16, buf, icv), 0);
	ike_cipher_free(c);
	ike_cipher_free(NULL);
}

/* ------------------------------------------------------------------ */
/* Diffie-Hellman */

static void test_dh_kat(void **state)
{
	static const struct {
		unsigned group;
		const char *priv, *pub, *peer, *shared;
	} v[] = {
	    /* RFC 7748 §6.1 */
	    {IKE_DH_CURVE25519, "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
	     "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
	     "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
	     "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"},
	    /* computed with Python's cryptography: KE data is x | y, g^ir is x */
	    {IKE_DH_ECP256, "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20",
	     "515c3d6eb9e396b904d3feca7f54fdcd0cc1e997bf375dca515ad0a6c3b4035f4536be3a50f318fbf9"
	     "a5475902a221502bef0d57e08c53b2cc0a56f17d9f9354",
	     "261efbd3550cf068ef013ed7366ba32f5d6fe557b4b2abce8ade58cba168a55e1788a0b29a56a6abec"
	     "4084c0c96bd3dcbca6b507f35dbea9e985708479d8bdc9",
	     "7434f2c52e0d08dc73394aae3d2d55d5b88bc570f21cc2b8f8b80b273ddbf76f"},
	    {IKE_DH_ECP384,
	     "0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a"
	     "2b2c2d2e2f30",
	     "c76f2283dda95cd49b0ed9e733d2904474e37216f124e13d2c9ab4cf01021c49ad9cabb3d0b97499ae"
	     "f2f0ab313fa02826bc1f83451b5c8962a75caff73588d4400a6296436154fb343c393e91048a6c7bcb"
	     "adc83cd8a5f26feae883156f92a1",
	     "dcd1d3e36f25e675bda55b28b3cfbe3d284287e1f9d16ac575b76c3c7036df30fe2a8f9be472194323"
	     "e98b7441fd8eab4f8c2842a047ff97feeb592f6c00f252d07c5089eff7b3dd47498178e64989c5fa12"
	     "57dc00dbc644bbc864ba5616aae4",
	     "4506b6844fec66eacaafa353f344ef68e64416f9ab4051a4c54c7c13c7d3f92df2449d0783dce97725"
	     "7e1029e3b0bcc7"},
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		uint8_t priv[64], peer[128], pub[128], shared[128];
		size_t kl = unhex(v[i].priv, priv, sizeof(priv));
		size_t pl = unhex(v[i].peer, peer, sizeof(peer));
		struct ike_dh *dh = ike_dh_new_private(v[i].group, priv, kl);
		assert_non_null(dh);
		assert_int_equal(ike_dh_pub_len(v[i].group), pl);
		assert_int_equal(ike_dh_public(dh, pub, sizeof(pub)), 0);
		assert_hex(pub, pl, v[i].pub);
		int n = ike_dh_shared(dh, peer, pl, shared, sizeof(shared));
		assert_int_equal(n, strlen(v[i].shared) / 2);
		assert_hex(shared, (size_t)n, v[i].shared);
		/* wrong length, and for ECP a point off the curve */
		assert_int_equal(ike_dh_shared(dh, peer, pl - 1, shared, sizeof(shared)), -1);
		if (v[i].group != IKE_DH_CURVE25519) {
			peer[pl - 1] ^= 1;
			assert_int_equal(ike_dh_shared(dh, peer, pl, shared, sizeof(shared)), -1);
		} else { /* small-order point 0 gives an all-zero secret: refused */
			memset(peer, 0, pl);
			assert_int_equal(ike_dh_shared(dh, peer, pl, shared, sizeof(shared)), -1);
		}
		ike_dh_free(dh);
	}
	assert_null(ike_dh_new_private(IKE_DH_MODP2048, (const uint8_t *)"x", 1));
}

static void dh_pair(unsigned group)
{
	static uint8_t pa[IKE_DH_PUB_MAX], pb[IKE_DH_PUB_MAX], sa[IKE_DH_PUB_MAX],
	    sb[IKE_DH_PUB_MAX];
	size_t pl = ike_dh_pub_len(group);
	struct ike_dh *a = ike_dh_new(group), *b = ike_dh_new(group);

	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(ike_dh_public(a, pa, sizeof(pa)), 0);
	assert_int_equal(ike_dh_public(b, pb, sizeof(pb)), 0);
	assert_int_equal(ike_dh_public(a, pa, pl - 1), -1);
	int na = ike_dh_shared(a, pb, pl, sa, sizeof(sa));
	int nb = ike_dh_shared(b, pa, pl, sb, sizeof(sb));
	assert_true(na > 0);
	assert_int_equal(na, nb);
	assert_memory_equal(sa, sb, (size_t)na);
	ike_dh_free(a);
	ike_dh_free(b);
}

static void test_dh_roundtrip(void **state)
{
	static const unsigned groups[] = {IKE_DH_MODP1536, IKE_DH_MODP2048, IKE_DH_ECP256,
	                                  IKE_DH_ECP384,   IKE_DH_ECP521,   IKE_DH_CURVE25519,
	                                  IKE_DH_CURVE448};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		dh_pair(groups[i]);
	assert_null(ike_dh_new(IKE_DH_MODP1024)); /* not offered by OpenSSL by name */
	assert_int_equal(ike_dh_pub_len(IKE_DH_MODP1024), 0);
	assert_int_equal(ike_dh_pub_len(IKE_DH_ECP521), 132);
	assert_int_equal(ike_dh_pub_len(IKE_DH_MODP8192), 1024);
}

/* MODP: bad peer values are refused; g^ir keeps the prime's length even
 * when its top byte is zero (RFC 7296 §2.14). */
static void test_dh_modp(void **state)
{
	uint8_t peer[192], s1[192], s2[192], pa[192], pb[192];
	(void)state;
	struct ike_dh *a = ike_dh_new(IKE_DH_MODP1536);
	assert_non_null(a);
	memset(peer, 0, sizeof(peer));
	assert_int_equal(ike_dh_shared(a, peer, 192, s1, sizeof(s1)), -1);
	peer[191] = 1;
	assert_int_equal(ike_dh_shared(a, peer, 192, s1, sizeof(s1)), -1);
	memset(peer, 0xff, sizeof(peer)); /* >= p */
	assert_int_equal(ike_dh_shared(a, peer, 192, s1, sizeof(s1)), -1);
	assert_int_equal(ike_dh_public(a, pa, sizeof(pa)), 0);
	int zero_seen = 0;
	for (int i = 0; i < 4000 && !zero_seen; i++) {
		struct ike_dh *b = ike_dh_new(IKE_DH_MODP1536);
		assert_int_equal(ike_dh_public(b, pb, sizeof(pb)), 0);
		assert_int_equal(ike_dh_shared(b, pa, 192, s2, sizeof(s2)), 192);
		if (s2[0] == 0) {
			assert_int_equal(ike_dh_shared(a, pb, 192, s1, sizeof(s1)), 192);
			assert_memory_equal(s1, s2, 192);
			zero_seen = 1;
		}
		ike_dh_free(b);
	}
	assert_true(zero_seen);
	ike_dh_free(a);
}

static void test_random(void **state)
{
	uint8_t a[32] = {0}, b[32] = {0};
	(void)state;
	assert_int_equal(ike_random(a, sizeof(a)), 0);
	assert_int_equal(ike_random(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_prf_hmac_kat),
	    cmocka_unit_test(test_integ_kat),
	    cmocka_unit_test(test_prf_plus_and_keymat),
	    cmocka_unit_test(test_suite_sizes),
	    cmocka_unit_test(test_suite_names),
	    cmocka_unit_test(test_cipher_kat),
	    cmocka_unit_test(test_cipher_errors),
	    cmocka_unit_test(test_dh_kat),
	    cmocka_unit_test(test_dh_roundtrip),
	    cmocka_unit_test(test_dh_modp),
	    cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
