/* Unit tests for ike/sk (the SK and SKF payloads, RFC 7296 §3.14 and RFC
 * 7383) over ike/crypto: round trips for a range of suites, tampering with
 * every bit, fragments, an unencrypted payload before SK, every named error
 * and the error names. The known-answer tests of ike/crypto itself are in
 * test_ike_crypto.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/sk.h"
#include "lib/util.h"
#include "lib/writer.h"

static const struct ike_suite sk_suites[] = {
    {IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_160, IKE_PRF_HMAC_SHA1, 0},
    {IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0},
    {IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192, IKE_PRF_HMAC_SHA2_384, 0},
    {IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA2_256_128, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_CTR, 192, IKE_INTEG_HMAC_SHA2_512_256, IKE_PRF_HMAC_SHA2_512, 0},
    {IKE_ENCR_AES_CTR, 256, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0},
    {IKE_ENCR_AES_CCM_8, 128, 0, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_CCM_12, 192, 0, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_CCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_GCM_8, 128, 0, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_GCM_12, 192, 0, IKE_PRF_HMAC_SHA2_256, 0},
    {IKE_ENCR_AES_GCM_16, 256, 0, IKE_PRF_HMAC_SHA2_256, 0},
};

static void sk_ctx_for(const struct ike_suite *s, struct ike_sk_ctx *ctx)
{
	struct ike_suite_sizes z;
	uint8_t ke[IKE_ENCR_KEY_MAX], ka[IKE_INTEG_KEY_MAX];
	assert_int_equal(ike_suite_sizes(s, &z), 0);
	for (size_t i = 0; i < sizeof(ke); i++)
		ke[i] = (uint8_t)(0x30 + i);
	for (size_t i = 0; i < sizeof(ka); i++)
		ka[i] = (uint8_t)(0x90 + i);
	assert_int_equal(ike_sk_ctx_init(ctx, s, ke, z.encr_key, z.aead ? NULL : ka, z.integ_key),
	                 IKE_SK_OK);
}

/* IKE header: SPIs, next payload 0, v2.0, IKE_AUTH, Initiator, msgid 1. */
static void sk_header(struct writer *w, uint8_t *buf, size_t cap)
{
	static const uint8_t hdr[28] = {1,  2,  3, 4,    5,  6,    7, 8, 9, 10, 11, 12, 13, 14,
	                                15, 16, 0, 0x20, 35, 0x08, 0, 0, 0, 1,  0,  0,  0,  0};
	wr_init(w, buf, cap);
	wr_bytes(w, hdr, sizeof(hdr));
}

static size_t be32_at(const uint8_t *p)
{
	return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3];
}

static void test_sk_roundtrip(void **state)
{
	static uint8_t msg[2048], inner[600], out[2048];
	(void)state;
	for (size_t i = 0; i < sizeof(inner); i++)
		inner[i] = (uint8_t)(i * 7 + 1);
	for (size_t si = 0; si < ARRAY_SIZE(sk_suites); si++) {
		struct ike_sk_ctx ctx;
		sk_ctx_for(&sk_suites[si], &ctx);
		for (size_t len = 0; len < 70; len += (len < 40 ? 1 : 13)) {
			struct writer w;
			struct ike_sk_loc loc;
			size_t n = 0;
			sk_header(&w, msg, sizeof(msg));
			assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, len), IKE_SK_OK);
			assert_true(wr_ok(&w));
			assert_int_equal(be32_at(msg + 24), wr_len(&w));
			assert_int_equal(msg[16], IKE_SK_PT_SK);
			assert_int_equal(wr_len(&w), 28 + ike_sk_payload_len(&ctx, len, false));
			assert_int_equal(ike_sk_locate(msg, wr_len(&w), &loc), IKE_SK_OK);
			assert_int_equal(loc.type, IKE_SK_PT_SK);
			assert_int_equal(loc.first, 35);
			assert_int_equal(loc.off, 28);
			assert_int_equal(loc.iv_off, 32);
			size_t ct = wr_len(&w) - 32 - ctx.sz.iv - ctx.sz.icv;
			assert_int_equal(ct % ctx.sz.block, 0);
			assert_true(ct < len + 1 + ctx.sz.block);
			memset(out, 0xee, sizeof(out));
			assert_int_equal(
			    ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
			    IKE_SK_OK);
			assert_int_equal(n, len);
			assert_memory_equal(out, inner, len);
		}
		/* a full-size message */
		struct writer w;
		size_t n;
		sk_header(&w, msg, sizeof(msg));
		assert_int_equal(ike_sk_encrypt(&ctx, &w, 41, inner, sizeof(inner)), IKE_SK_OK);
		assert_int_equal(ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
		                 IKE_SK_OK);
		assert_int_equal(n, sizeof(inner));
		assert_memory_equal(out, inner, n);
		ike_sk_ctx_clear(&ctx);
		assert_null(ctx.cipher);
	}
}

/* Every single-bit change anywhere in the message is detected: the checksum
 * covers the IKE header and the SK header (and SKF's fragment fields). */
static void tamper_all(const struct ike_suite *s, bool frag)
{
	uint8_t msg[512], out[512], inner[45];
	struct ike_sk_ctx ctx;
	struct writer w;
	size_t n;

	memset(inner, 0x5a, sizeof(inner));
	sk_ctx_for(s, &ctx);
	sk_header(&w, msg, sizeof(msg));
	if (frag)
		assert_int_equal(ike_skf_encrypt(&ctx, &w, 35, 2, 3, inner, sizeof(inner)), 0);
	else
		assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, sizeof(inner)), 0);
	size_t len = wr_len(&w);
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			msg[i] ^= (uint8_t)(1 << bit);
			int rc = ike_sk_decrypt(&ctx, msg, len, out, sizeof(out), &n, 0);
			assert_int_not_equal(rc, IKE_SK_OK);
			assert_int_equal(n, 0);
			msg[i] ^= (uint8_t)(1 << bit);
		}
	}
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, sizeof(out), &n, 0), IKE_SK_OK);
	assert_memory_equal(out, inner, sizeof(inner));
	/* a wrong ICV passes with IKE_SK_NO_ICV_CHECK, and only then */
	msg[len - 1] ^= 1;
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, sizeof(out), &n, 0), IKE_SK_ERR_ICV);
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, sizeof(out), &n, IKE_SK_NO_ICV_CHECK),
	                 IKE_SK_OK);
	assert_int_equal(n, sizeof(inner));
	assert_memory_equal(out, inner, sizeof(inner));
	ike_sk_ctx_clear(&ctx);
}

static void test_sk_tamper(void **state)
{
	(void)state;
	for (size_t si = 0; si < ARRAY_SIZE(sk_suites); si++) {
		tamper_all(&sk_suites[si], false);
		tamper_all(&sk_suites[si], true);
	}
}

static void test_skf(void **state)
{
	uint8_t msg[512], out[512], inner[100];
	struct ike_sk_ctx ctx;
	struct ike_sk_loc loc;
	struct writer w;
	size_t n;
	(void)state;

	memset(inner, 0x42, sizeof(inner));
	sk_ctx_for(&sk_suites[12], &ctx);
	for (uint16_t f = 1; f <= 2; f++) {
		sk_header(&w, msg, sizeof(msg));
		assert_int_equal(ike_skf_encrypt(&ctx, &w, 35, f, 2, inner, 50), IKE_SK_OK);
		assert_int_equal(msg[16], IKE_SK_PT_SKF);
		assert_int_equal(ike_sk_locate(msg, wr_len(&w), &loc), IKE_SK_OK);
		assert_int_equal(loc.type, IKE_SK_PT_SKF);
		assert_int_equal(loc.first, f == 1 ? 35 : 0);
		assert_int_equal(loc.frag_num, f);
		assert_int_equal(loc.frag_total, 2);
		assert_int_equal(loc.iv_off, 36);
		assert_int_equal(wr_len(&w), 28 + ike_sk_payload_len(&ctx, 50, true));
		assert_int_equal(ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
		                 IKE_SK_OK);
		assert_int_equal(n, 50);
	}
	/* fragment numbers: 0 or above the total */
	sk_header(&w, msg, sizeof(msg));
	assert_int_equal(ike_skf_encrypt(&ctx, &w, 35, 0, 2, inner, 50), IKE_SK_ERR_FRAG);
	assert_int_equal(ike_skf_encrypt(&ctx, &w, 35, 3, 2, inner, 50), IKE_SK_ERR_FRAG);
	assert_int_equal(wr_len(&w), 28);
	assert_int_equal(ike_skf_encrypt(&ctx, &w, 35, 1, 1, inner, 50), IKE_SK_OK);
	msg[33] = 2; /* fragment number 2 of 1 */
	assert_int_equal(ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
	                 IKE_SK_ERR_FRAG);
	msg[33] = 0;
	assert_int_equal(ike_sk_locate(msg, wr_len(&w), &loc), IKE_SK_ERR_FRAG);
	ike_sk_ctx_clear(&ctx);
}

/* An unencrypted payload before SK: the chain is linked through it and it
 * is covered by the checksum (AEAD: part of the associated data). */
static void test_sk_after_payload(void **state)
{
	uint8_t msg[512], out[512], inner[20] = {0};
	struct ike_sk_loc loc;
	struct writer w;
	size_t n;
	(void)state;
	for (size_t si = 0; si < ARRAY_SIZE(sk_suites); si += 6) {
		struct ike_sk_ctx ctx;
		sk_ctx_for(&sk_suites[si], &ctx);
		sk_header(&w, msg, sizeof(msg));
		msg[16] = 41; /* a Notify */
		static const uint8_t notify[8] = {0, 0, 0, 8, 0, 0, 0x40, 0x04};
		wr_bytes(&w, notify, sizeof(notify));
		assert_int_equal(ike_sk_encrypt(&ctx, &w, 36, inner, sizeof(inner)), IKE_SK_OK);
		assert_int_equal(msg[16], 41);
		assert_int_equal(msg[28], IKE_SK_PT_SK);
		assert_int_equal(ike_sk_locate(msg, wr_len(&w), &loc), IKE_SK_OK);
		assert_int_equal(loc.off, 36);
		assert_int_equal(loc.iv_off, 40);
		assert_int_equal(ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
		                 IKE_SK_OK);
		msg[34] ^= 1;
		assert_int_equal(ike_sk_decrypt(&ctx, msg, wr_len(&w), out, sizeof(out), &n, 0),
		                 IKE_SK_ERR_ICV);
		ike_sk_ctx_clear(&ctx);
	}
}

static void put_be16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, size_t v)
{
	put_be16(p, v >> 16);
	put_be16(p + 2, v & 0xffff);
}

static void test_sk_errors(void **state)
{
	uint8_t msg[512], out[512], inner[30] = {0};
	struct ike_sk_ctx ctx, cbc;
	struct ike_sk_loc loc;
	struct writer w;
	size_t n = 1;
	(void)state;

	sk_ctx_for(&sk_suites[4], &ctx); /* AES-CTR + HMAC-SHA256-128 */
	sk_ctx_for(&sk_suites[1], &cbc); /* AES-CBC + HMAC-SHA1-96 */
	sk_header(&w, msg, sizeof(msg));
	assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, sizeof(inner)), 0);
	size_t len = wr_len(&w);

	assert_int_equal(ike_sk_decrypt(&ctx, msg, 27, out, sizeof(out), &n, 0), IKE_SK_ERR_SHORT);
	assert_int_equal(n, 0);
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len - 1, out, sizeof(out), &n, 0),
	                 IKE_SK_ERR_LENGTH);
	/* cap below the encrypted data */
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, 30, &n, 0), IKE_SK_ERR_NOSPACE);
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, 31, &n, 0), IKE_SK_OK);
	/* wrong keys */
	assert_int_equal(ike_sk_decrypt(&cbc, msg, len, out, sizeof(out), &n, 0), IKE_SK_ERR_BLOCK);

	/* bad pad length: CTR is a stream cipher, so flip the pad length byte
	 * and recompute the checksum with our own key */
	msg[len - ctx.sz.icv - 1] ^= 0xf0;
	struct ike_chunk mac = {msg, len - ctx.sz.icv};
	assert_int_equal(ike_integ_compute(ctx.integ, &mac, 1, msg + len - ctx.sz.icv), 0);
	assert_int_equal(ike_sk_decrypt(&ctx, msg, len, out, sizeof(out), &n, 0), IKE_SK_ERR_PAD);
	assert_int_equal(n, 0);

	/* SK shorter than IV + pad length + ICV */
	uint8_t m[64] = {0};
	memcpy(m, msg, 28);
	m[16] = IKE_SK_PT_SK;
	put_be32(m + 24, 28 + 4 + 8 + 16);
	put_be16(m + 30, 4 + 8 + 16);
	assert_int_equal(ike_sk_decrypt(&ctx, m, 56, out, sizeof(out), &n, 0),
	                 IKE_SK_ERR_TRUNCATED);
	/* SKF without room for its fragment fields */
	m[16] = IKE_SK_PT_SKF;
	put_be32(m + 24, 28 + 6);
	put_be16(m + 30, 6);
	assert_int_equal(ike_sk_locate(m, 34, &loc), IKE_SK_ERR_TRUNCATED);
	/* payload length below 4, past the end */
	m[16] = 41;
	put_be32(m + 24, 40);
	put_be16(m + 30, 3);
	assert_int_equal(ike_sk_locate(m, 40, &loc), IKE_SK_ERR_PAYLOAD);
	put_be16(m + 30, 13);
	assert_int_equal(ike_sk_locate(m, 40, &loc), IKE_SK_ERR_PAYLOAD);
	/* chain ends without SK */
	put_be16(m + 30, 12);
	m[28] = 0;
	assert_int_equal(ike_sk_locate(m, 40, &loc), IKE_SK_ERR_NO_SK);
	/* header truncated mid-payload-header */
	put_be32(m + 24, 30);
	assert_int_equal(ike_sk_locate(m, 30, &loc), IKE_SK_ERR_PAYLOAD);
	/* no payload at all */
	m[16] = 0;
	put_be32(m + 24, 28);
	assert_int_equal(ike_sk_locate(m, 28, &loc), IKE_SK_ERR_NO_SK);
	/* SK followed by something */
	m[16] = IKE_SK_PT_SK;
	put_be32(m + 24, 40);
	put_be16(m + 30, 8);
	assert_int_equal(ike_sk_locate(m, 40, &loc), IKE_SK_ERR_NOT_LAST);

	/* encrypt: no room leaves the writer untouched */
	uint8_t small[80];
	sk_header(&w, small, sizeof(small));
	assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, sizeof(inner)), IKE_SK_ERR_NOSPACE);
	assert_true(wr_ok(&w));
	assert_int_equal(wr_len(&w), 28);
	assert_int_equal(small[16], 0);
	assert_int_equal(be32_at(small + 24), 0);
	/* encrypt into a writer without a header, or with a broken payload */
	wr_init(&w, small, sizeof(small));
	assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, 1), IKE_SK_ERR_SHORT);
	sk_header(&w, small, sizeof(small));
	wr_be32(&w, 0x00000002);
	assert_int_equal(ike_sk_encrypt(&ctx, &w, 35, inner, 1), IKE_SK_ERR_PAYLOAD);

	/* contexts: unsupported suite, wrong key lengths, cleared context */
	struct ike_sk_ctx bad;
	struct ike_suite s = {IKE_ENCR_AES_CBC, 100, IKE_INTEG_HMAC_SHA1_96, IKE_PRF_HMAC_SHA1, 0};
	uint8_t key[64] = {0};
	assert_int_equal(ike_sk_ctx_init(&bad, &s, key, 16, key, 20), IKE_SK_ERR_UNSUPPORTED);
	s.encr_bits = 128;
	assert_int_equal(ike_sk_ctx_init(&bad, &s, key, 17, key, 20), IKE_SK_ERR_UNSUPPORTED);
	assert_int_equal(ike_sk_ctx_init(&bad, &s, key, 16, key, 19), IKE_SK_ERR_UNSUPPORTED);
	assert_int_equal(ike_sk_decrypt(&bad, msg, len, out, sizeof(out), &n, 0),
	                 IKE_SK_ERR_UNSUPPORTED);
	sk_header(&w, msg, sizeof(msg));
	assert_int_equal(ike_sk_encrypt(&bad, &w, 35, inner, 1), IKE_SK_ERR_UNSUPPORTED);

	ike_sk_ctx_clear(&ctx);
	ike_sk_ctx_clear(&cbc);
}

static void test_sk_strerror(void **state)
{
	(void)state;
	for (int e = 0; e > -IKE_SK_ERR_COUNT; e--) {
		const char *s = ike_sk_strerror(e);
		assert_non_null(s);
		assert_string_not_equal(s, "unknown");
		for (int f = 0; f > e; f--)
			assert_string_not_equal(s, ike_sk_strerror(f));
	}
	assert_string_equal(ike_sk_strerror(IKE_SK_ERR_ICV), "ICV mismatch");
	assert_string_equal(ike_sk_strerror(1), "unknown");
	assert_string_equal(ike_sk_strerror(-IKE_SK_ERR_COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sk_roundtrip), cmocka_unit_test(test_sk_tamper),
	    cmocka_unit_test(test_skf),          cmocka_unit_test(test_sk_after_payload),
	    cmocka_unit_test(test_sk_errors),    cmocka_unit_test(test_sk_strerror),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
