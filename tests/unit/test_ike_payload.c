/* Unit tests for the IKEv2 payload codec (ike/payload.h, ike/ike.h): round
 * trips through the builder for every payload, builder errors, legality by
 * exchange, and the name tables. Every parse error reason:
 * test_ike_payload_errors.c; real captures: test_ike_capture.c. */
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

/* ---- round trips through the builder ---- */

static const uint8_t nonce32[32] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                                    17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

static void fill_sa(struct ike_sa *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->nprop = 2;
	sa->p[0].num = 1;
	sa->p[0].protocol = IKE_PROTO_ESP;
	sa->p[0].spi_size = 4;
	memcpy(sa->p[0].spi, "\xc1\x00\x00\x2a", 4);
	sa->p[0].ntrans = 3;
	sa->p[0].t[0] =
	    (struct ike_transform){IKE_TRANS_ENCR, IKE_ENCR_AES_GCM_16, 256, true, false};
	sa->p[0].t[1] = (struct ike_transform){IKE_TRANS_DH, IKE_DH_CURVE25519, 0, false, false};
	sa->p[0].t[2] = (struct ike_transform){IKE_TRANS_ESN, IKE_ESN_NO, 0, false, false};
	sa->p[1].num = 2;
	sa->p[1].protocol = IKE_PROTO_IKE;
	sa->p[1].spi_size = 8;
	memcpy(sa->p[1].spi, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	sa->p[1].ntrans = 4;
	sa->p[1].t[0] = (struct ike_transform){IKE_TRANS_ENCR, IKE_ENCR_AES_CBC, 128, true, false};
	sa->p[1].t[1] =
	    (struct ike_transform){IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256, 0, false, false};
	sa->p[1].t[2] =
	    (struct ike_transform){IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128, 0, false, false};
	sa->p[1].t[3] = (struct ike_transform){IKE_TRANS_DH, IKE_DH_ECP256, 0, false, false};
}

static void test_roundtrip_init(void **state)
{
	struct ike_hdr h = {.ispi = 0x1122334455667788ULL,
	                    .exchange = IKE_SA_INIT,
	                    .flags = IKE_FLAG_I,
	                    .msgid = 0};
	struct ike_sa *sa = malloc(sizeof(*sa)), *sa2 = malloc(sizeof(*sa2));
	uint8_t buf[1024], ke[32], nd[20];
	struct ike_builder b;
	struct writer w;
	struct ike_msg m;
	struct ike_ke k;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_vendor v;
	struct ike_cert ce;
	int len;

	(void)state;
	assert_non_null(sa);
	assert_non_null(sa2);
	fill_sa(sa);
	memset(ke, 0x5a, sizeof(ke));
	memset(nd, 0xee, sizeof(nd));
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	ike_notify_build(&b, 0, NULL, 0, IKE_N_COOKIE, "\x01\x02\x03", 3);
	ike_sa_build(&b, sa);
	ike_ke_build(&b, IKE_DH_CURVE25519, ke, sizeof(ke));
	ike_nonce_build(&b, nonce32, sizeof(nonce32));
	ike_notify_build(&b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, nd, sizeof(nd));
	ike_certreq_build(&b, IKE_CERT_X509_SIG, nd, sizeof(nd));
	ike_vendor_build(&b, "dmvpnd", 6);
	len = ike_builder_finish(&b);
	assert_true(len > IKE_HDR_LEN);
	assert_int_equal(ike_msg_parse(&m, buf, (size_t)len), IKE_OK);
	assert_int_equal(m.hdr.ispi, h.ispi);
	assert_int_equal(m.hdr.rspi, 0);
	assert_int_equal(m.hdr.version, IKE_VERSION);
	assert_int_equal(m.hdr.exchange, IKE_SA_INIT);
	assert_int_equal(m.hdr.flags, IKE_FLAG_I);
	assert_int_equal(m.hdr.next, IKE_PL_NOTIFY);
	assert_int_equal(m.n, 7);
	assert_int_equal(m.pl[6].next, IKE_PL_NONE);
	assert_int_equal(ike_msg_count(&m, IKE_PL_NOTIFY), 2);
	assert_int_equal(ike_sa_parse(sa2, ike_msg_find(&m, IKE_PL_SA, NULL)), IKE_OK);
	assert_int_equal(sa2->nprop, 2);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(sa2->p[i].num, sa->p[i].num);
		assert_int_equal(sa2->p[i].protocol, sa->p[i].protocol);
		assert_int_equal(sa2->p[i].spi_size, sa->p[i].spi_size);
		assert_memory_equal(sa2->p[i].spi, sa->p[i].spi, 8);
		assert_int_equal(sa2->p[i].ntrans, sa->p[i].ntrans);
		assert_memory_equal(sa2->p[i].t, sa->p[i].t,
		                    sa->p[i].ntrans * sizeof(struct ike_transform));
	}
	assert_int_equal(ike_proposal_spi(&sa2->p[0]), 0xc100002aULL);
	assert_int_equal(ike_proposal_spi(&sa2->p[1]), 0x0102030405060708ULL);
	assert_int_equal(ike_ke_parse(&k, ike_msg_find(&m, IKE_PL_KE, NULL)), IKE_OK);
	assert_int_equal(k.group, IKE_DH_CURVE25519);
	assert_memory_equal(k.data, ke, 32);
	assert_int_equal(ike_nonce_parse(&no, ike_msg_find(&m, IKE_PL_NONCE, NULL)), IKE_OK);
	assert_memory_equal(no.data, nonce32, 32);
	assert_true(ike_msg_find_notify(&m, IKE_N_COOKIE, &n));
	assert_int_equal(n.len, 3);
	assert_true(ike_msg_find_notify(&m, IKE_N_NAT_DETECTION_SOURCE_IP, &n));
	assert_memory_equal(n.data, nd, 20);
	assert_int_equal(ike_certreq_parse(&ce, ike_msg_find(&m, IKE_PL_CERTREQ, NULL)), IKE_OK);
	assert_int_equal(ce.encoding, IKE_CERT_X509_SIG);
	assert_int_equal(ce.len, 20);
	assert_int_equal(ike_vendor_parse(&v, ike_msg_find(&m, IKE_PL_VENDOR, NULL)), IKE_OK);
	assert_memory_equal(v.data, "dmvpnd", 6);
	/* A request with CERTREQ is not legal; the response form allows it. */
	assert_int_equal(ike_legal_check(&m, IKE_SA_INIT, false, false, NULL),
	                 IKE_ERR_LEGAL_NOT_ALLOWED);
	assert_int_equal(ike_legal_check(&m, IKE_SA_INIT, true, false, NULL), IKE_OK);
	free(sa);
	free(sa2);
}

/* IKE_AUTH contents built as a bare chain, wrapped in SK, and parsed back. */
static void test_roundtrip_auth_chain(void **state)
{
	static const uint8_t sig[] = {0x0f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	                              0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00, 0xde, 0xad};
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_ts_list ts = {0}, ts2;
	uint8_t plain[1024], msg[1200];
	struct ike_builder b;
	struct writer w;
	struct ike_msg m, inner;
	struct ike_id id;
	struct ike_auth au;
	struct ike_cert ce;
	struct ike_cp cp, cp2;
	struct ike_notify n;
	int plen, mlen;
	uint8_t bad;

	(void)state;
	assert_non_null(sa);
	fill_sa(sa);
	sa->nprop = 1;
	ts.n = 2;
	ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE;
	ts.ts[0].proto = 47;
	ts.ts[0].eport = 65535;
	ipaddr_parse(&ts.ts[0].start, "198.18.0.1");
	ipaddr_parse(&ts.ts[0].end, "198.18.0.1");
	ts.ts[1].type = IKE_TS_IPV6_ADDR_RANGE;
	ts.ts[1].sport = 500;
	ts.ts[1].eport = 4500;
	ipaddr_parse(&ts.ts[1].start, "2001:db8::");
	ipaddr_parse(&ts.ts[1].end, "2001:db8::ffff");
	memset(&cp, 0, sizeof(cp));
	cp.type = IKE_CFG_REQUEST;
	cp.n = 2;
	cp.a[0] = (struct ike_cp_attr){IKE_CFG_INTERNAL_IP4_ADDRESS, 0, NULL};
	cp.a[1] = (struct ike_cp_attr){IKE_CFG_APPLICATION_VERSION, 6, (const uint8_t *)"dmvpnd"};

	wr_init(&w, plain, sizeof(plain));
	ike_builder_init_chain(&b, &w);
	ike_id_build(&b, IKE_PL_IDI, IKE_ID_FQDN, "spoke1.example", 14);
	ike_cert_build(&b, IKE_CERT_X509_SIG, "\x30\x82\x01\x00", 4);
	ike_certreq_build(&b, IKE_CERT_X509_SIG, NULL, 0);
	ike_id_build(&b, IKE_PL_IDR, IKE_ID_IPV4_ADDR, "\xc6\x12\x00\x02", 4);
	ike_auth_build(&b, IKE_AUTH_DIGITAL_SIG, sig, sizeof(sig));
	ike_cp_build(&b, &cp);
	ike_sa_build(&b, sa);
	ike_ts_build(&b, IKE_PL_TSI, &ts);
	ike_ts_build(&b, IKE_PL_TSR, &ts);
	ike_notify_build(&b, IKE_PROTO_ESP, "\x01\x02\x03\x04", 4, IKE_N_USE_TRANSPORT_MODE, NULL,
	                 0);
	plen = ike_builder_finish(&b);
	assert_true(plen > 0);
	assert_int_equal(b.first, IKE_PL_IDI);

	assert_int_equal(ike_chain_parse(&inner, b.first, plain, (size_t)plen), IKE_OK);
	assert_int_equal(inner.n, 10);
	assert_int_equal(inner.hdr.length, 0);
	assert_int_equal(inner.sk, -1);
	assert_int_equal(ike_legal_check(&inner, IKE_AUTH, false, true, &bad), IKE_OK);
	assert_int_equal(ike_id_parse(&id, &inner.pl[0]), IKE_OK);
	assert_int_equal(id.type, IKE_ID_FQDN);
	assert_memory_equal(id.data, "spoke1.example", 14);
	assert_int_equal(ike_cert_parse(&ce, &inner.pl[1]), IKE_OK);
	assert_int_equal(ce.len, 4);
	assert_int_equal(ike_certreq_parse(&ce, &inner.pl[2]), IKE_OK);
	assert_int_equal(ce.len, 0);
	assert_int_equal(ike_id_parse(&id, &inner.pl[3]), IKE_OK);
	assert_int_equal(id.type, IKE_ID_IPV4_ADDR);
	assert_int_equal(id.addr.len, 4);
	assert_memory_equal(id.addr.b, "\xc6\x12\x00\x02", 4);
	assert_int_equal(ike_auth_parse(&au, &inner.pl[4]), IKE_OK);
	assert_int_equal(au.method, IKE_AUTH_DIGITAL_SIG);
	assert_int_equal(au.sig_alg_len, 15);
	assert_int_equal(au.sig_alg[0], 0x30);
	assert_int_equal(au.sig_len, 2);
	assert_memory_equal(au.sig, "\xde\xad", 2);
	assert_int_equal(ike_cp_parse(&cp2, &inner.pl[5]), IKE_OK);
	assert_int_equal(cp2.type, IKE_CFG_REQUEST);
	assert_int_equal(cp2.n, 2);
	assert_int_equal(cp2.a[0].type, IKE_CFG_INTERNAL_IP4_ADDRESS);
	assert_int_equal(cp2.a[0].len, 0);
	assert_int_equal(cp2.a[1].len, 6);
	assert_memory_equal(cp2.a[1].val, "dmvpnd", 6);
	for (unsigned k = 7; k <= 8; k++) {
		assert_int_equal(ike_ts_parse(&ts2, &inner.pl[k]), IKE_OK);
		assert_int_equal(ts2.n, 2);
		for (unsigned i = 0; i < 2; i++) {
			assert_int_equal(ts2.ts[i].type, ts.ts[i].type);
			assert_int_equal(ts2.ts[i].proto, ts.ts[i].proto);
			assert_int_equal(ts2.ts[i].sport, ts.ts[i].sport);
			assert_int_equal(ts2.ts[i].eport, ts.ts[i].eport);
			assert_true(ipaddr_eq(&ts2.ts[i].start, &ts.ts[i].start));
			assert_true(ipaddr_eq(&ts2.ts[i].end, &ts.ts[i].end));
		}
	}
	assert_int_equal(ike_notify_parse(&n, &inner.pl[9]), IKE_OK);
	assert_int_equal(n.protocol, IKE_PROTO_ESP);
	assert_int_equal(n.spi_size, 4);
	assert_memory_equal(n.spi, "\x01\x02\x03\x04", 4);
	assert_int_equal(n.len, 0);

	/* Wrap it (unencrypted, for the codec's purpose) in SK. */
	{
		struct ike_hdr h = {
		    .ispi = 1, .rspi = 2, .exchange = IKE_AUTH, .flags = IKE_FLAG_I, .msgid = 1};
		uint8_t *body;

		wr_init(&w, msg, sizeof(msg));
		ike_builder_init(&b, &w, &h);
		assert_int_equal(ike_sk_begin(&b, IKE_PL_IDI), IKE_OK);
		body = wr_reserve(&w, (size_t)plen);
		assert_non_null(body);
		assert_int_equal(ike_builder_end(&b), IKE_OK);
		/* Nothing may follow SK. */
		assert_int_equal(ike_vendor_build(&b, "x", 1), IKE_ERR_BUILD);
		b.err = 0;
		mlen = ike_builder_finish(&b);
		assert_int_equal(mlen, IKE_HDR_LEN + 4 + plen);
		memcpy(body, plain, (size_t)plen); /* "encrypt" after the length is known */
	}
	assert_int_equal(ike_msg_parse(&m, msg, (size_t)mlen), IKE_OK);
	assert_int_equal(m.n, 1);
	assert_int_equal(m.sk, 0);
	assert_int_equal(m.sk_off, IKE_HDR_LEN);
	assert_int_equal(m.sk_inner, IKE_PL_IDI);
	assert_int_equal(m.pl[0].len, plen);
	assert_int_equal(ike_legal_check(&m, IKE_AUTH, false, false, NULL), IKE_OK);
	assert_int_equal(ike_chain_parse(&inner, m.sk_inner, m.pl[0].body, m.pl[0].len), IKE_OK);
	assert_int_equal(inner.n, 10);
	free(sa);
}

static void test_roundtrip_misc(void **state)
{
	uint8_t buf[512];
	struct ike_builder b;
	struct writer w;
	struct ike_msg m;
	struct ike_delete d;
	struct ike_eap e;
	struct ike_skf f;
	struct ike_id id;
	int len;

	(void)state;
	/* INFORMATIONAL contents: two deletes and an IKE delete. */
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init_chain(&b, &w);
	ike_delete_build(&b, IKE_PROTO_ESP, 4, "\xc0\x00\x00\x01\xc0\x00\x00\x02", 2);
	ike_delete_build(&b, IKE_PROTO_IKE, 0, NULL, 0);
	ike_eap_build(&b, "\x01\x07\x00\x06\x01\x41", 6);
	ike_id_build(&b, IKE_PL_IDR, IKE_ID_IPV6_ADDR,
	             "\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 16);
	ike_id_build(&b, IKE_PL_IDI, IKE_ID_NULL, NULL, 0);
	len = ike_builder_finish(&b);
	assert_true(len > 0);
	assert_int_equal(ike_chain_parse(&m, b.first, buf, (size_t)len), IKE_OK);
	assert_int_equal(m.n, 5);
	assert_int_equal(ike_delete_parse(&d, &m.pl[0]), IKE_OK);
	assert_int_equal(d.protocol, IKE_PROTO_ESP);
	assert_int_equal(d.nspi, 2);
	assert_int_equal(ike_delete_spi(&d, 0), 0xc0000001u);
	assert_int_equal(ike_delete_spi(&d, 1), 0xc0000002u);
	assert_int_equal(ike_delete_spi(&d, 2), 0);
	assert_int_equal(ike_delete_parse(&d, &m.pl[1]), IKE_OK);
	assert_int_equal(d.protocol, IKE_PROTO_IKE);
	assert_int_equal(d.nspi, 0);
	assert_int_equal(ike_eap_parse(&e, &m.pl[2]), IKE_OK);
	assert_int_equal(e.code, 1);
	assert_int_equal(e.id, 7);
	assert_int_equal(e.type, 1);
	assert_int_equal(e.len, 6);
	assert_int_equal(ike_id_parse(&id, &m.pl[3]), IKE_OK);
	assert_int_equal(id.addr.len, 16);
	assert_int_equal(ike_id_parse(&id, &m.pl[4]), IKE_OK);
	assert_int_equal(id.type, IKE_ID_NULL);
	assert_int_equal(id.len, 0);

	/* SKF 2/3: Next Payload 0; the body after the fragment header. */
	{
		struct ike_hdr h = {
		    .ispi = 7, .rspi = 8, .exchange = IKE_AUTH, .msgid = 1, .flags = IKE_FLAG_I};
		wr_init(&w, buf, sizeof(buf));
		ike_builder_init(&b, &w, &h);
		assert_int_equal(ike_skf_begin(&b, IKE_PL_NONE, 2, 3), IKE_OK);
		wr_bytes(&w, "ciphertext", 10);
		ike_builder_end(&b);
		len = ike_builder_finish(&b);
		assert_int_equal(len, IKE_HDR_LEN + 4 + 4 + 10);
		assert_int_equal(ike_msg_parse(&m, buf, (size_t)len), IKE_OK);
		assert_int_equal(m.pl[0].type, IKE_PL_SKF);
		assert_int_equal(m.sk_inner, 0);
		assert_int_equal(ike_skf_parse(&f, &m.pl[0]), IKE_OK);
		assert_int_equal(f.num, 2);
		assert_int_equal(f.total, 3);
		assert_memory_equal(f.data, "ciphertext", 10);
		/* Bad fragment numbers, and an inner type on a later fragment. */
		wr_init(&w, buf, sizeof(buf));
		ike_builder_init(&b, &w, &h);
		assert_int_equal(ike_skf_begin(&b, IKE_PL_IDI, 2, 3), IKE_ERR_BUILD);
		ike_builder_init(&b, &w, &h);
		assert_int_equal(ike_skf_begin(&b, 0, 4, 3), IKE_ERR_BUILD);
	}
}

/* Builder errors: capacity, misuse. */
static void test_builder_errors(void **state)
{
	struct ike_hdr h = {.exchange = IKE_SA_INIT};
	uint8_t buf[64], big[300];
	struct ike_builder b;
	struct writer w;
	struct ike_sa sa;

	(void)state;
	memset(big, 0, sizeof(big));
	wr_init(&w, buf, 20);
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_builder_finish(&b), IKE_ERR_NOSPACE);
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_nonce_build(&b, big, 300), IKE_ERR_BUILD);
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_vendor_build(&b, big, 100), IKE_ERR_NOSPACE);
	assert_int_equal(ike_builder_finish(&b), IKE_ERR_NOSPACE); /* sticky */
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_builder_begin(&b, IKE_PL_VENDOR, false), IKE_OK);
	assert_int_equal(ike_builder_begin(&b, IKE_PL_VENDOR, false), IKE_ERR_BUILD);
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_builder_end(&b), IKE_ERR_BUILD);
	ike_builder_init(&b, &w, &h);
	assert_int_equal(ike_builder_begin(&b, IKE_PL_VENDOR, false), IKE_OK);
	assert_int_equal(ike_builder_finish(&b), IKE_ERR_BUILD); /* still open */
#define FRESH() (wr_init(&w, buf, sizeof(buf)), ike_builder_init(&b, &w, &h))
	FRESH();
	memset(&sa, 0, sizeof(sa));
	assert_int_equal(ike_sa_build(&b, &sa), IKE_ERR_BUILD);
	FRESH();
	assert_int_equal(ike_id_build(&b, IKE_PL_AUTH, IKE_ID_FQDN, "a", 1), IKE_ERR_BUILD);
	FRESH();
	assert_int_equal(ike_notify_build(&b, 0, big, 3, IKE_N_COOKIE, NULL, 0), IKE_ERR_BUILD);
	FRESH();
	assert_int_equal(ike_builder_begin(&b, IKE_PL_NONE, false), IKE_ERR_BUILD);
	FRESH();
	{
		struct ike_ts_list ts = {.n = 1};
		ts.ts[0].type = IKE_TS_IPV4_ADDR_RANGE; /* addresses unset */
		assert_int_equal(ike_ts_build(&b, IKE_PL_TSI, &ts), IKE_ERR_BUILD);
	}
#undef FRESH
}

/* ---- legality ---- */

#define SA_   IKE_PL_SA
#define KE_   IKE_PL_KE
#define NI_   IKE_PL_NONCE
#define N_    IKE_PL_NOTIFY
#define V_    IKE_PL_VENDOR
#define IDI_  IKE_PL_IDI
#define IDR_  IKE_PL_IDR
#define AUTH_ IKE_PL_AUTH
#define TSI_  IKE_PL_TSI
#define TSR_  IKE_PL_TSR
#define SK_   IKE_PL_SK
#define SKF_  IKE_PL_SKF
#define D_    IKE_PL_DELETE
#define CP_   IKE_PL_CP
#define EAP_  IKE_PL_EAP
#define CERT_ IKE_PL_CERT
#define CREQ_ IKE_PL_CERTREQ

struct legal_case {
	uint8_t exchange;
	bool response, inner;
	uint8_t types[8];
	uint16_t notify[8];
	int want;
	uint8_t bad;
};

static const struct legal_case legal_cases[] = {
    /* IKE_SA_INIT request */
    {IKE_SA_INIT, 0, 0, {SA_, KE_, NI_}, {0}, IKE_OK, 0},
    {IKE_SA_INIT, 0, 0, {N_, SA_, KE_, NI_, N_, V_}, {IKE_N_COOKIE}, IKE_OK, 0},
    {IKE_SA_INIT, 0, 0, {SA_, KE_, NI_, 50}, {0}, IKE_OK, 0}, /* unknown: ignored */
    {IKE_SA_INIT, 0, 0, {SA_, KE_}, {0}, IKE_ERR_LEGAL_MISSING, NI_},
    {IKE_SA_INIT, 0, 0, {KE_, NI_}, {0}, IKE_ERR_LEGAL_MISSING, SA_},
    {IKE_SA_INIT, 0, 0, {SA_, SA_, KE_, NI_}, {0}, IKE_ERR_LEGAL_DUPLICATE, SA_},
    {IKE_SA_INIT, 0, 0, {SA_, KE_, NI_, IDI_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, IDI_},
    {IKE_SA_INIT, 0, 0, {SA_, KE_, NI_, CREQ_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, CREQ_},
    {IKE_SA_INIT, 0, 0, {SA_, KE_, NI_, SK_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, SK_},
    {IKE_SA_INIT, 0, 0, {SK_, SA_, KE_, NI_}, {0}, IKE_ERR_LEGAL_SK_NOT_LAST, SK_},
    {IKE_SA_INIT, 0, 1, {SA_, KE_, NI_}, {0}, IKE_ERR_LEGAL_EXCHANGE, 0},
    /* IKE_SA_INIT response: full, or just an error / cookie Notify */
    {IKE_SA_INIT, 1, 0, {SA_, KE_, NI_, CREQ_, CREQ_, N_, V_}, {0}, IKE_OK, 0},
    {IKE_SA_INIT, 1, 0, {N_}, {IKE_N_COOKIE}, IKE_OK, 0},
    {IKE_SA_INIT, 1, 0, {N_}, {IKE_N_INVALID_KE_PAYLOAD}, IKE_OK, 0},
    {IKE_SA_INIT, 1, 0, {N_, V_}, {IKE_N_NO_PROPOSAL_CHOSEN}, IKE_OK, 0},
    {IKE_SA_INIT, 1, 0, {N_}, {IKE_N_NAT_DETECTION_SOURCE_IP}, IKE_ERR_LEGAL_MISSING, SA_},
    {IKE_SA_INIT, 1, 0, {N_, KE_}, {IKE_N_COOKIE}, IKE_ERR_LEGAL_NOT_ALLOWED, KE_},
    {IKE_SA_INIT, 1, 0, {SA_, NI_, N_}, {0, 0, IKE_N_COOKIE}, IKE_ERR_LEGAL_MISSING, KE_},
    {IKE_SA_INIT, 1, 0, {0}, {0}, IKE_ERR_LEGAL_MISSING, SA_},
    /* protected exchanges, outer part */
    {IKE_AUTH, 0, 0, {SK_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 0, 0, {SKF_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 0, 0, {0}, {0}, IKE_ERR_LEGAL_MISSING, SK_},
    {IKE_AUTH, 0, 0, {V_, SK_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, V_},
    {IKE_AUTH, 0, 0, {SK_, SKF_}, {0}, IKE_ERR_LEGAL_SK_NOT_LAST, SK_},
    {IKE_AUTH, 0, 0, {N_}, {IKE_N_INVALID_SYNTAX}, IKE_ERR_LEGAL_NOT_ALLOWED, N_},
    {IKE_AUTH, 1, 0, {N_}, {IKE_N_INVALID_MAJOR_VERSION}, IKE_OK, 0},
    {IKE_INFORMATIONAL, 1, 0, {N_}, {IKE_N_INVALID_IKE_SPI}, IKE_OK, 0},
    {IKE_INFORMATIONAL, 1, 0, {N_}, {IKE_N_INITIAL_CONTACT}, IKE_ERR_LEGAL_NOT_ALLOWED, N_},
    {IKE_CREATE_CHILD_SA, 1, 0, {SK_}, {0}, IKE_OK, 0},
    {IKE_INTERMEDIATE, 0, 0, {SK_}, {0}, IKE_OK, 0},
    {IKE_SESSION_RESUME, 0, 0, {NI_}, {0}, IKE_ERR_LEGAL_EXCHANGE, 0},
    {99, 0, 0, {SK_}, {0}, IKE_ERR_LEGAL_EXCHANGE, 0},
    /* IKE_AUTH request, inside SK */
    {IKE_AUTH, 0, 1, {IDI_, CERT_, CREQ_, IDR_, AUTH_, SA_, TSI_, TSR_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, CP_, N_, N_, V_}, {0}, IKE_OK, 0}, /* childless */
    {IKE_AUTH, 0, 1, {IDI_, SA_, TSI_, TSR_}, {0}, IKE_OK, 0},        /* starts EAP */
    {IKE_AUTH, 0, 1, {EAP_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 0, 1, {AUTH_}, {0}, IKE_OK, 0}, /* after EAP */
    {IKE_AUTH, 0, 1, {EAP_, IDI_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, IDI_},
    {IKE_AUTH, 0, 1, {N_}, {0}, IKE_ERR_LEGAL_MISSING, IDI_},
    {IKE_AUTH, 0, 1, {IDR_, AUTH_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, IDR_},
    {IKE_AUTH, 0, 1, {IDI_, IDI_, AUTH_}, {0}, IKE_ERR_LEGAL_DUPLICATE, IDI_},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, SA_, TSI_}, {0}, IKE_ERR_LEGAL_INCOMPLETE, TSR_},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, TSI_, TSR_}, {0}, IKE_ERR_LEGAL_INCOMPLETE, SA_},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, KE_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, KE_},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, D_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, D_},
    {IKE_AUTH, 0, 1, {IDI_, AUTH_, SK_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, SK_},
    /* IKE_AUTH response, inside SK */
    {IKE_AUTH, 1, 1, {IDR_, CERT_, AUTH_, CP_, SA_, TSI_, TSR_, N_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 1, 1, {IDR_, AUTH_, N_}, {0, 0, IKE_N_TS_UNACCEPTABLE}, IKE_OK, 0},
    {IKE_AUTH, 1, 1, {IDR_, CERT_, AUTH_, EAP_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 1, 1, {EAP_}, {0}, IKE_OK, 0},
    {IKE_AUTH, 1, 1, {N_}, {IKE_N_AUTHENTICATION_FAILED}, IKE_OK, 0},
    {IKE_AUTH, 1, 1, {N_}, {IKE_N_INITIAL_CONTACT}, IKE_ERR_LEGAL_MISSING, AUTH_},
    {IKE_AUTH, 1, 1, {IDR_, AUTH_, CREQ_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, CREQ_},
    {IKE_AUTH, 1, 1, {IDR_, AUTH_, AUTH_}, {0}, IKE_ERR_LEGAL_DUPLICATE, AUTH_},
    {IKE_AUTH, 1, 1, {IDR_, AUTH_, SA_}, {0}, IKE_ERR_LEGAL_INCOMPLETE, TSI_},
    /* CREATE_CHILD_SA, inside SK */
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_, TSI_, TSR_}, {0}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 0, 1, {N_, SA_, NI_, KE_, TSI_, TSR_}, {IKE_N_REKEY_SA}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_, KE_}, {0}, IKE_OK, 0}, /* IKE SA rekey */
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_}, {0}, IKE_ERR_LEGAL_MISSING, KE_},
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_, TSI_}, {0}, IKE_ERR_LEGAL_INCOMPLETE, TSR_},
    {IKE_CREATE_CHILD_SA, 0, 1, {NI_, TSI_, TSR_}, {0}, IKE_ERR_LEGAL_MISSING, SA_},
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_, TSI_, TSR_, CP_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, CP_},
    {IKE_CREATE_CHILD_SA, 0, 1, {SA_, NI_, NI_, KE_}, {0}, IKE_ERR_LEGAL_DUPLICATE, NI_},
    {IKE_CREATE_CHILD_SA, 0, 1, {N_}, {IKE_N_NO_PROPOSAL_CHOSEN}, IKE_ERR_LEGAL_MISSING, SA_},
    {IKE_CREATE_CHILD_SA, 1, 1, {SA_, NI_, KE_, TSI_, TSR_, N_}, {0}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 1, 1, {N_}, {IKE_N_NO_PROPOSAL_CHOSEN}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 1, 1, {N_}, {IKE_N_INVALID_KE_PAYLOAD}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 1, 1, {N_, V_}, {IKE_N_TEMPORARY_FAILURE}, IKE_OK, 0},
    {IKE_CREATE_CHILD_SA, 1, 1, {N_, SA_}, {IKE_N_NO_PROPOSAL_CHOSEN}, IKE_ERR_LEGAL_MISSING, NI_},
    /* INFORMATIONAL, inside SK */
    {IKE_INFORMATIONAL, 0, 1, {0}, {0}, IKE_OK, 0},
    {IKE_INFORMATIONAL, 1, 1, {0}, {0}, IKE_OK, 0},
    {IKE_INFORMATIONAL, 0, 1, {D_, D_, N_, CP_, V_}, {0}, IKE_OK, 0},
    {IKE_INFORMATIONAL, 0, 1, {D_, SA_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, SA_},
    {IKE_INFORMATIONAL, 1, 1, {N_, SKF_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, SKF_},
    /* IKE_INTERMEDIATE, inside SK */
    {IKE_INTERMEDIATE, 0, 1, {KE_, N_}, {0}, IKE_OK, 0},
    {IKE_INTERMEDIATE, 1, 1, {SA_}, {0}, IKE_ERR_LEGAL_NOT_ALLOWED, SA_},
};

static void test_legal(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(legal_cases); i++) {
		const struct legal_case *c = &legal_cases[i];
		unsigned n = 0;
		uint8_t bad = 0xff;
		int rc;

		while (n < 8 && c->types[n])
			n++;
		rc = ike_legal_check_types(c->types, c->notify, n, c->exchange, c->response,
		                           c->inner, &bad);
		if (rc != c->want || (rc && c->bad && bad != c->bad))
			fail_msg("case %zu: got %s (%s), want %s (%s)", i, ike_err_name(rc),
			         ike_payload_name(bad), ike_err_name(c->want),
			         ike_payload_name(c->bad));
	}
	/* Without notify types every Notify counts as a status one. */
	{
		const uint8_t t[] = {N_};
		assert_int_equal(ike_legal_check_types(t, NULL, 1, IKE_SA_INIT, true, false, NULL),
		                 IKE_ERR_LEGAL_MISSING);
	}
}

/* ---- names ---- */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(ike_exchange_name(IKE_SA_INIT), "IKE_SA_INIT");
	assert_string_equal(ike_exchange_name(IKE_AUTH), "IKE_AUTH");
	assert_string_equal(ike_exchange_name(IKE_CREATE_CHILD_SA), "CREATE_CHILD_SA");
	assert_string_equal(ike_exchange_name(IKE_INFORMATIONAL), "INFORMATIONAL");
	assert_string_equal(ike_exchange_name(IKE_INTERMEDIATE), "IKE_INTERMEDIATE");
	assert_string_equal(ike_exchange_name(33), "UNKNOWN");
	assert_string_equal(ike_payload_name(IKE_PL_SA), "SA");
	assert_string_equal(ike_payload_name(IKE_PL_IDI), "IDi");
	assert_string_equal(ike_payload_name(IKE_PL_NOTIFY), "N");
	assert_string_equal(ike_payload_name(IKE_PL_SK), "SK");
	assert_string_equal(ike_payload_name(IKE_PL_SKF), "SKF");
	assert_string_equal(ike_payload_name(IKE_PL_NONE), "NONE");
	assert_string_equal(ike_payload_name(50), "UNKNOWN");
	for (unsigned t = 0; t < 256; t++)
		assert_int_equal(ike_payload_known((uint8_t)t), (t >= 33 && t <= 49) || t == 53);
	assert_string_equal(ike_protocol_name(IKE_PROTO_ESP), "ESP");
	assert_string_equal(ike_notify_name(IKE_N_COOKIE), "COOKIE");
	assert_string_equal(ike_notify_name(IKE_N_INVALID_KE_PAYLOAD), "INVALID_KE_PAYLOAD");
	assert_string_equal(ike_notify_name(IKE_N_IKEV2_FRAGMENTATION_SUPPORTED),
	                    "IKEV2_FRAGMENTATION_SUPPORTED");
	assert_string_equal(ike_notify_name(IKE_N_USE_AGGFRAG), "USE_AGGFRAG");
	assert_string_equal(ike_notify_name(IKE_N_USE_ASSIGNED_HOA), "USE_ASSIGNED_HoA");
	assert_string_equal(ike_notify_name(9999), "UNKNOWN");
	assert_true(ike_notify_is_error(IKE_N_AUTHENTICATION_FAILED));
	assert_false(ike_notify_is_error(IKE_N_COOKIE));
	assert_string_equal(ike_transform_type_name(IKE_TRANS_DH), "DH");
	assert_string_equal(ike_transform_type_name(IKE_TRANS_ADDKE1), "ADDKE1");
	assert_string_equal(ike_transform_name(IKE_TRANS_ENCR, IKE_ENCR_AES_CBC), "ENCR_AES_CBC");
	assert_string_equal(ike_transform_name(IKE_TRANS_ENCR, IKE_ENCR_NULL), "ENCR_NULL");
	assert_string_equal(ike_transform_name(IKE_TRANS_ENCR, IKE_ENCR_CHACHA20_POLY1305),
	                    "ENCR_CHACHA20_POLY1305");
	assert_string_equal(ike_transform_name(IKE_TRANS_PRF, IKE_PRF_HMAC_SHA2_256),
	                    "PRF_HMAC_SHA2_256");
	assert_string_equal(ike_transform_name(IKE_TRANS_INTEG, IKE_INTEG_HMAC_SHA2_256_128),
	                    "AUTH_HMAC_SHA2_256_128");
	assert_string_equal(ike_transform_name(IKE_TRANS_INTEG, IKE_INTEG_NONE), "AUTH_NONE");
	assert_string_equal(ike_transform_name(IKE_TRANS_DH, IKE_DH_ECP256), "ECP_256");
	assert_string_equal(ike_transform_name(9, IKE_DH_CURVE25519), "CURVE25519");
	assert_string_equal(ike_transform_name(IKE_TRANS_ESN, IKE_ESN_NO), "NO_ESN");
	assert_string_equal(ike_transform_name(IKE_TRANS_ESN, IKE_ESN_YES), "ESN");
	assert_string_equal(ike_transform_name(77, 1), "UNKNOWN");
	assert_string_equal(ike_transform_name(IKE_TRANS_ENCR, 17), "UNKNOWN");
	assert_string_equal(ike_dh_name(IKE_DH_MODP2048), "MODP_2048");
	assert_string_equal(ike_id_type_name(IKE_ID_FQDN), "ID_FQDN");
	assert_string_equal(ike_auth_method_name(IKE_AUTH_SHARED_KEY_MIC), "SHARED_KEY_MIC");
	assert_string_equal(ike_auth_method_name(IKE_AUTH_DIGITAL_SIG), "DIGITAL_SIGNATURE");
	assert_string_equal(ike_cert_encoding_name(IKE_CERT_X509_SIG), "X509_SIGNATURE");
	assert_string_equal(ike_ts_type_name(IKE_TS_IPV6_ADDR_RANGE), "TS_IPV6_ADDR_RANGE");
	assert_string_equal(ike_cfg_type_name(IKE_CFG_REPLY), "CFG_REPLY");
	assert_string_equal(ike_cfg_attr_name(IKE_CFG_INTERNAL_IP4_ADDRESS),
	                    "INTERNAL_IP4_ADDRESS");
	assert_string_equal(ike_cfg_attr_name(0), "UNKNOWN");
	assert_int_equal(ike_dh_public_len(IKE_DH_MODP2048), 256);
	assert_int_equal(ike_dh_public_len(IKE_DH_ECP521), 132);
	assert_int_equal(ike_dh_public_len(IKE_DH_CURVE448), 56);
	assert_int_equal(ike_dh_public_len(999), 0);

	/* Every error has its own text and name. */
	for (int e = 0; e >= IKE_ERR_MIN; e--) {
		assert_string_not_equal(ike_strerror(e), "unknown error");
		assert_string_not_equal(ike_err_name(e), "UNKNOWN");
		for (int f = e - 1; f >= IKE_ERR_MIN; f--) {
			assert_string_not_equal(ike_strerror(e), ike_strerror(f));
			assert_string_not_equal(ike_err_name(e), ike_err_name(f));
		}
	}
	assert_string_equal(ike_strerror(1), "unknown error");
	assert_string_equal(ike_strerror(IKE_ERR_MIN - 1), "unknown error");
	assert_string_equal(ike_err_name(IKE_ERR_VERSION), "VERSION");
	assert_string_equal(ike_strerror(IKE_ERR_VERSION), "major version is not 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_init), cmocka_unit_test(test_roundtrip_auth_chain),
	    cmocka_unit_test(test_roundtrip_misc), cmocka_unit_test(test_builder_errors),
	    cmocka_unit_test(test_legal),          cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
