/* Shared by the two files of tests/unit/test_nhrp (one program): the
 * captures under tests/testdata/captures and a test-only frame walker that
 * takes the NHRP packets out of them. test_nhrp.c has the capture facts,
 * round trips and main; test_nhrp_reject.c has the rejection tests declared
 * at the end of this header. */
#ifndef DMVPN_TESTS_NHRP_CODEC_HARNESS_H
#define DMVPN_TESTS_NHRP_CODEC_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- test-only frame walker: Ethernet / 802.1Q / IPv4 / GRE or IP 54 ---- */

#define MAX_FRAMES 32

struct nhrp_frame {
	uint8_t b[2048];
	size_t len; /* NHRP bytes (GRE payload, bounded by the IP total length) */
};

static inline const char *testdata(void)
{
	const char *e = getenv("DMVPN_TESTDATA");
	return e && *e ? e : TOP_SRCDIR "/tests/testdata";
}

/* Extracts the NHRP payload of a frame; false when the frame has none. */
static inline bool frame_nhrp(const uint8_t *d, size_t n, struct nhrp_frame *out)
{
	size_t off = 14, ihl, ip_end, gre_len = 4;
	uint16_t et, flags;

	if (n < 14)
		return false;
	et = (uint16_t)(d[12] << 8 | d[13]);
	while (et == 0x8100 && n >= off + 4) {
		et = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
		off += 4;
	}
	if (et != 0x0800 || n < off + 20 || (d[off] >> 4) != 4)
		return false;
	ihl = (size_t)(d[off] & 0xf) * 4;
	ip_end = off + (size_t)(d[off + 2] << 8 | d[off + 3]);
	if (ip_end > n)
		ip_end = n;
	if (ihl < 20 || off + ihl > ip_end)
		return false;
	if (d[off + 9] == 54) { /* NHRP directly over IP */
		off += ihl;
	} else if (d[off + 9] == 47) {
		off += ihl;
		if (ip_end < off + 4)
			return false;
		flags = (uint16_t)(d[off] << 8 | d[off + 1]);
		if ((uint16_t)(d[off + 2] << 8 | d[off + 3]) != 0x2001)
			return false;
		gre_len +=
		    (flags & 0x8000 ? 4 : 0) + (flags & 0x2000 ? 4 : 0) + (flags & 0x1000 ? 4 : 0);
		off += gre_len;
		if (off > ip_end)
			return false;
	} else {
		return false;
	}
	out->len = ip_end - off;
	if (out->len > sizeof(out->b))
		return false;
	memcpy(out->b, d + off, out->len);
	return true;
}

/* Loads every NHRP packet of a capture (relative to captures/). */
static inline int load(const char *rel, struct nhrp_frame *fr, int max)
{
	char path[512], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/captures/%s", testdata(), rel);
	p = pcap_open_offline(path, err);
	if (!p)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (n < max && pcap_next_ex(p, &h, &d) == 1)
		if (frame_nhrp(d, h->caplen, &fr[n]))
			n++;
	pcap_close(p);
	return n;
}

/* The captures: how many NHRP packets each holds, and its authentication
 * password. */
static const struct {
	const char *file;
	int count;
	const char *password;
} files[] = {
    {"tcpdump/nhrp-trace.pcap", 4, "secret"},
    {"tcpdump/NHRP_registration.pcap", 4, "NHRPAUTH"},
    {"tcpdump/NHRP-responder-address.pcap", 2, "NHRPAUTH"},
    {"tcpdump/nhrp.pcapng", 25, "OTUS"},
    {"tcpdump/ios_nhrp.pcap", 1, "CISCO"},
};

/* test_nhrp_reject.c */
void test_pb_nhrp_1(void **state);
void test_truncations(void **state);
void test_bitflips(void **state);
void test_checksum(void **state);
void test_named_errors(void **state);
void test_unknown_extensions(void **state);
void test_build_errors(void **state);
void test_packet_eq(void **state);
void test_names(void **state);

#endif
