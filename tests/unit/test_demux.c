/* Unit tests: UDP 500/4500 and protocol 50 demultiplexing, ESP framing;
 * real captures (espudp1, isakmp4500, sunrise-sunset ESP, zeek IKEv2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "lib/writer.h"
#include "overlay/demux.h"
#include "overlay/ip.h"

/* ---- test-only pcap frame walker (same as in test_gre.c) ------------------ */

struct walk {
	pcap_t *p;
	int dlt;
	int frame;
};

static const char *testdata(void)
{
	const char *e = getenv("DMVPN_TESTDATA");
	return e && *e ? e : TOP_SRCDIR "/tests/testdata";
}

static void walk_open(struct walk *w, const char *rel)
{
	char path[512], err[PCAP_ERRBUF_SIZE];

	snprintf(path, sizeof(path), "%s/captures/%s", testdata(), rel);
	w->p = pcap_open_offline(path, err);
	if (!w->p)
		fail_msg("%s: %s", path, err);
	w->dlt = pcap_datalink(w->p);
	w->frame = 0;
}

static bool walk_next(struct walk *w, const uint8_t **l3, size_t *len)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t off = 0, n;
	uint16_t et = 0;

	if (pcap_next_ex(w->p, &h, &d) != 1)
		return false;
	w->frame++;
	n = h->caplen;
	*l3 = NULL;
	*len = 0;
	switch (w->dlt) {
	case DLT_EN10MB:
		if (n < 14)
			return true;
		et = (uint16_t)(d[12] << 8 | d[13]);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && n >= off + 4) {
			et = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
			off += 4;
		}
		break;
	case DLT_NULL: {
		uint32_t fam;
		if (n < 4)
			return true;
		memcpy(&fam, d, 4);
		if (fam > 0xffff)
			fam = __builtin_bswap32(fam);
		et = fam == 2 ? 0x0800 : (fam == 24 || fam == 28 || fam == 30) ? 0x86DD : 0;
		off = 4;
		break;
	}
	case DLT_LINUX_SLL:
		if (n < 16)
			return true;
		et = (uint16_t)(d[14] << 8 | d[15]);
		off = 16;
		break;
	case DLT_RAW:
		if (n < 1)
			return true;
		et = d[0] >> 4 == 6 ? 0x86DD : 0x0800;
		break;
	default:
		fail_msg("unsupported link type %d", w->dlt);
	}
	if (et != 0x0800 && et != 0x86DD)
		return true;
	*l3 = d + off;
	*len = n - off;
	return true;
}

/* ---- classification -------------------------------------------------- */

static void test_udp4500(void **state)
{
	uint8_t b[64] = {0};
	struct demux_result r;
	(void)state;

	assert_int_equal(demux_udp4500(&r, b, 0), DEMUX_E_EMPTY);
	assert_int_equal(r.cls, DEMUX_NONE);
	assert_int_equal(demux_udp4500(&r, NULL, 0), DEMUX_E_EMPTY);
	b[0] = 0xFF;
	assert_int_equal(demux_udp4500(&r, b, 1), 0);
	assert_int_equal(r.cls, DEMUX_NATT_KA);
	assert_int_equal(r.len, 1);
	b[0] = 0xFE;
	assert_int_equal(demux_udp4500(&r, b, 1), DEMUX_E_SHORT);
	assert_int_equal(r.cls, DEMUX_NONE);
	memset(b, 0xFF, 4);
	assert_int_equal(demux_udp4500(&r, b, 2), DEMUX_E_SHORT);
	assert_int_equal(demux_udp4500(&r, b, 3), DEMUX_E_SHORT);
	/* non-ESP marker: IKE after it, at least a full IKE header */
	memset(b, 0, sizeof(b));
	b[4] = 0x11;
	assert_int_equal(demux_udp4500(&r, b, 4), DEMUX_E_IKE_SHORT);
	assert_int_equal(demux_udp4500(&r, b, 4 + 27), DEMUX_E_IKE_SHORT);
	assert_int_equal(demux_udp4500(&r, b, 4 + 28), 0);
	assert_int_equal(r.cls, DEMUX_IKE);
	assert_ptr_equal(r.data, b + 4);
	assert_int_equal(r.len, 28);
	/* ESP: SPI + seq + at least one byte */
	memcpy(b, "\x12\x34\x56\x78\x00\x00\x00\x09", 8);
	for (size_t n = 4; n < 9; n++)
		assert_int_equal(demux_udp4500(&r, b, n), DEMUX_E_ESP_SHORT);
	assert_int_equal(demux_udp4500(&r, b, 9), 0);
	assert_int_equal(r.cls, DEMUX_ESP);
	assert_ptr_equal(r.data, b);
	assert_int_equal(r.len, 9);
	/* 0xFF followed by more is ESP (SPI 0xFF......), not a keepalive */
	b[0] = 0xFF;
	assert_int_equal(demux_udp4500(&r, b, 12), 0);
	assert_int_equal(r.cls, DEMUX_ESP);
	/* reserved SPIs */
	memcpy(b, "\x00\x00\x00\xff", 4);
	assert_int_equal(demux_udp4500(&r, b, 12), DEMUX_E_SPI_RESERVED);
	memcpy(b, "\x00\x00\x00\x01", 4);
	assert_int_equal(demux_udp4500(&r, b, 12), DEMUX_E_SPI_RESERVED);
	memcpy(b, "\x00\x00\x01\x00", 4);
	assert_int_equal(demux_udp4500(&r, b, 12), 0);
}

static void test_udp500_and_dispatch(void **state)
{
	uint8_t b[64] = {0x9e, 0x89, 0xf2, 0x38};
	struct demux_result r;
	(void)state;

	assert_int_equal(demux_udp500(&r, b, 0), DEMUX_E_EMPTY);
	assert_int_equal(demux_udp500(&r, b, 27), DEMUX_E_IKE_SHORT);
	assert_int_equal(demux_udp500(&r, b, 28), 0);
	assert_int_equal(r.cls, DEMUX_IKE);
	assert_ptr_equal(r.data, b);
	assert_int_equal(r.len, 28);
	/* port 500 never carries the marker */
	b[0] = b[1] = b[2] = b[3] = 0;
	assert_int_equal(demux_udp500(&r, b, 40), DEMUX_E_MARKER_ON_500);
	assert_int_equal(r.cls, DEMUX_NONE);
	/* dispatch by port */
	assert_int_equal(demux_udp(&r, 4500, b, 40), 0);
	assert_int_equal(r.cls, DEMUX_IKE);
	assert_int_equal(r.len, 36);
	assert_int_equal(demux_udp(&r, 500, b, 40), DEMUX_E_MARKER_ON_500);
	b[0] = 1;
	assert_int_equal(demux_udp(&r, 500, b, 40), 0);
	assert_int_equal(r.len, 40);
	assert_int_equal(demux_udp(&r, 4501, b, 40), DEMUX_E_PORT);
	assert_int_equal(r.cls, DEMUX_NONE);
}

static void test_ip50_and_esp_frame(void **state)
{
	uint8_t b[32] = {0xf4, 0xdc, 0x0a, 0xe5, 0x00, 0x00, 0x00, 0x07, 0xaa, 0xbb};
	struct demux_result r;
	struct esp_frame f;
	(void)state;

	assert_int_equal(esp_frame_parse(&f, b, 10), 0);
	assert_int_equal(f.spi, 0xf4dc0ae5);
	assert_int_equal(f.seq, 7);
	assert_ptr_equal(f.body, b + 8);
	assert_int_equal(f.body_len, 2);
	for (size_t n = 0; n < 9; n++)
		assert_int_equal(esp_frame_parse(&f, b, n), DEMUX_E_ESP_SHORT);
	assert_int_equal(esp_frame_parse(&f, NULL, 0), DEMUX_E_ESP_SHORT);
	assert_int_equal(demux_ip50(&r, b, 10), 0);
	assert_int_equal(r.cls, DEMUX_ESP);
	assert_int_equal(r.len, 10);
	assert_int_equal(demux_ip50(&r, b, 0), DEMUX_E_EMPTY);
	assert_int_equal(demux_ip50(&r, b, 8), DEMUX_E_ESP_SHORT);
	memset(b, 0, 4);
	assert_int_equal(esp_frame_parse(&f, b, 10), DEMUX_E_SPI_ZERO);
	assert_int_equal(demux_ip50(&r, b, 10), DEMUX_E_SPI_ZERO);
	assert_int_equal(r.cls, DEMUX_NONE);
	b[3] = 200;
	assert_int_equal(demux_ip50(&r, b, 10), DEMUX_E_SPI_RESERVED);
	b[2] = 1;
	assert_int_equal(demux_ip50(&r, b, 10), 0);
}

static void test_writers(void **state)
{
	uint8_t b[8];
	struct writer w;
	struct demux_result r;
	(void)state;

	wr_init(&w, b, sizeof(b));
	demux_natt_keepalive_write(&w);
	assert_int_equal(wr_len(&w), 1);
	assert_int_equal(demux_udp4500(&r, b, wr_len(&w)), 0);
	assert_int_equal(r.cls, DEMUX_NATT_KA);
	wr_init(&w, b, sizeof(b));
	demux_marker_write(&w);
	assert_int_equal(wr_len(&w), 4);
	assert_memory_equal(b, "\0\0\0\0", 4);
	wr_init(&w, b, 3);
	demux_marker_write(&w);
	assert_false(wr_ok(&w));
}

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e > DEMUX_E_MAX_; e--) {
		assert_string_not_equal(demux_strerror(e), "?");
		for (int f = e - 1; f > DEMUX_E_MAX_; f--)
			assert_string_not_equal(demux_strerror(e), demux_strerror(f));
	}
	assert_string_equal(demux_strerror(DEMUX_E_MAX_), "?");
	assert_string_equal(demux_strerror(1), "?");
	assert_string_equal(demux_class_name(DEMUX_NONE), "none");
	assert_string_equal(demux_class_name(DEMUX_NATT_KA), "natt-keepalive");
	assert_string_equal(demux_class_name(DEMUX_IKE), "ike");
	assert_string_equal(demux_class_name(DEMUX_ESP), "esp");
}

/* ---- captures -------------------------------------------------------- */

struct tally {
	int ka, ike, esp, err;
	uint32_t spi;      /* last ESP SPI */
	uint32_t next_seq; /* sequence numbers must count 1, 2, ... */
	size_t body_len;
	uint8_t ike_spi[8];
};

static void classify(const char *file, struct tally *t)
{
	struct walk w;
	const uint8_t *l3;
	size_t len;

	memset(t, 0, sizeof(*t));
	t->next_seq = 1;
	walk_open(&w, file);
	while (walk_next(&w, &l3, &len)) {
		struct ip_info ip;
		struct udp_info u;
		struct demux_result r;
		struct esp_frame f;
		int rc;

		if (!l3)
			continue;
		assert_int_equal(ip_parse(&ip, l3, len), 0);
		if (ip.proto == IPPROTO_NUM_ESP) {
			rc = demux_ip50(&r, ip.payload, ip.payload_len);
		} else if (ip.proto == IPPROTO_NUM_UDP) {
			assert_int_equal(udp_parse(&u, ip.payload, ip.payload_len), 0);
			/* the receiver's port; the peer behind NAT uses a high one */
			uint16_t port = u.dport == 500 || u.dport == 4500 ? u.dport : u.sport;
			rc = demux_udp(&r, port, u.payload, u.payload_len);
		} else {
			continue;
		}
		if (rc < 0) {
			t->err++;
			continue;
		}
		switch (r.cls) {
		case DEMUX_NATT_KA:
			t->ka++;
			assert_int_equal(r.data[0], 0xFF);
			break;
		case DEMUX_IKE:
			t->ike++;
			memcpy(t->ike_spi, r.data, 8);
			break;
		case DEMUX_ESP:
			t->esp++;
			assert_int_equal(esp_frame_parse(&f, r.data, r.len), 0);
			t->spi = f.spi;
			assert_int_equal(f.seq, t->next_seq);
			t->next_seq++;
			t->body_len = f.body_len;
			break;
		case DEMUX_NONE:
			fail();
		}
	}
	pcap_close(w.p);
}

static void test_capture_espudp1(void **state)
{
	struct tally t;
	(void)state;

	classify("tcpdump/espudp1.pcap", &t);
	assert_int_equal(t.esp, 8);
	assert_int_equal(t.ike + t.ka + t.err, 0);
	assert_int_equal(t.spi, 0x12345678);
	assert_int_equal(t.body_len, 116 - 8); /* UDP payload 116 */
}

static void test_capture_isakmp4500(void **state)
{
	static const uint8_t ispi[8] = {0x9e, 0x89, 0xf2, 0x38, 0x8f, 0x90, 0xbc, 0x1e};
	struct tally t;
	(void)state;

	classify("tcpdump/isakmp4500.pcap", &t);
	assert_int_equal(t.ka, 4);   /* frames 18, 23, 28, 34 */
	assert_int_equal(t.ike, 15); /* 4 on port 500, 11 behind the marker */
	assert_int_equal(t.esp, 8);
	assert_int_equal(t.err, 0);
	assert_int_equal(t.spi, 0xf4dc0ae5);
	assert_memory_equal(t.ike_spi, ispi, 8);
}

static void test_capture_raw_esp(void **state)
{
	struct tally t;
	(void)state;

	classify("tcpdump/02-sunrise-sunset-esp.pcap", &t);
	assert_int_equal(t.esp, 8);
	assert_int_equal(t.spi, 0x12345678);
	assert_int_equal(t.body_len, 136 - 20 - 8);
	classify("tcpdump/08-sunrise-sunset-esp2.pcap", &t);
	assert_int_equal(t.esp, 8);
	assert_int_equal(t.spi, 0x12345678);
	assert_int_equal(t.ike + t.ka + t.err, 0);
}

static void test_capture_ike(void **state)
{
	struct tally t;
	(void)state;

	/* IKEv2 with NAT: two fragments (RFC 7383) and a response on 4500 */
	classify("zeek-plugin-ikev2/ikev2.pcap", &t);
	assert_int_equal(t.ike, 7);
	assert_int_equal(t.esp + t.ka + t.err, 0);
	classify("tcpdump/ikev2four.pcap", &t);
	assert_int_equal(t.ike, 21);
	assert_int_equal(t.esp + t.ka + t.err, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_udp4500),
	    cmocka_unit_test(test_udp500_and_dispatch),
	    cmocka_unit_test(test_ip50_and_esp_frame),
	    cmocka_unit_test(test_writers),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_capture_espudp1),
	    cmocka_unit_test(test_capture_isakmp4500),
	    cmocka_unit_test(test_capture_raw_esp),
	    cmocka_unit_test(test_capture_ike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
