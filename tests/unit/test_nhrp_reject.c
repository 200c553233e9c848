/* Unit tests: NHRP codec rejections, part two of tests/unit/test_nhrp
 * (test_nhrp.c has main, which registers these tests): a malformed capture,
 * every truncation and single-bit flip of the real packets, the checksum,
 * every named parse error on hand-assembled packets, unknown extensions,
 * builder errors, nhrp_packet_eq and the name tables. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/util.h"
#include "lib/writer.h"
#include "nhrp/packet.h"
#include "tests/unit/nhrp_codec_harness.h"

/* ---- rejections ----------------------------------------------------------- */

void test_pb_nhrp_1(void **state)
{
	struct nhrp_frame fr[2];
	struct nhrp_packet pkt;

	(void)state;
	/* Malformed on purpose (NHRP over IP protocol 54): ar$pktsz 0x7753 for
	 * 40 bytes of data. tcpdump once looped on it. */
	assert_int_equal(load("tcpdump/pb_nhrp_1.pcap", fr, 2), 1);
	assert_int_equal(fr[0].len, 40);
	assert_int_equal(nhrp_parse(&pkt, fr[0].b, fr[0].len), NHRP_E_PKTSZ);
	assert_int_equal(pkt.err_offset, 10);
	assert_string_equal(nhrp_strerror(NHRP_E_PKTSZ), "ar$pktsz below 20 or beyond the data");
}

/* Every truncation of every real packet is rejected: plain (ar$pktsz now
 * beyond the data) and self-consistent (ar$pktsz and checksum fixed up, so
 * the deeper checks run). */
void test_truncations(void **state)
{
	static struct nhrp_frame fr[MAX_FRAMES];
	static struct nhrp_packet pkt;
	uint8_t buf[2048];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int n = load(files[i].file, fr, MAX_FRAMES);
		for (int j = 0; j < n; j++) {
			for (size_t len = 0; len < fr[j].len; len++) {
				memcpy(buf, fr[j].b, len);
				assert_true(nhrp_parse(&pkt, buf, len) < 0);
				if (len < 20)
					continue;
				buf[10] = (uint8_t)(len >> 8);
				buf[11] = (uint8_t)len;
				nhrp_checksum_fix(buf, len);
				int rc = nhrp_parse(&pkt, buf, len);
				if (rc >= 0)
					fail_msg("%s #%d cut at %zu parsed", files[i].file, j + 1,
					         len);
			}
		}
	}
}

/* Single-bit flips: never a crash; inside ar$pktsz always rejected; in
 * trailing bytes (beyond ar$pktsz) ignored. */
void test_bitflips(void **state)
{
	static struct nhrp_frame fr[MAX_FRAMES];
	static struct nhrp_packet pkt;
	uint8_t buf[2048 + 8];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int n = load(files[i].file, fr, MAX_FRAMES);
		for (int j = 0; j < n; j++) {
			size_t len = fr[j].len + 6; /* six bytes of link padding */
			memset(buf, 0, sizeof(buf));
			memcpy(buf, fr[j].b, fr[j].len);
			assert_int_equal(nhrp_parse(&pkt, buf, len), NHRP_OK);
			for (size_t bit = 0; bit < len * 8; bit++) {
				buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
				int rc = nhrp_parse(&pkt, buf, len);
				if (bit / 8 < fr[j].len && rc >= 0)
					fail_msg("%s #%d bit %zu accepted", files[i].file, j + 1,
					         bit);
				if (bit / 8 >= fr[j].len)
					assert_int_equal(rc, NHRP_OK);
				buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			}
		}
	}
}

/* A flipped bit in the body fails the checksum; fixing it restores it. */
void test_checksum(void **state)
{
	struct nhrp_frame fr[4];
	struct nhrp_packet pkt;

	(void)state;
	assert_int_equal(load("tcpdump/nhrp-trace.pcap", fr, 4), 4);
	assert_int_equal(nhrp_checksum(fr[1].b, fr[1].len), 0xaa37); /* tshark: 0xaa37 */
	fr[1].b[27] ^= 0x01;                                         /* request ID 5 -> 4 */
	assert_int_equal(nhrp_parse(&pkt, fr[1].b, fr[1].len), NHRP_E_CHECKSUM);
	assert_int_equal(pkt.err_offset, 12);
	assert_int_equal(nhrp_checksum_fix(fr[1].b, fr[1].len), NHRP_OK);
	assert_int_equal(nhrp_parse(&pkt, fr[1].b, fr[1].len), NHRP_OK);
	assert_int_equal(pkt.request_id, 4);
	assert_int_equal(nhrp_checksum_fix(fr[1].b, 19), NHRP_E_SHORT);
	/* odd length: padded with a zero byte (ios_nhrp is 81 bytes) */
	assert_int_equal(load("tcpdump/ios_nhrp.pcap", fr, 1), 1);
	assert_int_equal(fr[0].len % 2, 1);
	assert_int_equal(nhrp_checksum(fr[0].b, fr[0].len), 0xe8e4);
}

/* Hand-assembled packets for each named reason. A Resolution Request with
 * 4-byte addresses; mand/ext are appended after the 20-byte header. */
static size_t mk(uint8_t *b, const void *mand, size_t mlen, const void *ext, size_t elen)
{
	static const uint8_t hdr[20] = {0, 1, 8, 0, 0, 0, 0, 0, 0, 255,
	                                0, 0, 0, 0, 0, 0, 1, 1, 4, 0};
	size_t len = 20 + mlen + elen;

	memcpy(b, hdr, 20);
	memcpy(b + 20, mand, mlen);
	if (ext)
		memcpy(b + 20 + mlen, ext, elen);
	b[10] = (uint8_t)(len >> 8);
	b[11] = (uint8_t)len;
	b[14] = 0;
	b[15] = ext ? (uint8_t)(20 + mlen) : 0;
	nhrp_checksum_fix(b, len);
	return len;
}

static void refix(uint8_t *b, size_t len)
{
	nhrp_checksum_fix(b, len);
}

#define M_REQ       4, 4, 0, 0, 0, 0, 0, 7, 192, 0, 2, 1, 10, 0, 0, 1, 10, 0, 0, 2
#define CIE0        0, 32, 0, 0, 5, 0xdc, 0, 60, 4, 0, 4, 0, 192, 0, 2, 9, 10, 0, 0, 9
#define END         0x80, 0, 0, 0
#define expect(...) expect_at(__LINE__, __VA_ARGS__)

static void expect_at(int line, const uint8_t *b, size_t len, int rc, int off)
{
	struct nhrp_packet pkt;
	int got = nhrp_parse(&pkt, b, len);

	if (got != rc)
		fail_msg("line %d: got %d (%s), want %d (%s)", line, got, nhrp_strerror(got), rc,
		         nhrp_strerror(rc));
	if (off >= 0 && pkt.err_offset != off)
		fail_msg("line %d: err_offset %u, want %d", line, pkt.err_offset, off);
}

void test_named_errors(void **state)
{
	uint8_t b[1024];
	size_t len;
	const uint8_t req[] = {M_REQ};
	const uint8_t req_cie[] = {M_REQ, CIE0};
	const uint8_t end[] = {END};

	(void)state;
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	expect(b, len, NHRP_OK, 0);
	expect(b, 19, NHRP_E_SHORT, 0);
	expect(NULL, 0, NHRP_E_SHORT, 0);

	b[16] = 2, refix(b, len);
	expect(b, len, NHRP_E_VERSION, 16);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[11] = 19, refix(b, len);
	expect(b, len, NHRP_E_PKTSZ, 10);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	expect(b, len - 1, NHRP_E_PKTSZ, 10);
	b[40] ^= 0x80;
	expect(b, len, NHRP_E_CHECKSUM, 12);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[1] = 3, refix(b, len);
	expect(b, len, NHRP_E_AFN, 0);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[3] = 6, refix(b, len); /* 0x0806 */
	expect(b, len, NHRP_E_PROTO, 2);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[2] = 0, b[3] = 0xcc, refix(b, len); /* NLPID form of IP: not the short form */
	expect(b, len, NHRP_E_PROTO, 2);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[17] = 0, refix(b, len);
	expect(b, len, NHRP_E_TYPE, 17);
	b[17] = 9, refix(b, len);
	expect(b, len, NHRP_E_TYPE, 17);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[15] = 19, refix(b, len);
	expect(b, len, NHRP_E_EXTOFF, 14);
	b[15] = (uint8_t)(len + 1), refix(b, len);
	expect(b, len, NHRP_E_EXTOFF, 14);

	/* type/length octets: E.164 and reserved bits, lengths */
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[18] = 0x44, refix(b, len);
	expect(b, len, NHRP_E_ADDR_TYPE, 18);
	b[18] = 0x84, refix(b, len);
	expect(b, len, NHRP_E_ADDR_TYPE, 18);
	b[18] = 4, b[19] = 0x40, refix(b, len);
	expect(b, len, NHRP_E_ADDR_TYPE, 19);
	b[19] = 0, b[18] = 16, refix(b, len);
	expect(b, len, NHRP_E_ADDR_LEN, 18);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[20] = 16, refix(b, len);
	expect(b, len, NHRP_E_ADDR_LEN, 20);
	b[20] = 4, b[21] = 5, refix(b, len);
	expect(b, len, NHRP_E_ADDR_LEN, 21);
	len = mk(b, req_cie, sizeof(req_cie), end, sizeof(end));
	b[40 + 8] = 0x44, refix(b, len);
	expect(b, len, NHRP_E_ADDR_TYPE, 48);
	b[40 + 8] = 3, refix(b, len);
	expect(b, len, NHRP_E_ADDR_LEN, 48);
	b[40 + 8] = 4, b[40 + 9] = 0x81, refix(b, len);
	expect(b, len, NHRP_E_ADDR_TYPE, 49);
	b[40 + 9] = 0, b[40 + 10] = 16, refix(b, len);
	expect(b, len, NHRP_E_ADDR_LEN, 50);

	/* Subaddresses are kept raw (none in IP NBMA, but legal). */
	{
		const uint8_t m[] = {4, 4,    0,  0, 0, 0, 0,  7, 192, 0, 2,
		                     1, 0xab, 10, 0, 0, 1, 10, 0, 0,   2};
		struct nhrp_packet pkt;
		len = mk(b, m, sizeof(m), end, sizeof(end));
		b[19] = 1, refix(b, len);
		assert_int_equal(nhrp_parse(&pkt, b, len), NHRP_OK);
		assert_int_equal(pkt.src_nbma_sub.len, 1);
		assert_int_equal(pkt.src_nbma_sub.p[0], 0xab);
		assert_int_equal(pkt.dst_proto.b[3], 2);
	}

	/* truncated mandatory part and CIEs */
	len = mk(b, req, 7, NULL, 0);
	expect(b, len, NHRP_E_MANDATORY, 20);
	len = mk(b, req, sizeof(req) - 1, NULL, 0);
	expect(b, len, NHRP_E_MANDATORY, 28);
	len = mk(b, req_cie, sizeof(req_cie) - 1, NULL, 0);
	expect(b, len, NHRP_E_CIE, 52);
	len = mk(b, req_cie, sizeof(req) + 11, NULL, 0);
	expect(b, len, NHRP_E_CIE, 40);
	{
		uint8_t m[sizeof(req) + 9 * 20];
		memcpy(m, req, sizeof(req));
		for (int i = 0; i < 9; i++)
			memcpy(m + sizeof(req) + 20 * i, req_cie + sizeof(req), 20);
		len = mk(b, m, sizeof(req) + 8 * 20, NULL, 0);
		expect(b, len, NHRP_OK, 0);
		len = mk(b, m, sizeof(m), NULL, 0);
		expect(b, len, NHRP_E_TOO_MANY_CIE, 40 + 8 * 20);
	}

	/* extensions */
	{
		const uint8_t e1[] = {0x80, 3, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8, END};
		len = mk(b, req, sizeof(req), e1, sizeof(e1));
		expect(b, len, NHRP_E_CIE, 44); /* a CIE list that is not whole */
		const uint8_t e2[] = {0x80, 7, 0, 10, 0, 0, 0, 1, 'x', END};
		len = mk(b, req, sizeof(req), e2, sizeof(e2));
		expect(b, len, NHRP_E_EXT_LEN, 40);
		len = mk(b, req, sizeof(req), e2, 2);
		expect(b, len, NHRP_E_EXT_LEN, 40);
		const uint8_t e3[] = {0x80, 0, 0, 2, 0, 0};
		len = mk(b, req, sizeof(req), e3, sizeof(e3));
		expect(b, len, NHRP_E_EXT_MALFORMED, 40);
		const uint8_t e4[] = {0x80, 7, 0, 3, 0, 0, 0, END};
		len = mk(b, req, sizeof(req), e4, sizeof(e4));
		expect(b, len, NHRP_E_EXT_MALFORMED, 40);
		const uint8_t e5[] = {0, 8, 0, 2, 0, 0, END};
		len = mk(b, req, sizeof(req), e5, sizeof(e5));
		expect(b, len, NHRP_E_EXT_MALFORMED, 40);
		const uint8_t e6[] = {0, 8, 0, 3, 0, 0, 9, END};
		len = mk(b, req, sizeof(req), e6, sizeof(e6));
		expect(b, len, NHRP_OK, 0);
		len = mk(b, req, sizeof(req), e6, 7);
		expect(b, len, NHRP_E_EXT_NO_END, 47);
		len = mk(b, req, sizeof(req), e6, 0);
		expect(b, len, NHRP_E_EXT_NO_END, 40);
		const uint8_t e7[] = {END, 0, 0, 0, 0};
		len = mk(b, req, sizeof(req), e7, sizeof(e7));
		expect(b, len, NHRP_E_EXT_TRAILING, 44);
		const uint8_t e8[] = {0x80, 7, 0, 4, 0, 0, 0, 1, 0x80, 7, 0, 4, 0, 0, 0, 1, END};
		len = mk(b, req, sizeof(req), e8, sizeof(e8));
		expect(b, len, NHRP_E_EXT_DUP, 48);
		const uint8_t e9[] = {0x80, 4, 0, 0, 0x00, 4, 0, 0, END}; /* C bit differs */
		len = mk(b, req, sizeof(req), e9, sizeof(e9));
		expect(b, len, NHRP_E_EXT_DUP, 44);
		uint8_t many[17 * 4 + 4], many16[16 * 4 + 4];
		for (int i = 0; i < 17; i++)
			memcpy(many + 4 * i, "\x00\x08\x00\x00", 4);
		memcpy(many + 17 * 4, end, 4);
		len = mk(b, req, sizeof(req), many, sizeof(many));
		expect(b, len, NHRP_E_EXT_MALFORMED, 40); /* vendor needs 3 bytes */
		for (int i = 0; i < 17; i++)
			memcpy(many + 4 * i, "\x00\x0a\x00\x00", 4);
		memcpy(many16, many, 16 * 4);
		memcpy(many16 + 16 * 4, end, 4);
		len = mk(b, req, sizeof(req), many16, sizeof(many16));
		expect(b, len, NHRP_OK, 0);
		len = mk(b, req, sizeof(req), many, sizeof(many));
		expect(b, len, NHRP_E_TOO_MANY_EXT, 40 + 16 * 4);
	}
}

/* Unknown extensions: kept; with the compulsory bit, a named error and a
 * complete struct so the caller can forward or answer with Error Indication
 * "Unrecognized Extension" at err_offset. */
void test_unknown_extensions(void **state)
{
	uint8_t b[256], out[256];
	struct nhrp_packet pkt;
	struct writer w;
	const uint8_t req[] = {M_REQ};
	const uint8_t e[] = {0x00, 0x42, 0,    2,    0xab, 0xcd, 0x80, 7,    0, 4, 0, 0,
	                     0,    1,    0xc0, 0x77, 0,    1,    0xee, 0x80, 5, 0, 0, END};
	size_t len;

	(void)state;
	const uint8_t e1[] = {0x00, 0x42, 0, 2, 0xab, 0xcd, END};
	len = mk(b, req, sizeof(req), e1, sizeof(e1));
	assert_int_equal(nhrp_parse(&pkt, b, len), NHRP_OK);
	assert_int_equal(pkt.n_ext, 1);
	assert_int_equal(pkt.ext[0].type, 0x42);
	assert_false(pkt.ext[0].compulsory);
	assert_string_equal(nhrp_ext_name(0x42), "unknown");

	len = mk(b, req, sizeof(req), e, sizeof(e));
	assert_int_equal(nhrp_parse(&pkt, b, len), NHRP_E_EXT_UNKNOWN_COMPULSORY);
	assert_int_equal(pkt.err_offset, 40 + 6 + 8); /* the 0xc077 extension */
	assert_int_equal(pkt.n_ext, 4);
	assert_int_equal(pkt.ext[2].type, 0x0077); /* the unused 0x4000 bit is dropped */
	assert_true(pkt.ext[2].compulsory);
	assert_int_equal(pkt.ext[2].raw.len, 1);
	assert_int_equal(pkt.ext[2].raw.p[0], 0xee);
	assert_int_equal(pkt.ext[3].type, NHRP_EXT_REV_TRANSIT);
	assert_int_equal(pkt.request_id, 7);
	/* ... and it can still be forwarded unchanged (except the 0x4000 bit) */
	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &pkt), NHRP_OK);
	b[40 + 14] = 0x80;
	refix(b, len);
	assert_int_equal(wr_len(&w), len);
	assert_memory_equal(out, b, len);
}

void test_build_errors(void **state)
{
	static struct nhrp_packet p;
	uint8_t out[1024];
	struct writer w;
	struct nhrp_ext *x;

	(void)state;
	nhrp_packet_init(&p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &p), NHRP_OK);
	assert_int_equal(wr_len(&w), 28);
	assert_int_equal(nhrp_build(NULL, &p), NHRP_E_INVALID);
	assert_int_equal(nhrp_build(&w, NULL), NHRP_E_INVALID);

	p.afn = 0;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_AFN);
	p.afn = NHRP_AFN_IPV4, p.pro_type = 1;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_PROTO);
	p.pro_type = NHRP_PRO_IPV4, p.type = 9;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_TYPE);
	p.type = NHRP_RESOLUTION_REQUEST;
	ipaddr_parse(&p.src_proto, "2001:db8::1");
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_ADDR_LEN);
	ipaddr_parse(&p.src_proto, "10.0.0.1");
	p.cies.count = NHRP_MAX_CIE + 1;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_TOO_MANY_CIE);
	p.cies.count = 1;
	ipaddr_parse(&p.cies.e[0].nbma, "2001:db8::1");
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_ADDR_LEN);
	memset(&p.cies.e[0], 0, sizeof(p.cies.e[0]));
	p.cies.e[0].nbma_sub.len = 64;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	p.cies.e[0].nbma_sub.len = 0;
	p.src_nbma_sub.len = 2; /* no pointer */
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	p.src_nbma_sub.len = 0;

	x = nhrp_ext_add(&p, NHRP_EXT_AUTH);
	x->u.auth.data.len = 3;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	x->u.auth.data.len = 0;
	p.ext[p.n_ext++] = *x; /* duplicate by hand */
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_EXT_DUP);
	p.ext[1].type = 0;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	p.ext[1].type = 0x4000;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	p.ext[1].type = NHRP_EXT_VENDOR;
	p.ext[1].u.vendor.oui = 0x1000000;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	p.ext[1].u.vendor.oui = 0;
	p.n_ext = NHRP_MAX_EXT + 1;
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_TOO_MANY_EXT);
	p.n_ext = 2;
	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &p), NHRP_OK);
	x = nhrp_ext_add(&p, 0x99);
	x->raw.len = 1; /* no pointer */
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);
	static const uint8_t zeros[0xffff];
	x->raw.p = zeros;
	p.ext[0].u.auth.data = (struct nhrp_raw){zeros, 0xfffc};
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_TOO_BIG); /* 4 + 0xfffc */
	p.n_ext = 0;
	nhrp_packet_init(&p, NHRP_ERROR_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p.payload.len = 1; /* no pointer */
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_INVALID);

	/* 65535-byte limit */
	static uint8_t big[0xffff];
	static uint8_t huge[0x10000 + 64];
	nhrp_packet_init(&p, NHRP_TRAFFIC_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p.payload = (struct nhrp_raw){big, 0xffff - 28};
	wr_init(&w, huge, sizeof(huge));
	assert_int_equal(nhrp_build(&w, &p), NHRP_OK);
	p.payload.len++;
	wr_init(&w, huge, sizeof(huge));
	assert_int_equal(nhrp_build(&w, &p), NHRP_E_TOO_BIG);
}

/* nhrp_packet_eq notices a change in any field the wire carries. */
void test_packet_eq(void **state)
{
	struct nhrp_frame fr[4];
	static struct nhrp_packet a, b;
	static const uint8_t other[] = {1, 2, 3};

	(void)state;
	assert_int_equal(load("tcpdump/nhrp-trace.pcap", fr, 4), 4);
	assert_int_equal(nhrp_parse(&a, fr[3].b, fr[3].len), NHRP_OK);
#define DIFFERS(stmt)                                                                              \
	do {                                                                                       \
		b = a;                                                                             \
		assert_true(nhrp_packet_eq(&a, &b));                                               \
		stmt;                                                                              \
		assert_false(nhrp_packet_eq(&a, &b));                                              \
	} while (0)
	DIFFERS(b.afn = NHRP_AFN_IPV6);
	DIFFERS(b.pro_type = NHRP_PRO_IPV6);
	DIFFERS(b.hop_count--);
	DIFFERS(b.type = NHRP_RESOLUTION_REQUEST);
	DIFFERS(b.src_nbma.b[3]++);
	DIFFERS(b.src_nbma_sub = ((struct nhrp_raw){other, 3}));
	DIFFERS(b.src_proto.len = 0);
	DIFFERS(b.dst_proto.b[0]++);
	DIFFERS(b.flags ^= NHRP_FLAG_RES_S);
	DIFFERS(b.request_id++);
	DIFFERS(b.cies.count = 0);
	DIFFERS(b.cies.e[0].code = NHRP_CIE_NO_BINDING);
	DIFFERS(b.cies.e[0].prefix_len--);
	DIFFERS(b.cies.e[0].mtu--);
	DIFFERS(b.cies.e[0].holding_time--);
	DIFFERS(b.cies.e[0].preference++);
	DIFFERS(b.cies.e[0].nbma.b[3]++);
	DIFFERS(b.cies.e[0].nbma_sub = ((struct nhrp_raw){other, 1}));
	DIFFERS(b.cies.e[0].proto.b[3]++);
	DIFFERS(b.n_ext--);
	DIFFERS(b.ext[0].compulsory = false);
	DIFFERS(b.ext[0].type = NHRP_EXT_FWD_TRANSIT);
	DIFFERS(b.ext[3].u.auth.type = 2);
	DIFFERS(b.ext[3].u.auth.data.len--);
	DIFFERS(b.ext[3].u.auth.data = ((struct nhrp_raw){(const uint8_t *)"SECRET", 6}));
	DIFFERS(b.n_ext = 0; b.ext_end = false);
	/* parse-only fields are not compared */
	b = a;
	b.checksum = 0, b.pktsz = 0, b.extoff = 0, b.err_offset = 9;
	assert_true(nhrp_packet_eq(&a, &b));

	assert_int_equal(nhrp_parse(&a, fr[0].b, fr[0].len), NHRP_OK); /* Traffic Indication */
	DIFFERS(b.traffic_code = 1);
	DIFFERS(b.payload.len--);
	b = a, b.flags = 1, b.request_id = 2; /* not carried by type 8 */
	assert_true(nhrp_packet_eq(&a, &b));
	a.type = b.type = NHRP_ERROR_INDICATION;
	DIFFERS(b.error_code = 1);
	DIFFERS(b.error_offset = 1);
	DIFFERS(b.payload = ((struct nhrp_raw){other, 3}));

	struct nhrp_ext *x = nhrp_ext_add(&a, NHRP_EXT_VENDOR);
	x->u.vendor.oui = 9;
	DIFFERS(b.ext[a.n_ext - 1].u.vendor.oui = 8);
	DIFFERS(b.ext[a.n_ext - 1].u.vendor.data = ((struct nhrp_raw){other, 3}));
	x = nhrp_ext_add(&a, 0x99);
	x->raw = (struct nhrp_raw){other, 2};
	DIFFERS(b.ext[a.n_ext - 1].raw.len = 3);
	DIFFERS(b.ext[a.n_ext - 1].raw = ((struct nhrp_raw){other + 1, 2}));
#undef DIFFERS
}

void test_names(void **state)
{
	(void)state;
	for (int e = NHRP_E_SHORT; e >= NHRP_E_NO_EXT; e--)
		assert_string_not_equal(nhrp_strerror(e), "unknown");
	assert_string_equal(nhrp_strerror(NHRP_OK), "ok");
	assert_string_equal(nhrp_strerror(NHRP_E_NO_EXT - 1), "unknown");
	assert_string_equal(nhrp_strerror(1), "unknown");
	assert_string_equal(nhrp_strerror(-2147483647 - 1), "unknown");
	assert_string_equal(nhrp_strerror(NHRP_E_EXT_UNKNOWN_COMPULSORY),
	                    "unrecognized compulsory extension");
	for (unsigned t = 1; t <= 8; t++)
		assert_string_not_equal(nhrp_type_name(t), "unknown");
	assert_string_equal(nhrp_type_name(8), "Traffic Indication");
	assert_string_equal(nhrp_type_name(9), "unknown");
	const unsigned exts[] = {0, 3, 4, 5, 7, 8, 9};
	for (size_t i = 0; i < ARRAY_SIZE(exts); i++)
		assert_string_not_equal(nhrp_ext_name(exts[i]), "unknown");
	assert_string_equal(nhrp_ext_name(0x8009), "Cisco NAT Address");
	const unsigned codes[] = {0, 4, 5, 12, 13, 14};
	for (size_t i = 0; i < ARRAY_SIZE(codes); i++)
		assert_string_not_equal(nhrp_cie_code_name(codes[i]), "unknown");
	assert_string_equal(nhrp_cie_code_name(11), "unknown");
	const unsigned errs[] = {1, 3, 6, 7, 8, 9, 10, 11, 15};
	for (size_t i = 0; i < ARRAY_SIZE(errs); i++)
		assert_string_not_equal(nhrp_error_code_name(errs[i]), "unknown");
	assert_string_equal(nhrp_error_code_name(2), "unknown");
}
