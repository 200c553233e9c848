/* IKEv2 codec against real captures (ike/payload.h): every IKE message in
 * the zeek, tcpdump and Wireshark IKEv2 captures decoded and checked against
 * facts from `tshark -V`, found legal, rebuilt byte for byte through the
 * builder, and truncated at every length without a crash or over-read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/ike.h"
#include "ike/payload.h"
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

static const char *testdata_dir(void)
{
	const char *env = getenv("DMVPN_TESTDATA");
	return env && *env ? env : TOP_SRCDIR "/tests/testdata";
}

/* Returns the IKE message inside one link-layer frame (UDP 500, or 4500
 * with the non-ESP marker stripped), or NULL. */
static const uint8_t *frame_ike(int dlt, const uint8_t *p, size_t len, size_t *ike_len)
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

static struct capture *capture_load(const char *rel)
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

static void capture_free(struct capture *c)
{
	for (unsigned i = 0; i < c->n; i++)
		free(c->m[i].data);
	free(c);
}

static const struct capmsg *capture_frame(const struct capture *c, unsigned frame)
{
	for (unsigned i = 0; i < c->n; i++)
		if (c->m[i].frame == frame)
			return &c->m[i];
	fail_msg("%s: frame %u has no IKE message", c->name, frame);
	return NULL;
}

static const char *const capture_files[] = {
    "zeek-plugin-ikev2/ikev2.pcap",
    "tcpdump/ikev2four.pcap",
    "tcpdump/ikev2pI2.pcap",
    "wireshark-test/ikev2-decrypt-3des-sha1_160.pcap",
    "wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap",
    "wireshark-test/ikev2-decrypt-aes128ccm12.pcap",
    "wireshark-test/ikev2-decrypt-aes192ctr.pcap",
    "wireshark-test/ikev2-decrypt-aes256cbc.pcapng",
    "wireshark-test/ikev2-decrypt-aes256ccm16.pcapng",
    "wireshark-test/ikev2-decrypt-aes256gcm16.pcap",
    "wireshark-test/ikev2-decrypt-aes256gcm8.pcap",
};

/* Facts from `tshark -T fields -e isakmp.ispi -e isakmp.rspi
 * -e isakmp.exchangetype -e isakmp.flags -e isakmp.messageid -e isakmp.length
 * -e isakmp.typepayload -e isakmp.notify.msgtype -e isakmp.nextpayload`
 * (top-level payload types only; inner = Next Payload of SK/SKF). */
struct fact {
	const char *file;
	unsigned frame;
	uint64_t ispi, rspi;
	uint8_t exchange, flags;
	uint32_t msgid, length;
	const char *payloads;
	const char *notifies;
	uint8_t inner;
};

static const struct fact facts[] = {
    {"zeek-plugin-ikev2/ikev2.pcap", 1, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x08, 0,
     894, "33 34 40 41 41 41 41 41", "16388 16389 16430 16431 16406", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 2, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x20, 0,
     38, "41", "17", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 3, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x08, 0,
     1214, "33 34 40 41 41 41 41 41", "16388 16389 16430 16431 16406", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 4, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 34, 0x20, 0,
     600, "33 34 40 41 41 41 41 41 41", "16388 16389 16430 16431 16418 16404", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 5, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x08, 1,
     1236, "53", "", 35},
    {"zeek-plugin-ikev2/ikev2.pcap", 6, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x08, 1,
     308, "53", "", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 7, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x20, 1,
     80, "46", "", 41},
    {"tcpdump/ikev2four.pcap", 1, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x08, 0, 376,
     "33 34 40 41 41", "16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 2, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x20, 0, 60,
     "41", "16390", 0},
    {"tcpdump/ikev2four.pcap", 3, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x08, 0, 408,
     "41 33 34 40 41 41", "16390 16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 4, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 34, 0x20, 0, 304,
     "33 34 40 41 41", "16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 5, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 35, 0x08, 1, 236,
     "46", "", 35},
    {"tcpdump/ikev2four.pcap", 6, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 35, 0x20, 1, 156,
     "46", "", 36},
    {"tcpdump/ikev2four.pcap", 7, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 2, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 8, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 3, 220,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 9, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 2, 76,
     "46", "", 41},
    {"tcpdump/ikev2four.pcap", 10, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 3, 76,
     "46", "", 41},
    {"tcpdump/ikev2four.pcap", 11, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 4, 284,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 12, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 5, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 13, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 4, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 14, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 5, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 15, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 6, 284,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 16, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 7, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 17, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 6, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 18, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 7, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 19, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 8, 364,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 20, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 8, 316,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 21, 0x1d9be9451d4f97a8ULL, 0x64a2a4b5d0e17b6aULL, 37, 0x08, 0, 92,
     "46", "", 42},
    {"tcpdump/ikev2pI2.pcap", 1, 0x0001020304050607ULL, 0x0000000000000000ULL, 34, 0x08, 0, 508,
     "33 34 40 43", "", 0},
    {"tcpdump/ikev2pI2.pcap", 2, 0x0001020304050607ULL, 0xc02e7a3031a03188ULL, 35, 0x08, 0, 284,
     "46", "", 35},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 1, 0x19ab98963486359fULL,
     0x0000000000000000ULL, 34, 0x08, 0, 428, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 2, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 34, 0x20, 0, 436, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 3, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 35, 0x08, 1, 252, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 4, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 35, 0x20, 1, 228, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 5, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 37, 0x08, 2, 76, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 6, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 37, 0x20, 2, 68, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 1, 0xa2926ae833c6f138ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 2, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 3, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 35, 0x08, 1, 241, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 4, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 35, 0x20, 1, 217, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 5, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 37, 0x08, 2, 61, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 6, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 37, 0x20, 2, 53, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 1, 0xea684d21597afd36ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 248, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 2, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 3, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 35, 0x08, 1, 241, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 4, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 35, 0x20, 1, 217, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 5, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 37, 0x08, 2, 61, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 6, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 37, 0x20, 2, 53, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 1, 0x81f24c0acd8fa55cULL, 0x0000000000000000ULL,
     34, 0x08, 0, 240, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 2, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     34, 0x20, 0, 248, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 3, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     35, 0x08, 1, 261, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 4, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     35, 0x20, 1, 237, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 5, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     37, 0x08, 2, 81, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 6, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     37, 0x20, 2, 73, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 1, 0x191ccd371a7a1f7bULL,
     0x0000000000000000ULL, 34, 0x08, 0, 256, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 2, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 34, 0x20, 0, 248, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 3, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 35, 0x08, 1, 256, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 4, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 35, 0x20, 1, 224, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 1, 0xcd7ae76304b277e2ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 2, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 3, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 35, 0x08, 1, 237, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 4, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 35, 0x20, 1, 213, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 1, 0x0158b8fb90b7623dULL,
     0x0000000000000000ULL, 34, 0x08, 0, 248, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 2, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 3, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 35, 0x08, 1, 245, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 4, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 35, 0x20, 1, 221, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 5, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 37, 0x00, 0, 65, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 6, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 37, 0x28, 0, 57, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 1, 0x5d48bfeeb7d574daULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 2, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 3, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 35, 0x08, 1, 237, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 4, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 35, 0x20, 1, 213, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 5, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 37, 0x00, 0, 57, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 6, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 37, 0x28, 0, 49, "46", "", 0},
};

static void types_str(const struct ike_msg *m, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < m->n; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? " " : "", m->pl[i].type);
}

static void notifies_str(const struct ike_msg *m, char *out, size_t cap)
{
	const struct ike_payload *p = NULL;
	size_t n = 0;

	out[0] = 0;
	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, p))) {
		struct ike_notify no;
		assert_int_equal(ike_notify_parse(&no, p), IKE_OK);
		n += (size_t)snprintf(out + n, cap - n, "%s%u", n ? " " : "", no.type);
	}
}

/* Every typed parser that applies must accept every payload of a real
 * message. */
static void parse_all_typed(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];
		struct ike_sa sa;
		struct ike_ke ke;
		struct ike_nonce no;
		struct ike_notify n;
		struct ike_vendor v;
		struct ike_skf f;

		switch (p->type) {
		case IKE_PL_SA:
			assert_int_equal(ike_sa_parse(&sa, p), IKE_OK);
			break;
		case IKE_PL_KE:
			assert_int_equal(ike_ke_parse(&ke, p), IKE_OK);
			break;
		case IKE_PL_NONCE:
			assert_int_equal(ike_nonce_parse(&no, p), IKE_OK);
			break;
		case IKE_PL_NOTIFY:
			assert_int_equal(ike_notify_parse(&n, p), IKE_OK);
			break;
		case IKE_PL_VENDOR:
			assert_int_equal(ike_vendor_parse(&v, p), IKE_OK);
			break;
		case IKE_PL_SKF:
			assert_int_equal(ike_skf_parse(&f, p), IKE_OK);
			break;
		default:
			break;
		}
	}
}

static void test_capture_facts(void **state)
{
	unsigned checked = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);
		unsigned in_file = 0;

		for (size_t i = 0; i < ARRAY_SIZE(facts); i++) {
			const struct fact *f = &facts[i];
			const struct capmsg *cm;
			struct ike_msg m;
			char buf[256];
			uint8_t bad = 0;
			int rc;

			if (strcmp(f->file, capture_files[fi]))
				continue;
			in_file++;
			cm = capture_frame(c, f->frame);
			rc = ike_msg_parse(&m, cm->data, cm->len);
			if (rc)
				fail_msg("%s #%u: %s", f->file, f->frame, ike_strerror(rc));
			assert_int_equal(m.hdr.ispi, f->ispi);
			assert_int_equal(m.hdr.rspi, f->rspi);
			assert_int_equal(m.hdr.exchange, f->exchange);
			assert_int_equal(m.hdr.flags, f->flags);
			assert_int_equal(m.hdr.msgid, f->msgid);
			assert_int_equal(m.hdr.length, f->length);
			assert_int_equal(m.hdr.version, 0x20);
			types_str(&m, buf, sizeof(buf));
			assert_string_equal(buf, f->payloads);
			notifies_str(&m, buf, sizeof(buf));
			assert_string_equal(buf, f->notifies);
			if (m.sk >= 0) {
				assert_int_equal(m.sk, (int)m.n - 1);
				assert_int_equal(m.sk_inner, f->inner);
				assert_int_equal(m.sk_off, m.pl[m.sk].off);
				assert_int_equal(m.sk_off + 4 + m.pl[m.sk].len, cm->len);
			}
			parse_all_typed(&m);
			/* Every real message is legal (outer part). */
			rc = ike_legal_check(&m, m.hdr.exchange, ike_hdr_is_response(&m.hdr), false,
			                     &bad);
			if (rc)
				fail_msg("%s #%u: %s (%s)", f->file, f->frame, ike_strerror(rc),
				         ike_payload_name(bad));
			checked++;
		}
		/* Every IKE message of the file is in the table. */
		assert_int_equal(in_file, c->n);
		capture_free(c);
	}
	assert_int_equal(checked, ARRAY_SIZE(facts));
}

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
static void test_capture_zeek(void **state)
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
static void test_capture_four(void **state)
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
static void test_capture_pi2(void **state)
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

/* Rebuilding every real message payload by payload through the builder
 * gives back the same bytes; so does rebuilding the IKE_SA_INIT payloads
 * with the typed builders. */
static void rebuild_generic(const struct ike_msg *m)
{
	uint8_t *out = malloc(m->len + 16);
	struct ike_builder b;
	struct writer w;

	assert_non_null(out);
	wr_init(&w, out, m->len + 16);
	ike_builder_init(&b, &w, &m->hdr);
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];

		if (p->type == IKE_PL_SK) {
			assert_int_equal(ike_sk_begin(&b, p->next), IKE_OK);
			if (p->critical) /* ikev2pI2 frame 2 */
				out[b.pl_off + 1] |= 0x80;
			wr_bytes(&w, p->body, p->len);
			assert_int_equal(ike_builder_end(&b), IKE_OK);
		} else if (p->type == IKE_PL_SKF) {
			struct ike_skf f;
			assert_int_equal(ike_skf_parse(&f, p), IKE_OK);
			assert_int_equal(ike_skf_begin(&b, p->next, f.num, f.total), IKE_OK);
			wr_bytes(&w, f.data, f.len);
			assert_int_equal(ike_builder_end(&b), IKE_OK);
		} else {
			assert_int_equal(
			    ike_payload_build(&b, p->type, p->critical, p->body, p->len), IKE_OK);
		}
	}
	assert_int_equal(ike_builder_finish(&b), (int)m->len);
	assert_memory_equal(out, m->buf, m->len);
	free(out);
}

static void rebuild_typed(const struct ike_msg *m)
{
	uint8_t *out = malloc(m->len + 16);
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_builder b;
	struct writer w;

	assert_non_null(out);
	assert_non_null(sa);
	wr_init(&w, out, m->len + 16);
	ike_builder_init(&b, &w, &m->hdr);
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];
		struct ike_ke ke;
		struct ike_nonce no;
		struct ike_notify n;
		struct ike_vendor v;

		switch (p->type) {
		case IKE_PL_SA:
			assert_int_equal(ike_sa_parse(sa, p), IKE_OK);
			assert_int_equal(ike_sa_build(&b, sa), IKE_OK);
			break;
		case IKE_PL_KE:
			assert_int_equal(ike_ke_parse(&ke, p), IKE_OK);
			assert_int_equal(ike_ke_build(&b, ke.group, ke.data, ke.len), IKE_OK);
			break;
		case IKE_PL_NONCE:
			assert_int_equal(ike_nonce_parse(&no, p), IKE_OK);
			assert_int_equal(ike_nonce_build(&b, no.data, no.len), IKE_OK);
			break;
		case IKE_PL_NOTIFY:
			assert_int_equal(ike_notify_parse(&n, p), IKE_OK);
			assert_int_equal(ike_notify_build(&b, n.protocol, n.spi, n.spi_size, n.type,
			                                  n.data, n.len),
			                 IKE_OK);
			break;
		case IKE_PL_VENDOR:
			assert_int_equal(ike_vendor_parse(&v, p), IKE_OK);
			assert_int_equal(ike_vendor_build(&b, v.data, v.len), IKE_OK);
			break;
		default:
			fail_msg("unexpected payload %u in IKE_SA_INIT", p->type);
		}
		if (p->critical) /* ikev2pI2 sets it on SA and Nonce */
			out[b.pl_off + 1] |= 0x80;
	}
	assert_int_equal(ike_builder_finish(&b), (int)m->len);
	assert_memory_equal(out, m->buf, m->len);
	free(sa);
	free(out);
}

static void test_capture_rebuild(void **state)
{
	unsigned n = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);

		for (unsigned i = 0; i < c->n; i++) {
			struct ike_msg m;

			assert_int_equal(ike_msg_parse(&m, c->m[i].data, c->m[i].len), IKE_OK);
			rebuild_generic(&m);
			if (m.hdr.exchange == IKE_SA_INIT)
				rebuild_typed(&m);
			n++;
		}
		capture_free(c);
	}
	assert_int_equal(n, ARRAY_SIZE(facts));
}

/* Runs every typed parser over a payload view; only absence of crashes and
 * over-reads (under ASan) is checked. */
static void typed_any(const struct ike_payload *p)
{
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert ce;
	struct ike_auth au;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_vendor v;
	struct ike_ts_list ts;
	struct ike_skf f;
	struct ike_cp cp;
	struct ike_eap e;
	struct ike_payload q = *p;

	assert_non_null(sa);
	/* Every parser on every type: the wrong ones must say WRONG_TYPE. */
	for (unsigned t = IKE_PL_SA; t <= IKE_PL_SKF; t++) {
		q.type = (uint8_t)t;
		(void)ike_sa_parse(sa, &q);
		(void)ike_ke_parse(&ke, &q);
		(void)ike_id_parse(&id, &q);
		(void)ike_cert_parse(&ce, &q);
		(void)ike_certreq_parse(&ce, &q);
		(void)ike_auth_parse(&au, &q);
		(void)ike_nonce_parse(&no, &q);
		if (ike_notify_parse(&n, &q) == IKE_OK)
			(void)ike_notify_ke_group(&n);
		if (ike_delete_parse(&d, &q) == IKE_OK)
			for (unsigned i = 0; i <= d.nspi; i++)
				(void)ike_delete_spi(&d, i);
		(void)ike_vendor_parse(&v, &q);
		(void)ike_ts_parse(&ts, &q);
		(void)ike_skf_parse(&f, &q);
		(void)ike_cp_parse(&cp, &q);
		(void)ike_eap_parse(&e, &q);
	}
	q.type = IKE_PL_KE;
	assert_int_equal(ike_sa_parse(sa, &q), IKE_ERR_WRONG_TYPE);
	free(sa);
}

static void test_capture_truncations(void **state)
{
	size_t tried = 0, total = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);

		for (unsigned i = 0; i < c->n; i++) {
			const struct capmsg *cm = &c->m[i];
			struct ike_msg full;

			total += cm->len;
			assert_int_equal(ike_msg_parse(&full, cm->data, cm->len), IKE_OK);
			for (size_t l = 0; l < cm->len; l++) {
				uint8_t *t = malloc(l ? l : 1);
				struct ike_msg m;

				assert_non_null(t);
				memcpy(t, cm->data, l);
				/* As received: the header length no longer matches. */
				assert_int_not_equal(ike_msg_parse(&m, t, l), IKE_OK);
				/* With the header length patched: the chain is cut. */
				if (l >= IKE_HDR_LEN) {
					t[24] = (uint8_t)(l >> 24);
					t[25] = (uint8_t)(l >> 16);
					t[26] = (uint8_t)(l >> 8);
					t[27] = (uint8_t)l;
					assert_int_not_equal(ike_msg_parse(&m, t, l), IKE_OK);
					for (unsigned k = 0; k < m.n; k++)
						typed_any(&m.pl[k]);
					(void)ike_legal_check(&m, m.hdr.exchange, true, false,
					                      NULL);
				}
				free(t);
				tried++;
			}
			/* Every payload body cut at every length. */
			for (unsigned k = 0; k < full.n; k++) {
				for (size_t l = 0; l <= full.pl[k].len; l++) {
					struct ike_payload p = full.pl[k];
					uint8_t *body = malloc(l ? l : 1);

					assert_non_null(body);
					memcpy(body, p.body, l);
					p.body = body;
					p.len = (uint16_t)l;
					typed_any(&p);
					free(body);
				}
			}
		}
		capture_free(c);
	}
	assert_int_equal(tried, total);
	assert_true(total > 15000);
}

int main(void)
{
	char dir[512];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capture_facts),   cmocka_unit_test(test_capture_zeek),
	    cmocka_unit_test(test_capture_four),    cmocka_unit_test(test_capture_pi2),
	    cmocka_unit_test(test_capture_rebuild), cmocka_unit_test(test_capture_truncations),
	};

	snprintf(dir, sizeof(dir), "%s/captures/zeek-plugin-ikev2/ikev2.pcap", testdata_dir());
	if (access(dir, R_OK) != 0) {
		fprintf(stderr, "SKIP: no test data at %s (set DMVPN_TESTDATA)\n", dir);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
