/* Unit tests for the IKEv2 payload codec (ike/payload.h, ike/ike.h): every
 * error reason, of the message parser (header, payload chain), of the SA
 * payload parser and of each typed payload parser. Round trips, legality
 * and names: test_ike_payload.c; real captures: test_ike_capture.c. */
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

static uint8_t hexbuf[4096];

/* A message: header (next payload `next`) then the payload bytes in hex;
 * the header length is set to the total. */
static size_t mkmsg(uint8_t *buf, size_t cap, uint8_t next, const char *hex)
{
	long n = hex_decode(hex, buf + IKE_HDR_LEN, cap - IKE_HDR_LEN);
	size_t len;

	assert_true(n >= 0);
	len = IKE_HDR_LEN + (size_t)n;
	memset(buf, 0, IKE_HDR_LEN);
	buf[0] = 0xaa;
	buf[16] = next;
	buf[17] = 0x20;
	buf[18] = IKE_SA_INIT;
	buf[19] = IKE_FLAG_I;
	buf[24] = (uint8_t)(len >> 24);
	buf[25] = (uint8_t)(len >> 16);
	buf[26] = (uint8_t)(len >> 8);
	buf[27] = (uint8_t)len;
	return len;
}

static int msg_err(uint8_t next, const char *hex, struct ike_msg *m)
{
	size_t len = mkmsg(hexbuf, sizeof(hexbuf), next, hex);
	return ike_msg_parse(m, hexbuf, len);
}

/* A payload view over a hex body (copied to an exact-size buffer). */
static struct ike_payload pv(uint8_t type, const char *hex)
{
	static uint8_t *body;
	struct ike_payload p = {.type = type, .known = true};
	long n;

	free(body);
	body = malloc(strlen(hex) / 2 + 1);
	assert_non_null(body);
	n = hex_decode(hex, body, strlen(hex) / 2 + 1);
	assert_true(n >= 0);
	p.len = (uint16_t)n;
	p.body = body;
	return p;
}

static void test_errors_message(void **state)
{
	struct ike_msg m;
	uint8_t buf[64];
	size_t len;
	char hex[33 * 9 + 1];

	(void)state;
	len = mkmsg(buf, sizeof(buf), 0, "");
	assert_int_equal(ike_msg_parse(&m, buf, len), IKE_OK);
	assert_int_equal(m.n, 0);
	assert_int_equal(ike_msg_parse(&m, buf, 27), IKE_ERR_SHORT);
	assert_int_equal(ike_msg_parse(&m, NULL, 0), IKE_ERR_SHORT);
	buf[17] = 0x10; /* IKEv1 */
	assert_int_equal(ike_msg_parse(&m, buf, len), IKE_ERR_VERSION);
	buf[17] = 0x30;
	assert_int_equal(ike_msg_parse(&m, buf, len), IKE_ERR_VERSION);
	buf[17] = 0x2f; /* minor version ignored */
	assert_int_equal(ike_msg_parse(&m, buf, len), IKE_OK);
	buf[27] = 29;
	assert_int_equal(ike_msg_parse(&m, buf, len), IKE_ERR_LENGTH);

	assert_int_equal(msg_err(IKE_PL_VENDOR, "0000", &m), IKE_ERR_PAYLOAD_SHORT);
	assert_int_equal(m.err_type, IKE_PL_VENDOR);
	assert_int_equal(m.err_off, IKE_HDR_LEN);
	assert_int_equal(msg_err(IKE_PL_VENDOR, "00000003", &m), IKE_ERR_PAYLOAD_LENGTH);
	assert_int_equal(msg_err(IKE_PL_VENDOR, "00000009 0102", &m), IKE_ERR_PAYLOAD_LENGTH);
	assert_int_equal(msg_err(IKE_PL_VENDOR, "2b000004", &m), IKE_ERR_PAYLOAD_SHORT);
	assert_int_equal(msg_err(IKE_PL_VENDOR, "00000004 ffff", &m), IKE_ERR_TRAILING);
	assert_int_equal(m.err_off, IKE_HDR_LEN + 4);
	/* Unknown payload 50: skipped when not critical, refused when critical. */
	assert_int_equal(msg_err(50, "2b000006 0102 00000004", &m), IKE_OK);
	assert_int_equal(m.n, 2);
	assert_false(m.pl[0].known);
	assert_true(m.pl[1].known);
	assert_int_equal(ike_legal_check(&m, IKE_SA_INIT, true, false, NULL),
	                 IKE_ERR_LEGAL_MISSING);
	assert_int_equal(msg_err(50, "2b800006 0102 00000004", &m), IKE_ERR_UNSUPPORTED_CRITICAL);
	assert_int_equal(m.err_type, 50);
	/* A known payload with the critical bit is fine. */
	assert_int_equal(msg_err(IKE_PL_VENDOR, "00800004", &m), IKE_OK);
	assert_true(m.pl[0].critical);
	/* SK must end the message (its Next Payload is the inner type). */
	assert_int_equal(msg_err(IKE_PL_SK, "23000008 01020304", &m), IKE_OK);
	assert_int_equal(m.sk_inner, IKE_PL_IDI);
	assert_int_equal(msg_err(IKE_PL_SK, "23000008 01020304 2b000004", &m), IKE_ERR_SK_NOT_LAST);
	assert_int_equal(msg_err(IKE_PL_SKF, "23000008 00010001 00", &m), IKE_ERR_SK_NOT_LAST);
	/* 32 payloads fit, 33 do not. */
	hex[0] = 0;
	for (int i = 0; i < 33; i++)
		strcat(hex, i < 32 ? "2b000004 " : "00000004");
	assert_int_equal(msg_err(IKE_PL_VENDOR, hex, &m), IKE_ERR_TOO_MANY_PAYLOADS);
	hex[strlen(hex) - 17] = 0;
	strcat(hex, "00000004");
	assert_int_equal(msg_err(IKE_PL_VENDOR, hex, &m), IKE_OK);
	assert_int_equal(m.n, IKE_MSG_MAX_PAYLOADS);
	/* A chain (SK contents) follows the same rules. */
	hex_decode("2b000004 00000005 ff", hexbuf, sizeof(hexbuf));
	assert_int_equal(ike_chain_parse(&m, IKE_PL_NOTIFY, hexbuf, 9), IKE_OK);
	assert_int_equal(m.pl[0].type, IKE_PL_NOTIFY);
	assert_int_equal(m.pl[1].len, 1);
	assert_int_equal(ike_chain_parse(&m, IKE_PL_NOTIFY, hexbuf, 8), IKE_ERR_PAYLOAD_LENGTH);
	assert_int_equal(ike_chain_parse(&m, IKE_PL_NONE, hexbuf, 9), IKE_ERR_TRAILING);
	assert_int_equal(ike_chain_parse(&m, IKE_PL_NONE, hexbuf, 0), IKE_OK);
	{
		struct ike_hdr h;
		assert_int_equal(ike_hdr_parse(&h, buf, 28), IKE_OK);
		assert_int_equal(h.length, 29); /* not compared by the header parser */
		assert_int_equal(ike_hdr_parse(&h, buf, 20), IKE_ERR_SHORT);
	}
}

#define PROP1 "00000010 01010001 00000008 0100000c"

static void test_errors_sa(void **state)
{
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_payload p;
	char *hex = malloc(70 * 24 + 1);

	(void)state;
	assert_non_null(sa);
	assert_non_null(hex);
#define SA(h) (p = pv(IKE_PL_SA, h), ike_sa_parse(sa, &p))
	assert_int_equal(SA(PROP1), IKE_OK);
	assert_int_equal(SA(""), IKE_ERR_SA_EMPTY);
	assert_int_equal(SA("00000007 01010000"), IKE_ERR_SA_PROP_LENGTH);
	assert_int_equal(SA("00000011 01010001 00000008 0100000c"), IKE_ERR_SA_PROP_LENGTH);
	assert_int_equal(SA("000000"), IKE_ERR_SA_PROP_LENGTH);
	assert_int_equal(SA("00000008 01030401"), IKE_ERR_SA_PROP_LENGTH);
	assert_int_equal(SA("0000000a 01030401 0102"), IKE_ERR_SA_PROP_LENGTH);
	assert_int_equal(SA("02000010 01010001 00000008 0100000c"), IKE_ERR_SA_PROP_LAST);
	assert_int_equal(SA("01000010 01010001 00000008 0100000c"), IKE_ERR_SA_PROP_LAST);
	assert_int_equal(SA(PROP1 PROP1), IKE_ERR_SA_PROP_LAST);
	assert_int_equal(SA("00000010 00010001 00000008 0100000c"), IKE_ERR_SA_PROP_NUM);
	assert_int_equal(SA("02000010 01010001 00000008 0100000c "
	                    "00000010 03010001 00000008 0100000c"),
	                 IKE_ERR_SA_PROP_NUM);
	assert_int_equal(SA("02000010 02010001 00000008 0100000c "
	                    "00000010 03010001 00000008 0100000c"),
	                 IKE_ERR_SA_PROP_NUM);
	assert_int_equal(SA("02000010 01010001 00000008 0100000c "
	                    "00000010 02010001 00000008 0100000c"),
	                 IKE_OK);
	assert_int_equal(sa->nprop, 2);
	assert_int_equal(SA("00000010 05010001 00000008 0100000c"), IKE_OK); /* a response */
	assert_int_equal(SA("00000010 01040001 00000008 0100000c"), IKE_ERR_SA_PROTOCOL);
	assert_int_equal(SA("00000010 01000001 00000008 0100000c"), IKE_ERR_SA_PROTOCOL);
	assert_int_equal(SA("00000010 01030001 00000008 0100000c"), IKE_ERR_SA_SPI_SIZE);
	assert_int_equal(SA("00000014 01010401 01020304 00000008 0100000c"), IKE_ERR_SA_SPI_SIZE);
	assert_int_equal(SA("00000014 01030401 01020304 00000008 0100000c"), IKE_OK);
	assert_int_equal(ike_proposal_spi(&sa->p[0]), 0x01020304);
	assert_int_equal(SA("00000010 01010002 00000008 0100000c"), IKE_ERR_SA_TRANS_COUNT);
	assert_int_equal(SA("00000008 01010000"), IKE_ERR_SA_TRANS_COUNT);
	assert_int_equal(SA("00000010 01010001 00000007 0100000c"), IKE_ERR_SA_TRANS_LENGTH);
	assert_int_equal(SA("00000010 01010001 00000009 0100000c"), IKE_ERR_SA_TRANS_LENGTH);
	assert_int_equal(SA("0000000c 01010001 00000008"), IKE_ERR_SA_TRANS_LENGTH);
	assert_int_equal(SA("00000010 01010001 03000008 0100000c"), IKE_ERR_SA_TRANS_LAST);
	assert_int_equal(SA("00000018 01010002 00000008 0100000c 03000008 0200000c"),
	                 IKE_ERR_SA_TRANS_LAST);
	assert_int_equal(SA("00000018 01010002 02000008 0100000c 00000008 0200000c"),
	                 IKE_ERR_SA_TRANS_LAST);
	assert_int_equal(SA("00000012 01010001 0000000a 0100000c 800e"), IKE_ERR_SA_ATTR_LENGTH);
	assert_int_equal(SA("00000014 01010001 0000000c 0100000c 00010005"),
	                 IKE_ERR_SA_ATTR_LENGTH);
	assert_int_equal(SA("00000016 01010001 0000000e 0100000c 000e0002 0080"),
	                 IKE_ERR_SA_KEYLEN_FORMAT);
	assert_int_equal(SA("00000014 01010001 0000000c 0100000c 800e0100"), IKE_OK);
	assert_int_equal(sa->p[0].t[0].keylen, 256);
	assert_false(sa->p[0].t[0].unknown_attr);
	assert_int_equal(SA("00000018 01010001 00000010 0100000c 80010005 00020000"), IKE_OK);
	assert_true(sa->p[0].t[0].unknown_attr);
	assert_false(sa->p[0].t[0].has_keylen);
	/* 16 proposals fit, 17 do not. */
	hex[0] = 0;
	for (int i = 1; i <= 17; i++)
		sprintf(hex + strlen(hex), "%02x000010 %02x010001 00000008 0100000c ",
		        i < 17 ? 2 : 0, i);
	assert_int_equal(SA(hex), IKE_ERR_SA_TOO_MANY_PROPS);
	/* 64 transforms fit, 65 do not. */
	for (int n = 64; n <= 65; n++) {
		sprintf(hex, "0000%04x 010100%02x ", 8 + 8 * n, n);
		for (int i = 1; i <= n; i++)
			strcat(hex, i < n ? "03000008 0100000c " : "00000008 0100000c");
		assert_int_equal(SA(hex), n == 64 ? IKE_OK : IKE_ERR_SA_TOO_MANY_TRANS);
	}
	p = pv(IKE_PL_KE, PROP1);
	assert_int_equal(ike_sa_parse(sa, &p), IKE_ERR_WRONG_TYPE);
#undef SA
	free(hex);
	free(sa);
}

static void test_errors_payloads(void **state)
{
	struct ike_payload p;
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert ce;
	struct ike_auth au;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_ts_list ts;
	struct ike_skf f;
	struct ike_cp cp;
	struct ike_eap e;
	char hex[1200];

	(void)state;
#define CHECK(type, fn, out, h, want)                                                              \
	do {                                                                                       \
		p = pv(type, h);                                                                   \
		assert_int_equal(fn(out, &p), want);                                               \
	} while (0)
	CHECK(IKE_PL_KE, ike_ke_parse, &ke, "001300", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_KE, ike_ke_parse, &ke, "00130000 01020304", IKE_ERR_KE_LENGTH);
	CHECK(IKE_PL_KE, ike_ke_parse, &ke, "00130000", IKE_ERR_KE_LENGTH);
	CHECK(IKE_PL_KE, ike_ke_parse, &ke, "03e70000 010203", IKE_OK); /* unknown group */
	assert_int_equal(ke.group, 999);
	CHECK(IKE_PL_NOTIFY, ike_ke_parse, &ke, "00130000 01020304", IKE_ERR_WRONG_TYPE);

	CHECK(IKE_PL_IDI, ike_id_parse, &id, "020000", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "04000000 01", IKE_ERR_ID_TYPE);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "01000000 010203", IKE_ERR_ID_LENGTH);
	CHECK(IKE_PL_IDR, ike_id_parse, &id, "05000000 01020304", IKE_ERR_ID_LENGTH);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "02000000", IKE_ERR_ID_LENGTH);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "0d000000 01", IKE_ERR_ID_LENGTH);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "0b000000 6b6579", IKE_OK);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "09000000 3000", IKE_OK);
	CHECK(IKE_PL_IDI, ike_id_parse, &id, "03000000 6140622e63", IKE_OK);
	CHECK(IKE_PL_AUTH, ike_id_parse, &id, "02000000 61", IKE_ERR_WRONG_TYPE);

	CHECK(IKE_PL_CERT, ike_cert_parse, &ce, "", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_CERT, ike_cert_parse, &ce, "04", IKE_ERR_CERT_EMPTY);
	CHECK(IKE_PL_CERTREQ, ike_certreq_parse, &ce, "04 0102030405060708090a0b0c0d0e0f10111213",
	      IKE_ERR_CERTREQ_LENGTH);
	CHECK(IKE_PL_CERTREQ, ike_certreq_parse, &ce, "04", IKE_OK);
	CHECK(IKE_PL_CERTREQ, ike_certreq_parse, &ce, "0c 010203", IKE_OK);
	CHECK(IKE_PL_CERTREQ, ike_cert_parse, &ce, "04 01", IKE_ERR_WRONG_TYPE);

	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "020000", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "02000000", IKE_ERR_AUTH_EMPTY);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "02000000 aabb", IKE_OK);
	assert_null(au.sig);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "0e000000 05 3000 aa", IKE_ERR_AUTH_SIG);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "0e000000 02 3100 aa", IKE_ERR_AUTH_SIG);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "0e000000 02 3000", IKE_ERR_AUTH_SIG);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "0e000000 00 3000", IKE_ERR_AUTH_SIG);
	CHECK(IKE_PL_AUTH, ike_auth_parse, &au, "0e000000 02 3000 aa", IKE_OK);

	CHECK(IKE_PL_NONCE, ike_nonce_parse, &no, "0102030405060708090a0b0c0d0e0f",
	      IKE_ERR_NONCE_LENGTH);
	CHECK(IKE_PL_NONCE, ike_nonce_parse, &no, "0102030405060708090a0b0c0d0e0f10", IKE_OK);
	memset(hex, 'a', 514);
	hex[514] = 0;
	CHECK(IKE_PL_NONCE, ike_nonce_parse, &no, hex, IKE_ERR_NONCE_LENGTH);
	hex[512] = 0;
	CHECK(IKE_PL_NONCE, ike_nonce_parse, &no, hex, IKE_OK);

	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "000040", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00034000 010203", IKE_ERR_NOTIFY_SPI_SIZE);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "03044000 0102", IKE_ERR_NOTIFY_SPI_SIZE);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00000011 000f00", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00004004 0102", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00004006", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "03004009", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "0000402f 000200", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00004001 000000", IKE_ERR_NOTIFY_DATA);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "03044009 c0000001", IKE_OK);
	assert_int_equal(n.spi_size, 4);
	assert_int_equal(ike_notify_ke_group(&n), 0);
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, "00000011 001f", IKE_OK);
	assert_int_equal(ike_notify_ke_group(&n), IKE_DH_CURVE25519);
	sprintf(hex, "00004006 ");
	for (int i = 0; i < 65; i++)
		strcat(hex, "ab");
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, hex, IKE_ERR_NOTIFY_DATA);
	hex[strlen(hex) - 2] = 0;
	CHECK(IKE_PL_NOTIFY, ike_notify_parse, &n, hex, IKE_OK);

	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "030400", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "04000000", IKE_ERR_DELETE_PROTOCOL);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "03080001 0102030405060708",
	      IKE_ERR_DELETE_SPI_SIZE);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "01040000", IKE_ERR_DELETE_SPI_SIZE);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "03040002 c0000001", IKE_ERR_DELETE_COUNT);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "03040000 c0000001", IKE_ERR_DELETE_COUNT);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "01000001", IKE_ERR_DELETE_COUNT);
	CHECK(IKE_PL_DELETE, ike_delete_parse, &d, "02040001 00000100", IKE_OK);
	assert_int_equal(ike_delete_spi(&d, 0), 256);

#define TS4 "07000010 0000ffff 0a000000 0a0000ff"
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "010000", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "00000000", IKE_ERR_TS_COUNT);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "00000000 " TS4, IKE_ERR_TS_COUNT);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "02000000 " TS4, IKE_ERR_TS_COUNT);
	CHECK(IKE_PL_TSR, ike_ts_parse, &ts, "01000000 " TS4, IKE_OK);
	assert_int_equal(ts.n, 1);
	assert_int_equal(ts.ts[0].eport, 65535);
	assert_int_equal(ts.ts[0].end.b[3], 0xff);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "01000000 09000010 0000ffff 0a000000 0a0000ff",
	      IKE_ERR_TS_TYPE);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts,
	      "01000000 07000014 0000ffff 0a000000 0a0000ff 00000000", IKE_ERR_TS_LENGTH);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "01000000 07000010 0000ffff 0a00", IKE_ERR_TS_LENGTH);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "01000000 0700", IKE_ERR_TS_LENGTH);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, "01000000 08000010 0000ffff 0a000000 0a0000ff",
	      IKE_ERR_TS_LENGTH);
	sprintf(hex, "11000000 ");
	for (int i = 0; i < 17; i++)
		strcat(hex, TS4);
	CHECK(IKE_PL_TSI, ike_ts_parse, &ts, hex, IKE_ERR_TS_TOO_MANY);
	CHECK(IKE_PL_SA, ike_ts_parse, &ts, "01000000 " TS4, IKE_ERR_WRONG_TYPE);

	CHECK(IKE_PL_SKF, ike_skf_parse, &f, "000100", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_SKF, ike_skf_parse, &f, "00000002", IKE_ERR_SKF_NUMBER);
	CHECK(IKE_PL_SKF, ike_skf_parse, &f, "00030002", IKE_ERR_SKF_NUMBER);
	CHECK(IKE_PL_SKF, ike_skf_parse, &f, "00010000", IKE_ERR_SKF_NUMBER);
	CHECK(IKE_PL_SKF, ike_skf_parse, &f, "00020002 aa", IKE_OK);
	CHECK(IKE_PL_SK, ike_skf_parse, &f, "00010001", IKE_ERR_WRONG_TYPE);

	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "010000", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "05000000", IKE_ERR_CP_TYPE);
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "00000000", IKE_ERR_CP_TYPE);
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "01000000 0001", IKE_ERR_CP_ATTR_LENGTH);
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "01000000 00010004 0a00", IKE_ERR_CP_ATTR_LENGTH);
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, "02000000 80010004 0a000001", IKE_OK);
	assert_int_equal(cp.a[0].type, IKE_CFG_INTERNAL_IP4_ADDRESS); /* R bit stripped */
	sprintf(hex, "01000000 ");
	for (int i = 0; i < 33; i++)
		strcat(hex, "00010000");
	CHECK(IKE_PL_CP, ike_cp_parse, &cp, hex, IKE_ERR_CP_TOO_MANY);

	CHECK(IKE_PL_EAP, ike_eap_parse, &e, "010700", IKE_ERR_BODY_SHORT);
	CHECK(IKE_PL_EAP, ike_eap_parse, &e, "01070007 01", IKE_ERR_EAP_LENGTH);
	CHECK(IKE_PL_EAP, ike_eap_parse, &e, "01070004", IKE_ERR_EAP_LENGTH);
	CHECK(IKE_PL_EAP, ike_eap_parse, &e, "03070004", IKE_OK);
	assert_int_equal(e.code, 3);
	assert_int_equal(e.type, 0);
#undef CHECK
	{
		struct ike_vendor v;
		p = pv(IKE_PL_NOTIFY, "00");
		assert_int_equal(ike_vendor_parse(&v, &p), IKE_ERR_WRONG_TYPE);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_errors_message),
	    cmocka_unit_test(test_errors_sa),
	    cmocka_unit_test(test_errors_payloads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
