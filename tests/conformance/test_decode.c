/* Unit tests for the decoder: every link type (the captures only have
 * Ethernet and DLT_NULL), the repairs a protocol analyser makes (bad IPv4,
 * GRE and NHRP checksums, snapshot-length truncation), fragments, NAT-T,
 * ESP, IKE after the non-ESP marker, named errors, and decode_file() on the
 * real captures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/dlt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/decode.h"
#include "lib/util.h"

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

/* nhrp-trace.pcap frame 2 from the IP header on: Resolution Request,
 * GRE key 1000, auth "secret". */
static const uint8_t ip_nhrp[] = {
    0x45, 0xc0, 0x00, 0x72, 0x00, 0x0e, 0x00, 0x00, 0xff, 0x2f, 0xa9, 0x38, 0xc0, 0xa8, 0xc8,
    0x03, 0xc0, 0xa8, 0xc8, 0x01, 0x20, 0x00, 0x20, 0x01, 0x00, 0x00, 0x03, 0xe8, 0x00, 0x01,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x56, 0xaa, 0x37, 0x00, 0x34, 0x01,
    0x01, 0x04, 0x00, 0x04, 0x04, 0xc8, 0x02, 0x00, 0x00, 0x00, 0x05, 0xc0, 0xa8, 0xc8, 0x03,
    0x0a, 0xff, 0xff, 0x03, 0x0a, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x05, 0xea, 0x1c,
    0x20, 0x00, 0x00, 0x00, 0x00, 0x80, 0x03, 0x00, 0x00, 0x80, 0x04, 0x00, 0x00, 0x80, 0x05,
    0x00, 0x00, 0x80, 0x07, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x73, 0x65, 0x63, 0x72, 0x65,
    0x74, 0x00, 0x09, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00,
};

static const char nhrp_line[] =
    " 192.168.200.3 > 192.168.200.1 GRE key 1000 NHRP resolution-request id 5 hops 255 "
    "flags Q,A,S,NAT src 10.255.255.3/192.168.200.3 dst 10.255.255.2 cies 1 [code 0 plen 0 "
    "mtu 1514 hold 7200 pref 0] ext [responder-address(C) forward-transit(C) "
    "reverse-transit(C) auth(C) \"secret\" nat-address end(C)]";

/* Decodes one frame and returns the printed line (static buffer). */
static const char *run(int dlt, const uint8_t *p, size_t len, size_t wirelen, bool json)
{
	static char line[8192];
	struct decode_ctx *ctx = decode_ctx_new();
	struct decode_frame f = {
	    .number = 1,
	    .dlt = dlt,
	    .data = p,
	    .caplen = len,
	    .wirelen = wirelen ? wirelen : len,
	};
	FILE *out = fmemopen(line, sizeof(line), "w");

	assert_non_null(ctx);
	assert_non_null(out);
	decode_frame_print(ctx, &f, json, out);
	fclose(out);
	decode_ctx_free(ctx);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

/* Prefix + ip_nhrp in buf; returns the total length. */
static size_t wrap(uint8_t *buf, const void *hdr, size_t hlen)
{
	if (hlen)
		memcpy(buf, hdr, hlen);
	memcpy(buf + hlen, ip_nhrp, sizeof(ip_nhrp));
	return hlen + sizeof(ip_nhrp);
}

static void expect_nhrp(int dlt, const void *hdr, size_t hlen, const char *prefix)
{
	uint8_t buf[512];
	char want[1024];
	size_t n = wrap(buf, hdr, hlen);

	snprintf(want, sizeof(want), "1%s%s", prefix, nhrp_line);
	assert_string_equal(run(dlt, buf, n, 0, false), want);
}

static void test_link_types(void **state)
{
	static const uint8_t eth[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00};
	static const uint8_t qinq[] = {1,    2,    3,    4,    5,    6,    7,    8,
	                               9,    10,   11,   12,   0x88, 0xa8, 0x00, 0x0a,
	                               0x81, 0x00, 0x20, 0x14, 0x08, 0x00};
	static const uint8_t null_le[] = {2, 0, 0, 0};
	static const uint8_t null_be[] = {0, 0, 0, 2};
	static const uint8_t sll[] = {0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00};
	static const uint8_t sll2[] = {0x08, 0x00, 0, 0, 0, 0, 0, 3, 0, 1,
	                               0,    6,    1, 2, 3, 4, 5, 6, 0, 0};

	expect_nhrp(DLT_EN10MB, eth, sizeof(eth), "");
	expect_nhrp(DLT_EN10MB, qinq, sizeof(qinq), " vlan 10 vlan 20");
	expect_nhrp(DLT_RAW, NULL, 0, "");
	expect_nhrp(DLT_IPV4, NULL, 0, "");
	expect_nhrp(DLT_NULL, null_le, sizeof(null_le), "");
	expect_nhrp(DLT_NULL, null_be, sizeof(null_be), "");
	expect_nhrp(DLT_LOOP, null_be, sizeof(null_be), "");
	expect_nhrp(DLT_LINUX_SLL, sll, sizeof(sll), "");
	expect_nhrp(DLT_LINUX_SLL2, sll2, sizeof(sll2), "");
}

static void test_link_errors(void **state)
{
	static const uint8_t arp[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x06, 0};
	static const uint8_t llc[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x00, 0x26, 0x42};
	static const uint8_t null_bad[] = {99, 0, 0, 0, 0x45};

	assert_string_equal(run(DLT_EN10MB, arp, sizeof(arp), 0, false), "1 ethernet ARP");
	assert_string_equal(run(DLT_EN10MB, llc, sizeof(llc), 0, false),
	                    "1 ethernet 802.3 length 38");
	assert_string_equal(run(DLT_EN10MB, arp, 7, 0, false),
	                    "1 link malformed: truncated link header");
	assert_string_equal(run(DLT_NULL, null_bad, sizeof(null_bad), 0, false),
	                    "1 link malformed: unknown loopback address family");
	assert_string_equal(run(147, arp, sizeof(arp), 0, false),
	                    "1 link malformed: unsupported link type");
	assert_string_equal(run(DLT_RAW, NULL, 0, 0, false),
	                    "1 link malformed: truncated link header");
}

static void test_checksum_repairs(void **state)
{
	uint8_t buf[sizeof(ip_nhrp)];
	const char *s;

	/* IPv4 header checksum */
	memcpy(buf, ip_nhrp, sizeof(buf));
	buf[10] ^= 0xff;
	s = run(DLT_RAW, buf, sizeof(buf), 0, false);
	assert_non_null(strstr(s, "NHRP resolution-request id 5"));
	assert_non_null(strstr(s, "[IPv4 bad checksum 0x5638]"));
	/* NHRP checksum */
	memcpy(buf, ip_nhrp, sizeof(buf));
	buf[20 + 8 + 12] ^= 0x01;
	s = run(DLT_RAW, buf, sizeof(buf), 0, false);
	assert_non_null(strstr(s, "ext [responder-address(C)"));
	assert_non_null(strstr(s, "[NHRP bad checksum 0xab37]"));
	/* snapshot length: the datagram is cut, NHRP then reports it */
	s = run(DLT_RAW, ip_nhrp, 60, sizeof(ip_nhrp), false);
	assert_string_equal(s, "1 192.168.200.3 > 192.168.200.1 GRE key 1000 NHRP malformed: "
	                       "ar$pktsz below 20 or beyond the data "
	                       "[IP datagram of 114 bytes, 60 captured]");
	/* the same cut without the capture saying so is an IP error */
	s = run(DLT_RAW, ip_nhrp, 60, 0, false);
	assert_string_equal(s, "1 IP malformed: truncated IP packet");
}

static void test_gre_checksum_and_keepalive(void **state)
{
	/* IPv4 / GRE with C bit (checksum wrong) carrying a keepalive reply */
	uint8_t p[] = {
	    0x45, 0, 0,  28, 0, 1, 0,    0, 64, 47, 0,    0,    10, 0,
	    0,    1, 10, 0,  0, 2, 0x80, 0, 0,  0,  0x12, 0x34, 0,  0,
	};
	uint16_t c = inet_csum(p, 20);
	const char *s;

	p[10] = (uint8_t)(c >> 8);
	p[11] = (uint8_t)c;
	s = run(DLT_RAW, p, sizeof(p), 0, false);
	assert_string_equal(s, "1 10.0.0.1 > 10.0.0.2 GRE csum 0x1234 keepalive-reply "
	                       "[GRE bad checksum 0x1234]");
	s = run(DLT_RAW, p, sizeof(p), 0, true);
	assert_non_null(strstr(s, "\"gre\":{\"flags\":{\"checksum\":true,"));
	assert_non_null(strstr(s, "\"keepalive\":\"reply\""));
}

/* IPv4 / UDP sport/dport with payload; returns the length. */
static size_t udp_pkt(uint8_t *b, uint16_t port, const void *pl, size_t len)
{
	size_t tot = 28 + len;
	uint16_t c;

	memset(b, 0, 28);
	b[0] = 0x45;
	b[2] = (uint8_t)(tot >> 8);
	b[3] = (uint8_t)tot;
	b[8] = 64;
	b[9] = 17;
	b[12] = 192, b[13] = 0, b[14] = 2, b[15] = 1;
	b[16] = 192, b[17] = 0, b[18] = 2, b[19] = 2;
	c = inet_csum(b, 20);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
	b[20] = b[22] = (uint8_t)(port >> 8);
	b[21] = b[23] = (uint8_t)port;
	b[24] = (uint8_t)((8 + len) >> 8);
	b[25] = (uint8_t)(8 + len);
	memcpy(b + 28, pl, len);
	return tot;
}

static void test_natt(void **state)
{
	static const uint8_t ka[] = {0xff};
	static const uint8_t esp[] = {0, 0, 0x10, 0, 0, 0, 0, 7, 1, 2, 3, 4};
	static const uint8_t bad_spi[] = {0, 0, 0, 9, 0, 0, 0, 7, 1, 2, 3, 4};
	uint8_t ike[4 + 28] = {0};
	uint8_t b[256];
	size_t n;

	n = udp_pkt(b, 4500, ka, sizeof(ka));
	assert_string_equal(run(DLT_RAW, b, n, 0, false),
	                    "1 192.0.2.1 > 192.0.2.2 UDP 4500 > 4500 NAT-keepalive");
	n = udp_pkt(b, 4500, esp, sizeof(esp));
	assert_string_equal(
	    run(DLT_RAW, b, n, 0, false),
	    "1 192.0.2.1 > 192.0.2.2 UDP 4500 > 4500 ESP spi 0x00001000 seq 7 len 12");
	assert_non_null(strstr(run(DLT_RAW, b, n, 0, true), "\"esp\":{\"spi\":4096,\"seq\":7,"));
	n = udp_pkt(b, 4500, bad_spi, sizeof(bad_spi));
	assert_string_equal(run(DLT_RAW, b, n, 0, false),
	                    "1 192.0.2.1 > 192.0.2.2 UDP 4500 > 4500 NAT-T malformed: ESP SPI in "
	                    "reserved range 1-255");
	/* IKE after the non-ESP marker: IKE_SA_INIT, no payloads */
	ike[4] = 0x11;
	ike[4 + 17] = 0x20;
	ike[4 + 18] = 34;
	ike[4 + 19] = 0x08;
	ike[4 + 27] = 28;
	n = udp_pkt(b, 4500, ike, sizeof(ike));
	assert_string_equal(run(DLT_RAW, b, n, 0, false),
	                    "1 192.0.2.1 > 192.0.2.2 UDP 4500 > 4500 IKE IKE_SA_INIT ispi "
	                    "1100000000000000 rspi 0000000000000000 msgid 0 initiator request "
	                    "len 28 []");
	assert_non_null(strstr(run(DLT_RAW, b, n, 0, true), "\"non_esp_marker\":true"));
	/* cut by the snapshot length inside the IKE header */
	assert_string_equal(run(DLT_RAW, b, n - 2, n + 100, false),
	                    "1 192.0.2.1 > 192.0.2.2 UDP 4500 > 4500 NAT-T malformed: IKE message "
	                    "shorter than its header [IP datagram of 60 bytes, 58 captured] "
	                    "[UDP datagram of 40 bytes, 38 captured]");
	/* the same message claiming to be longer */
	ike[4 + 27] = 40;
	n = udp_pkt(b, 4500, ike, sizeof(ike));
	assert_non_null(strstr(run(DLT_RAW, b, n, 0, false), "IKE malformed: "));
}

static void test_fragments(void **state)
{
	uint8_t b[64];
	size_t n;
	uint16_t c;

	n = udp_pkt(b, 500, "abcdefgh", 8);
	b[6] = 0x00;
	b[7] = 0x10; /* offset 16 * 8 = 128 */
	b[10] = b[11] = 0;
	c = inet_csum(b, 20);
	b[10] = (uint8_t)(c >> 8);
	b[11] = (uint8_t)c;
	assert_string_equal(run(DLT_RAW, b, n, 0, false),
	                    "1 192.0.2.1 > 192.0.2.2 frag id 0x0 off 128 UDP fragment len 16");
	assert_non_null(strstr(run(DLT_RAW, b, n, 0, true),
	                       "\"fragment\":{\"id\":0,\"offset\":128,\"more\":false}"));
}

static void test_json_nhrp(void **state)
{
	const char *s = run(DLT_RAW, ip_nhrp, sizeof(ip_nhrp), 0, true);

	assert_non_null(strstr(s, "{\"frame\":1,"));
	assert_non_null(strstr(s, "\"gre\":{"));
	assert_non_null(strstr(s, "\"protocol\":8193,\"protocol_name\":\"NHRP\",\"key\":1000"));
	assert_non_null(strstr(s, "\"nhrp\":{\"type\":\"resolution-request\",\"type_code\":1,"));
	assert_non_null(strstr(s, "\"src_nbma\":\"192.168.200.3\",\"src_proto\":\"10.255.255.3\","
	                          "\"dst_proto\":\"10.255.255.2\",\"request_id\":5,"));
	assert_non_null(strstr(s, "{\"type\":\"auth\",\"code\":7,\"compulsory\":true,"
	                          "\"length\":10,\"auth_type\":1,\"password\":\"secret\"}"));
	assert_non_null(strstr(s, "{\"type\":\"end\",\"code\":0,\"compulsory\":true,"));
}

static void test_decode_file(void **state)
{
	char path[1024], *buf = NULL;
	size_t len = 0;
	const char *dir = getenv("DMVPN_TESTDATA");
	FILE *out = open_memstream(&buf, &len);
	FILE *err = fopen("/dev/null", "w");

	snprintf(path, sizeof(path), "%s/captures/tcpdump/nhrp-trace.pcap",
	         dir ? dir : TOP_SRCDIR "/tests/testdata");
	assert_int_equal(decode_file(path, false, out, err), 0);
	fclose(out);
	assert_non_null(strstr(buf, "\n2 192.168.200.3 > 192.168.200.1 GRE key 1000 NHRP "
	                            "resolution-request id 5"));
	free(buf);
	out = fopen("/dev/null", "w");
	assert_int_equal(decode_file("/nonexistent/capture.pcap", true, out, err), 1);
	fclose(out);
	fclose(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_link_types),
	    cmocka_unit_test(test_link_errors),
	    cmocka_unit_test(test_checksum_repairs),
	    cmocka_unit_test(test_gre_checksum_and_keepalive),
	    cmocka_unit_test(test_natt),
	    cmocka_unit_test(test_fragments),
	    cmocka_unit_test(test_json_nhrp),
	    cmocka_unit_test(test_decode_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
