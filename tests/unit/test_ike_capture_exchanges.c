/* IKEv2 codec against real captures, part two of tests/unit/
 * test_ike_capture (test_ike_capture.c has main, which registers these
 * tests): exchange by exchange, field by field, the zeek capture (INVALID_KE
 * retry, fragmented IKE_AUTH behind the non-ESP marker), tcpdump's
 * ikev2four (COOKIE, CREATE_CHILD_SA) and ikev2pI2 (six proposals). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/payload.h"
#include "lib/util.h"
#include "tests/unit/ike_capture_harness.h"

static void load_msg(struct capture *c, unsigned frame, struct ike_msg *m)
{
	const struct capmsg *cm = capture_frame(c, frame);
	assert_int_equal(ike_msg_parse(m, cm->data, cm->len), IKE_OK);
}

static void assert_transform(const struct ike_transform *t, uint8_t type, uint16_t id,
                             uint16_t keylen)
{
	assert_int_equal(t->type, type);
	assert_int_equal(t->id, id);
	assert_int_equal(t->has_keylen, keylen != 0);
	assert_int_equal(t->keylen, keylen);
	assert_false(t->unknown_attr);
}

/* zeek-plugin-ikev2: INVALID_KE retry on port 500, then IKE_AUTH fragmented
 * (RFC 7383) on port 4500 behind the non-ESP marker. */
void test_capture_zeek(void **state)
{
	static const uint16_t encr1[] = {12, 12, 12, 13, 13, 13, 23, 23, 23, 3};
	static const uint16_t keyl1[] = {128, 192, 256, 128, 192, 256, 128, 192, 256, 0};
	static const uint16_t integ1[] = {12, 13, 14, 5, 8, 2};
	static const uint16_t prf[] = {4, 8, 5, 6, 7, 2};
	static const uint16_t dh1[] = {19, 20, 21, 28, 29, 30, 15, 16, 17, 18, 14};
	static const uint16_t dh3[] = {15, 19, 20, 21, 28, 29, 30, 16, 17, 18, 14};
	static const uint16_t encr2[] = {16, 20, 14, 15, 18, 19};
	struct capture *c = capture_load("zeek-plugin-ikev2/ikev2.pcap");
	struct ike_msg m;
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_ke ke;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_skf f;
	unsigned k;

	(void)state;
	assert_non_null(sa);
	assert_int_equal(c->n, 7);
	/* Frame 1: two proposals, 33 and 35 transforms. */
	load_msg(c, 1, &m);
	assert_int_equal(ike_sa_parse(sa, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	assert_int_equal(sa->nprop, 2);
	assert_int_equal(sa->p[0].num, 1);
	assert_int_equal(sa->p[0].protocol, IKE_PROTO_IKE);
	assert_int_equal(sa->p[0].spi_size, 0);
	assert_int_equal(sa->p[0].ntrans, 33);
	for (k = 0; k < 10; k++)
		assert_transform(&sa->p[0].t[k], IKE_TRANS_ENCR, encr1[k], keyl1[k]);
	for (k = 0; k < 6; k++)
		assert_transform(&sa->p[0].t[10 + k], IKE_TRANS_INTEG, integ1[k], 0);
	for (k = 0; k < 6; k++)
		assert_transform(&sa->p[0].t[16 + k], IKE_TRANS_PRF, prf[k], 0);
	for (k = 0; k < 11; k++)
		assert_transform(&sa->p[0].t[22 + k], IKE_TRANS_DH, dh1[k], 0);
	assert_int_equal(sa->p[1].num, 2);
	assert_int_equal(sa->p[1].ntrans, 35);
	for (k = 0; k < 18; k++)
		assert_transform(&sa->p[1].t[k], IKE_TRANS_ENCR, encr2[k / 3], 128 + 64 * (k % 3));
	for (k = 0; k < 6; k++)
		assert_transform(&sa->p[1].t[18 + k], IKE_TRANS_PRF, prf[k], 0);
	assert_int_equal(ike_ke_parse(&ke, ike_msg_find(&m, IKE_PL_KE, NULL)), IKE_OK);
	assert_int_equal(ke.group, IKE_DH_ECP256);
	assert_int_equal(ke.len, 64);
	assert_int_equal(ike_nonce_parse(&no, ike_msg_find(&m, IKE_PL_NONCE, NULL)), IKE_OK);
	assert_int_equal(no.len, 32);
	assert_int_equal(no.data[0], 0x1d);
	assert_true(ike_msg_find_notify(&m, IKE_N_SIGNATURE_HASH_ALGORITHMS, &n));
	assert_int_equal(n.len, 6);
	assert_memory_equal(n.data, "\x00\x02\x00\x03\x00\x04", 6);
	assert_true(ike_msg_find_notify(&m, IKE_N_NAT_DETECTION_SOURCE_IP, &n));
	assert_int_equal(n.protocol, 0);
	assert_int_equal(n.spi_size, 0);
	assert_memory_equal(n.data, "\x76\x46\x95\xc6", 4);
	assert_true(ike_msg_find_notify(&m, IKE_N_REDIRECT_SUPPORTED, NULL));
	assert_false(ike_msg_find_notify(&m, IKE_N_COOKIE, NULL));

	/* Frame 2: HDR, N(INVALID_KE_PAYLOAD) asking for group 15. */
	load_msg(c, 2, &m);
	assert_true(ike_msg_find_notify(&m, IKE_N_INVALID_KE_PAYLOAD, &n));
	assert_int_equal(ike_notify_ke_group(&n), IKE_DH_MODP3072);
	assert_int_equal(ike_legal_check(&m, IKE_SA_INIT, true, false, NULL), IKE_OK);

	/* Frame 3: the retry with group 15 first and a 384-byte KE. */
	load_msg(c, 3, &m);
	assert_int_equal(ike_sa_parse(sa, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	for (k = 0; k < 11; k++)
		assert_transform(&sa->p[0].t[22 + k], IKE_TRANS_DH, dh3[k], 0);
	assert_int_equal(ike_ke_parse(&ke, ike_msg_find(&m, IKE_PL_KE, NULL)), IKE_OK);
	assert_int_equal(ke.group, IKE_DH_MODP3072);
	assert_int_equal(ke.len, 384);

	/* Frame 4: the chosen proposal. */
	load_msg(c, 4, &m);
	assert_int_equal(ike_sa_parse(sa, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	assert_int_equal(sa->nprop, 1);
	assert_int_equal(sa->p[0].ntrans, 4);
	assert_transform(&sa->p[0].t[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_transform(&sa->p[0].t[1], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0);
	assert_transform(&sa->p[0].t[2], IKE_TRANS_PRF, IKE_PRF_AES128_XCBC, 0);
	assert_transform(&sa->p[0].t[3], IKE_TRANS_DH, IKE_DH_MODP3072, 0);
	assert_true(ike_msg_find_notify(&m, IKE_N_CHILDLESS_IKEV2_SUPPORTED, NULL));
	assert_true(ike_msg_find_notify(&m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n));
	assert_int_equal(n.len, 0);

	/* Frames 5 and 6: SKF 1/2 (first inner payload IDi) and 2/2. */
	load_msg(c, 5, &m);
	assert_int_equal(m.sk, 0);
	assert_int_equal(m.sk_off, IKE_HDR_LEN);
	assert_int_equal(m.sk_inner, IKE_PL_IDI);
	assert_int_equal(ike_skf_parse(&f, &m.pl[0]), IKE_OK);
	assert_int_equal(f.num, 1);
	assert_int_equal(f.total, 2);
	assert_int_equal(f.len, 1208 - 4 - 4);
	assert_ptr_equal(f.data, m.buf + IKE_HDR_LEN + 8);
	load_msg(c, 6, &m);
	assert_int_equal(m.sk_inner, IKE_PL_NONE);
	assert_int_equal(ike_skf_parse(&f, &m.pl[0]), IKE_OK);
	assert_int_equal(f.num, 2);
	assert_int_equal(f.total, 2);
	assert_int_equal(m.pl[0].len, 280 - 4);
	/* Frame 7: SK on port 4500 whose first inner payload is a Notify. */
	load_msg(c, 7, &m);
	assert_int_equal(m.pl[0].type, IKE_PL_SK);
	assert_int_equal(m.sk_inner, IKE_PL_NOTIFY);
	assert_int_equal(m.pl[0].len, 52 - 4);
	assert_memory_equal(m.pl[0].body, "\xac\xa3\x68\xcf", 4); /* IV per tshark */
	free(sa);
	capture_free(c);
}

/* tcpdump ikev2four (DLT_NULL): COOKIE exchange and CREATE_CHILD_SA. */
void test_capture_four(void **state)
{
	struct capture *c = capture_load("tcpdump/ikev2four.pcap");
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_msg m;
	struct ike_notify n;
	struct ike_ke ke;

	(void)state;
	assert_non_null(sa);
	assert_int_equal(c->n, 21);
	load_msg(c, 1, &m);
	assert_int_equal(ike_sa_parse(sa, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	assert_int_equal(sa->nprop, 1);
	assert_int_equal(sa->p[0].ntrans, 12);
	assert_transform(&sa->p[0].t[0], IKE_TRANS_ENCR, 12, 128);
	assert_transform(&sa->p[0].t[1], IKE_TRANS_ENCR, 12, 256);
	assert_transform(&sa->p[0].t[2], IKE_TRANS_ENCR, 12, 192);
	assert_transform(&sa->p[0].t[3], IKE_TRANS_ENCR, IKE_ENCR_3DES, 0);
	assert_transform(&sa->p[0].t[4], IKE_TRANS_PRF, 2, 0);
	assert_transform(&sa->p[0].t[6], IKE_TRANS_PRF, 4, 0);
	assert_transform(&sa->p[0].t[9], IKE_TRANS_INTEG, IKE_INTEG_AES_XCBC_96, 0);
	assert_transform(&sa->p[0].t[10], IKE_TRANS_DH, IKE_DH_MODP1024, 0);
	assert_transform(&sa->p[0].t[11], IKE_TRANS_DH, IKE_DH_MODP2048, 0);
	assert_int_equal(ike_ke_parse(&ke, ike_msg_find(&m, IKE_PL_KE, NULL)), IKE_OK);
	assert_int_equal(ke.group, IKE_DH_MODP1024);
	assert_int_equal(ke.len, 128);
	/* Frame 2: HDR(A,0), N(COOKIE) with 24 bytes of data. */
	load_msg(c, 2, &m);
	assert_true(ike_msg_find_notify(&m, IKE_N_COOKIE, &n));
	assert_int_equal(n.len, 24);
	assert_memory_equal(n.data, "\x00\x00\x00\x01\xc2\x22\x1e\x50", 8);
	/* Frame 3: the cookie is echoed first. */
	load_msg(c, 3, &m);
	assert_int_equal(m.pl[0].type, IKE_PL_NOTIFY);
	assert_true(ike_msg_find_notify(&m, IKE_N_COOKIE, &n));
	assert_memory_equal(n.data, "\x00\x00\x00\x01\xc2\x22\x1e\x50", 8);
	/* Frame 4: chosen AES-CBC-128 / HMAC-SHA1 / MODP-1024. */
	load_msg(c, 4, &m);
	assert_int_equal(ike_sa_parse(sa, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	assert_transform(&sa->p[0].t[0], IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128);
	assert_transform(&sa->p[0].t[1], IKE_TRANS_PRF, IKE_PRF_HMAC_SHA1, 0);
	assert_transform(&sa->p[0].t[2], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
	assert_transform(&sa->p[0].t[3], IKE_TRANS_DH, IKE_DH_MODP1024, 0);
	/* CREATE_CHILD_SA and INFORMATIONAL are all SK; inner types per tshark. */
	load_msg(c, 7, &m);
	assert_int_equal(m.hdr.exchange, IKE_CREATE_CHILD_SA);
	assert_int_equal(m.sk_inner, IKE_PL_SA);
	load_msg(c, 21, &m);
	assert_int_equal(m.hdr.exchange, IKE_INFORMATIONAL);
	assert_int_equal(m.sk_off, IKE_HDR_LEN);
	free(sa);
	capture_free(c);
}

/* tcpdump ikev2pI2: six proposals, Vendor ID, 16-byte nonce. */
void test_capture_pi2(void **state)
{
	static const uint16_t encr[] = {12, 12, 3, 3, 3, 3};
	static const uint16_t prf[] = {2, 1, 2, 1, 2, 1};
	static const uint16_t dh[] = {5, 5, 5, 5, 2, 2};
	struct capture *c = capture_load("tcpdump/ikev2pI2.pcap");
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_msg m;
	struct ike_vendor v;
	struct ike_nonce no;
	struct ike_ke ke;

	(void)state;
	assert_non_null(sa);
	load_msg(c, 1, &m);
	assert_int_equal(ike_sa_parse(sa, &m.pl[0]), IKE_OK);
	assert_int_equal(sa->nprop, 6);
	for (unsigned i = 0; i < 6; i++) {
		assert_int_equal(sa->p[i].num, i + 1);
		assert_int_equal(sa->p[i].ntrans, 4);
		assert_transform(&sa->p[i].t[0], IKE_TRANS_ENCR, encr[i], 0);
		assert_transform(&sa->p[i].t[1], IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA1_96, 0);
		assert_transform(&sa->p[i].t[2], IKE_TRANS_PRF, prf[i], 0);
		assert_transform(&sa->p[i].t[3], IKE_TRANS_DH, dh[i], 0);
	}
	assert_int_equal(ike_ke_parse(&ke, &m.pl[1]), IKE_OK);
	assert_int_equal(ke.group, IKE_DH_MODP1536);
	assert_int_equal(ke.len, 192);
	assert_int_equal(ike_nonce_parse(&no, &m.pl[2]), IKE_OK);
	assert_int_equal(no.len, 16);
	assert_int_equal(ike_vendor_parse(&v, &m.pl[3]), IKE_OK);
	assert_int_equal(v.len, 12);
	assert_memory_equal(v.data, "OErlA\\nQukSR", 12);
	load_msg(c, 2, &m);
	assert_int_equal(m.hdr.rspi, 0xc02e7a3031a03188ULL);
	assert_int_equal(m.sk_inner, IKE_PL_IDI);
	free(sa);
	capture_free(c);
}
