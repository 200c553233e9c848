/* Shared by the two files of tests/unit/test_ike_capture (one program):
 * reading the IKE messages out of the captures under tests/testdata/
 * captures (a tiny test-only frame walker). test_ike_capture.c has the
 * facts, rebuild and truncation tests and main; test_ike_capture_exchanges.c
 * has the exchange-by-exchange tests declared at the end of this header. */
#ifndef DMVPN_TESTS_IKE_CAPTURE_HARNESS_H
#define DMVPN_TESTS_IKE_CAPTURE_HARNESS_H

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

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif

/* ---- capture reading: a tiny test-only frame walker ---- */

#define MAX_MSGS 64

struct capmsg {
	unsigned frame;
	uint8_t *data; /* malloc'd to the exact length, so ASan sees over-reads */
	size_t len;
};

struct capture {
	const char *name;
	unsigned n;
	struct capmsg m[MAX_MSGS];
};

static inline const char *testdata_dir(void)
{
	const char *env = getenv("DMVPN_TESTDATA");
	return env && *env ? env : TOP_SRCDIR "/tests/testdata";
}

/* Returns the IKE message inside one link-layer frame (UDP 500, or 4500
 * with the non-ESP marker stripped), or NULL. */
static inline const uint8_t *frame_ike(int dlt, const uint8_t *p, size_t len, size_t *ike_len)
{
	size_t off = 0;
	unsigned ver;
	const uint8_t *udp;
	size_t ulen;
	uint16_t sport, dport;

	if (dlt == DLT_EN10MB) {
		uint16_t et;
		if (len < 14)
			return NULL;
		et = (uint16_t)(p[12] << 8 | p[13]);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && len >= off + 4) {
			et = (uint16_t)(p[off + 2] << 8 | p[off + 3]);
			off += 4;
		}
		if (et != 0x0800 && et != 0x86dd)
			return NULL;
	} else if (dlt == DLT_NULL || dlt == DLT_LOOP) {
		off = 4; /* address family in either byte order; look at the IP version */
	} else if (dlt == DLT_LINUX_SLL) {
		off = 16;
	} else if (dlt != DLT_RAW) {
		return NULL;
	}
	if (len < off + 1)
		return NULL;
	ver = p[off] >> 4;
	if (ver == 4) {
		size_t ihl = (size_t)(p[off] & 15) * 4, tot;
		if (len < off + 20 || ihl < 20 || p[off + 9] != 17)
			return NULL;
		if ((p[off + 6] & 0x3f) || p[off + 7]) /* a fragment */
			return NULL;
		tot = (size_t)(p[off + 2] << 8 | p[off + 3]);
		if (tot < ihl || off + tot > len)
			return NULL;
		len = off + tot;
		off += ihl;
	} else if (ver == 6) {
		if (len < off + 40 || p[off + 6] != 17)
			return NULL;
		off += 40;
	} else {
		return NULL;
	}
	if (len < off + 8)
		return NULL;
	udp = p + off;
	sport = (uint16_t)(udp[0] << 8 | udp[1]);
	dport = (uint16_t)(udp[2] << 8 | udp[3]);
	ulen = (size_t)(udp[4] << 8 | udp[5]);
	if (ulen < 8 || off + ulen > len)
		return NULL;
	udp += 8;
	ulen -= 8;
	if (sport == IKE_NATT_PORT || dport == IKE_NATT_PORT) {
		if (ulen < 4 || udp[0] || udp[1] || udp[2] || udp[3])
			return NULL; /* ESP or NAT keepalive */
		udp += 4;
		ulen -= 4;
	} else if (sport != IKE_PORT && dport != IKE_PORT) {
		return NULL;
	}
	*ike_len = ulen;
	return udp;
}

static inline struct capture *capture_load(const char *rel)
{
	char path[512], errbuf[PCAP_ERRBUF_SIZE];
	struct capture *c = calloc(1, sizeof(*c));
	struct pcap_pkthdr *h;
	const u_char *pkt;
	unsigned frame = 0;
	pcap_t *pc;

	assert_non_null(c);
	c->name = rel;
	snprintf(path, sizeof(path), "%s/captures/%s", testdata_dir(), rel);
	pc = pcap_open_offline(path, errbuf);
	if (!pc)
		fail_msg("cannot open %s: %s", path, errbuf);
	while (pcap_next_ex(pc, &h, &pkt) == 1) {
		size_t ilen;
		const uint8_t *ike;

		frame++;
		ike = frame_ike(pcap_datalink(pc), pkt, h->caplen, &ilen);
		if (!ike || c->n >= MAX_MSGS)
			continue;
		c->m[c->n].frame = frame;
		c->m[c->n].len = ilen;
		c->m[c->n].data = malloc(ilen ? ilen : 1);
		assert_non_null(c->m[c->n].data);
		memcpy(c->m[c->n].data, ike, ilen);
		c->n++;
	}
	pcap_close(pc);
	return c;
}

static inline void capture_free(struct capture *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->m[i].data);
	free(c);
}

static inline const struct capmsg *capture_frame(const struct capture *c, unsigned frame)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->m[i].frame == frame)
			return &c->m[i];
	fail_msg("%s: frame %u has no IKE message", c->name, frame);
	return NULL;
}

/* test_ike_capture_exchanges.c */
void test_capture_zeek(void **state);
void test_capture_four(void **state);
void test_capture_pi2(void **state);

#endif
