/* Unit tests: IPv4/IPv6/UDP parsers, IP header and ICMP too-big builders;
 * every IP packet of the real captures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"
#include "lib/writer.h"
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

/* ---- helpers --------------------------------------------------------- */

static struct ipaddr addr(const char *s)
{
	struct ipaddr a;
	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

/* IP header + payload into buf; returns the length. */
static size_t mkpkt(uint8_t *buf, size_t cap, const char *src, const char *dst, uint8_t proto,
                    const void *payload, size_t plen)
{
	struct ip_tmpl t = {0};
	struct writer w;

	t.src = addr(src);
	t.dst = addr(dst);
	t.proto = proto;
	t.id = 0x1234;
	t.df = true;
	t.tos = 0x10;
	t.flow_label = 0xabcde;
	wr_init(&w, buf, cap);
	assert_int_equal(ip_hdr_build(&w, &t, plen), 0);
	wr_bytes(&w, payload, plen);
	assert_true(wr_ok(&w));
	return wr_len(&w);
}

static void refill_v4_csum(uint8_t *p)
{
	size_t ihl = (size_t)(p[0] & 15) * 4;
	p[10] = p[11] = 0;
	uint16_t s = inet_csum(p, ihl);
	p[10] = (uint8_t)(s >> 8);
	p[11] = (uint8_t)s;
}

/* ---- IPv4 ------------------------------------------------------------ */

static void test_ipv4_roundtrip(void **state)
{
	uint8_t buf[128], pl[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
	struct ip_info ip;
	size_t n;
	(void)state;

	n = mkpkt(buf, sizeof(buf), "198.18.0.1", "198.18.0.2", IPPROTO_NUM_UDP, pl, sizeof(pl));
	assert_int_equal(n, 30);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.version, 4);
	assert_int_equal(ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.tos, 0x10);
	assert_int_equal(ip.id, 0x1234);
	assert_true(ip.df);
	assert_false(ip.mf);
	assert_false(ip.is_fragment);
	assert_int_equal(ip.hdr_len, 20);
	assert_int_equal(ip.tot_len, 30);
	struct ipaddr s = addr("198.18.0.1"), d = addr("198.18.0.2");
	assert_true(ipaddr_eq(&ip.src, &s));
	assert_true(ipaddr_eq(&ip.dst, &d));
	assert_ptr_equal(ip.payload, buf + 20);
	assert_int_equal(ip.payload_len, 10);
	/* link-layer padding after the total length is excluded */
	memset(buf + n, 0xee, 16);
	assert_int_equal(ip_parse(&ip, buf, n + 16), 0);
	assert_int_equal(ip.payload_len, 10);
	/* options: IHL 6 */
	uint8_t opt[64];
	memcpy(opt, buf, 20);
	opt[0] = 0x46;
	opt[3] = 24 + 10;
	memset(opt + 20, 1, 4); /* NOPs */
	memcpy(opt + 24, pl, 10);
	refill_v4_csum(opt);
	assert_int_equal(ipv4_parse(&ip, opt, 34), 0);
	assert_int_equal(ip.hdr_len, 24);
	assert_int_equal(ip.payload[0], 1);
	/* fragments */
	buf[6] = 0x20; /* MF */
	buf[7] = 0;
	refill_v4_csum(buf);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_true(ip.mf && ip.is_fragment && !ip.df);
	assert_int_equal(ip.frag_off, 0);
	buf[6] = 0x00;
	buf[7] = 0x10; /* offset 16 * 8 = 128 */
	refill_v4_csum(buf);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_true(!ip.mf && ip.is_fragment);
	assert_int_equal(ip.frag_off, 128);
}

static void test_ipv4_errors(void **state)
{
	uint8_t buf[64], pl[10] = {0};
	struct ip_info ip;
	size_t n;
	(void)state;

	n = mkpkt(buf, sizeof(buf), "198.18.0.1", "198.18.0.2", IPPROTO_NUM_UDP, pl, sizeof(pl));
	assert_int_equal(ip_parse(&ip, buf, 0), IP_E_TRUNCATED);
	assert_int_equal(ip_parse(&ip, NULL, 0), IP_E_TRUNCATED);
	for (size_t k = 1; k < 20; k++)
		assert_int_equal(ip_parse(&ip, buf, k), IP_E_TRUNCATED);
	assert_int_equal(ip_parse(&ip, buf, n - 1), IP_E_TRUNCATED); /* total length */
	buf[0] = 0x55;
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_VERSION);
	assert_int_equal(ipv6_parse(&ip, buf, n), IP_E_VERSION);
	buf[0] = 0x44;
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_IHL);
	buf[0] = 0x4f; /* 60-byte header in a 30-byte packet */
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_TOTLEN);
	buf[3] = 60;
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_TRUNCATED);
	buf[0] = 0x45;
	buf[3] = 19;
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_TOTLEN);
	buf[3] = 30;
	buf[8] ^= 0x40; /* TTL changed, checksum not */
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_CHECKSUM);
	buf[8] ^= 0x40;
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	buf[6] = 0x1f; /* offset 8191*8 + 10 > 65535 */
	buf[7] = 0xff;
	refill_v4_csum(buf);
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_FRAG_OVERFLOW);
}

/* ---- IPv6 ------------------------------------------------------------ */

/* IPv6 header + chain: each ext header given as (type, 8-byte body with
 * the next-header byte filled automatically). */
static size_t mk6(uint8_t *buf, const uint8_t *types, size_t ntypes, uint8_t upper,
                  const uint8_t *frag, size_t tail)
{
	size_t off = 40;

	memset(buf, 0, 40);
	buf[0] = 0x60;
	buf[6] = ntypes ? types[0] : upper;
	buf[7] = 9;
	buf[8] = 0x20;
	buf[23] = 1;
	buf[24] = 0x20;
	buf[39] = 2;
	for (size_t i = 0; i < ntypes; i++) {
		memset(buf + off, 0, 8);
		buf[off] = i + 1 < ntypes ? types[i + 1] : upper;
		if (types[i] == IPPROTO_NUM_FRAGMENT && frag)
			memcpy(buf + off + 2, frag, 6);
		off += 8;
	}
	memset(buf + off, 0xab, tail);
	off += tail;
	buf[4] = (uint8_t)((off - 40) >> 8);
	buf[5] = (uint8_t)(off - 40);
	return off;
}

static void test_ipv6_ext(void **state)
{
	static const uint8_t chain[] = {IPPROTO_NUM_HOPOPTS, IPPROTO_NUM_DSTOPTS,
	                                IPPROTO_NUM_ROUTING, IPPROTO_NUM_FRAGMENT,
	                                IPPROTO_NUM_DSTOPTS};
	static const uint8_t first[] = {0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe}; /* off 0, M */
	static const uint8_t later[] = {0x05, 0xa8, 0xca, 0xfe, 0xba, 0xbe}; /* off 1448 */
	uint8_t buf[256];
	struct ip_info ip;
	size_t n;
	(void)state;

	n = mk6(buf, chain, 5, IPPROTO_NUM_UDP, first, 12);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.version, 6);
	assert_int_equal(ip.proto, IPPROTO_NUM_UDP);
	assert_int_equal(ip.hdr_len, 80);
	assert_int_equal(ip.payload_len, 12);
	assert_int_equal(ip.ttl, 9);
	assert_true(ip.frag_hdr && ip.mf && ip.is_fragment);
	assert_int_equal(ip.frag_off, 0);
	assert_int_equal(ip.id, 0xcafebabe);
	struct ipaddr s = addr("2000::1");
	assert_true(ipaddr_eq(&ip.src, &s));
	/* non-first fragment: the walk stops at the fragment header */
	n = mk6(buf, chain, 5, IPPROTO_NUM_UDP, later, 12);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.frag_off, 1448);
	assert_false(ip.mf);
	assert_int_equal(ip.proto, IPPROTO_NUM_DSTOPTS); /* next header after fragment */
	assert_int_equal(ip.hdr_len, 72);
	/* bigger extension header (hdr ext len 1 = 16 bytes) */
	n = mk6(buf, chain, 1, IPPROTO_NUM_GRE, NULL, 20);
	buf[41] = 1; /* hop-by-hop now 16 bytes: GRE starts 8 bytes later */
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.proto, buf[40]);
	assert_int_equal(ip.hdr_len, 56);
	/* ESP / AH / no next header end the walk */
	n = mk6(buf, NULL, 0, IPPROTO_NUM_ESP, NULL, 16);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.proto, IPPROTO_NUM_ESP);
	assert_int_equal(ip.payload_len, 16);
	/* traffic class and flow label */
	buf[0] = 0x6a;
	buf[1] = 0xbc;
	buf[2] = 0xde;
	buf[3] = 0xf0;
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	assert_int_equal(ip.tos, 0xab);
	assert_int_equal(ip.flow_label, 0xcdef0);
}

static void test_ipv6_errors(void **state)
{
	static const uint8_t hbh2[] = {IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_HOPOPTS};
	static const uint8_t many[9] = {
	    IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS,
	    IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS,
	    IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS, IPPROTO_NUM_DSTOPTS};
	static const uint8_t fragonly[] = {IPPROTO_NUM_FRAGMENT};
	static const uint8_t overflow[] = {0xff, 0xf8, 0, 0, 0, 1};
	uint8_t buf[256];
	struct ip_info ip;
	size_t n;
	(void)state;

	n = mk6(buf, hbh2, 2, IPPROTO_NUM_UDP, NULL, 8);
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_EXT_ORDER);
	n = mk6(buf, many, 8, IPPROTO_NUM_UDP, NULL, 8);
	assert_int_equal(ip_parse(&ip, buf, n), 0);
	n = mk6(buf, many, 9, IPPROTO_NUM_UDP, NULL, 8);
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_EXT_TOO_MANY);
	n = mk6(buf, many, 1, IPPROTO_NUM_UDP, NULL, 0);
	buf[41] = 1; /* claims 16 bytes, 8 there */
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_EXT_TRUNCATED);
	n = mk6(buf, many, 1, IPPROTO_NUM_UDP, NULL, 0);
	buf[5] = 1; /* payload length 1: not even the next-header/length pair */
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_EXT_TRUNCATED);
	n = mk6(buf, fragonly, 1, IPPROTO_NUM_UDP, NULL, 0);
	buf[5] = 7;
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_EXT_TRUNCATED);
	n = mk6(buf, fragonly, 1, IPPROTO_NUM_UDP, overflow, 8);
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_FRAG_OVERFLOW);
	n = mk6(buf, NULL, 0, IPPROTO_NUM_HOPOPTS, NULL, 0);
	assert_int_equal(ip_parse(&ip, buf, n), IP_E_JUMBO);
	n = mk6(buf, NULL, 0, IPPROTO_NUM_UDP, NULL, 8);
	assert_int_equal(ip_parse(&ip, buf, n - 1), IP_E_TRUNCATED);
	assert_int_equal(ip_parse(&ip, buf, 39), IP_E_TRUNCATED);
	assert_int_equal(ipv4_parse(&ip, buf, n), IP_E_VERSION);
	assert_int_equal(ipv6_parse(&ip, buf, 0), IP_E_TRUNCATED);
	assert_int_equal(ipv4_parse(&ip, buf, 0), IP_E_TRUNCATED);
}

/* ---- UDP ------------------------------------------------------------- */

static size_t mkudp(uint8_t *buf, const char *src, const char *dst, size_t plen, bool csum)
{
	uint8_t seg[64] = {0};
	struct ipaddr s = addr(src), d = addr(dst);
	size_t n;

	seg[0] = 0x11;
	seg[1] = 0x94; /* 4500 */
	seg[2] = 0x01;
	seg[3] = 0xf4; /* 500 */
	seg[4] = 0;
	seg[5] = (uint8_t)(8 + plen);
	for (size_t i = 0; i < plen; i++)
		seg[8 + i] = (uint8_t)(i * 7 + 1);
	if (csum) {
		uint16_t c = ip_pseudo_csum(&s, &d, IPPROTO_NUM_UDP, seg, 8 + plen);
		seg[6] = (uint8_t)(c >> 8);
		seg[7] = (uint8_t)c;
	}
	n = mkpkt(buf, 128, src, dst, IPPROTO_NUM_UDP, seg, 8 + plen);
	return n;
}

static void test_udp(void **state)
{
	static const char *const fam[][2] = {{"198.18.0.1", "198.18.0.2"},
	                                     {"2001:db8::1", "2001:db8::2"}};
	uint8_t buf[128];
	struct ip_info ip;
	struct udp_info u;
	size_t n;
	(void)state;

	for (int f = 0; f < 2; f++) {
		for (size_t plen = 0; plen < 6; plen++) { /* odd and even lengths */
			n = mkudp(buf, fam[f][0], fam[f][1], plen, true);
			assert_int_equal(ip_parse(&ip, buf, n), 0);
			assert_int_equal(udp_parse(&u, ip.payload, ip.payload_len), 0);
			assert_int_equal(u.sport, 4500);
			assert_int_equal(u.dport, 500);
			assert_int_equal(u.len, 8 + plen);
			assert_int_equal(u.payload_len, plen);
			assert_int_equal(udp_csum_check(&ip, &u), 0);
			if (plen) {
				buf[n - 1] ^= 0x10;
				assert_int_equal(udp_csum_check(&ip, &u), IP_E_UDP_CHECKSUM);
			}
		}
		/* checksum 0: "none" over IPv4, invalid over IPv6 */
		n = mkudp(buf, fam[f][0], fam[f][1], 4, false);
		assert_int_equal(ip_parse(&ip, buf, n), 0);
		assert_int_equal(udp_parse(&u, ip.payload, ip.payload_len), 0);
		assert_int_equal(udp_csum_check(&ip, &u), f == 0 ? 0 : IP_E_UDP_CHECKSUM);
		/* u not parsed from ip */
		struct udp_info u2 = u;
		u2.payload++;
		assert_int_equal(udp_csum_check(&ip, &u2), IP_E_INVAL);
	}
	/* errors */
	uint8_t seg[16] = {0, 1, 0, 2, 0, 12, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
	for (size_t k = 0; k < 8; k++)
		assert_int_equal(udp_parse(&u, seg, k), IP_E_UDP_TRUNCATED);
	assert_int_equal(udp_parse(&u, seg, 11), IP_E_UDP_TRUNCATED);
	assert_int_equal(udp_parse(&u, seg, 16), 0);
	assert_int_equal(u.payload_len, 4); /* data beyond the UDP length excluded */
	seg[5] = 7;
	assert_int_equal(udp_parse(&u, seg, 16), IP_E_UDP_LEN);
}

/* ---- builders -------------------------------------------------------- */

static void test_hdr_build_errors(void **state)
{
	struct ip_tmpl t = {0};
	uint8_t buf[64];
	struct writer w;
	(void)state;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(ip_hdr_build(&w, &t, 0), IP_E_INVAL);
	t.src = addr("198.18.0.1");
	t.dst = addr("2001:db8::1");
	assert_int_equal(ip_hdr_build(&w, &t, 0), IP_E_INVAL);
	t.dst = addr("198.18.0.2");
	assert_int_equal(ip_hdr_build(&w, &t, 65516), IP_E_INVAL);
	assert_int_equal(ip_hdr_build(&w, &t, 65515), 0);
	wr_init(&w, buf, 19);
	assert_int_equal(ip_hdr_build(&w, &t, 0), IP_E_NOSPACE);
	t.src = addr("::1");
	t.dst = addr("::2");
	wr_init(&w, buf, 39);
	assert_int_equal(ip_hdr_build(&w, &t, 0), IP_E_NOSPACE);
	wr_init(&w, buf, 40);
	assert_int_equal(ip_hdr_build(&w, &t, 65536), IP_E_INVAL);
	assert_int_equal(ip_hdr_build(&w, &t, 65535), 0);
}

static void check_too_big(const uint8_t *orig, size_t olen, const char *from, uint32_t mtu,
                          size_t expect_quote)
{
	uint8_t out[1500];
	struct writer w;
	struct ip_info o, e;
	struct ipaddr f = addr(from);

	assert_int_equal(ip_parse(&o, orig, olen), 0);
	wr_init(&w, out, sizeof(out));
	assert_int_equal(ip_icmp_too_big_build(&w, orig, olen, &f, mtu), 0);
	assert_int_equal(ip_parse(&e, out, wr_len(&w)), 0);
	assert_int_equal(e.tot_len, wr_len(&w));
	assert_true(ipaddr_eq(&e.src, &f));
	assert_true(ipaddr_eq(&e.dst, &o.src));
	assert_int_equal(e.payload_len, 8 + expect_quote);
	assert_memory_equal(e.payload + 8, orig, expect_quote);
	if (e.version == 4) {
		assert_int_equal(e.proto, IPPROTO_NUM_ICMP);
		assert_int_equal(e.payload[0], 3);
		assert_int_equal(e.payload[1], 4);
		assert_int_equal(e.payload[6] << 8 | e.payload[7], mtu);
		assert_int_equal(inet_csum(e.payload, e.payload_len), 0);
		assert_true(wr_len(&w) <= 576);
	} else {
		assert_int_equal(e.proto, IPPROTO_NUM_ICMPV6);
		assert_int_equal(e.payload[0], 2);
		assert_int_equal(e.payload[1], 0);
		assert_int_equal((uint32_t)e.payload[4] << 24 | (uint32_t)e.payload[5] << 16 |
		                     (uint32_t)e.payload[6] << 8 | e.payload[7],
		                 mtu);
		assert_int_equal(
		    ip_pseudo_csum(&e.src, &e.dst, IPPROTO_NUM_ICMPV6, e.payload, e.payload_len),
		    0);
		assert_true(wr_len(&w) <= 1280);
	}
}

static void test_icmp_too_big(void **state)
{
	static uint8_t big[1400];
	static uint8_t pl[1400];
	uint8_t buf[1500];
	size_t n;
	(void)state;

	n = mkpkt(buf, sizeof(buf), "10.0.0.1", "10.0.1.1", IPPROTO_NUM_UDP, pl, 100);
	check_too_big(buf, n, "10.0.0.254", 1400, n); /* all of it fits */
	n = mkpkt(big, sizeof(big), "10.0.0.1", "10.0.1.1", 6, pl, 1300);
	check_too_big(big, n, "10.0.0.254", 1362, 548); /* 576 - 20 - 8 */
	n = mkpkt(buf, sizeof(buf), "2001:db8::1", "2001:db8:1::1", IPPROTO_NUM_UDP, pl, 100);
	check_too_big(buf, n, "fe80::1", 1280, n);
	n = mkpkt(big, sizeof(big), "2001:db8::1", "2001:db8:1::1", 6, pl, 1300);
	check_too_big(big, n, "fe80::1", 1400, 1232); /* 1280 - 40 - 8 */
	/* ICMP queries may be answered; ICMP errors may not */
	uint8_t echo[8] = {8, 0};
	n = mkpkt(buf, sizeof(buf), "10.0.0.1", "10.0.1.1", IPPROTO_NUM_ICMP, echo, 8);
	check_too_big(buf, n, "10.0.0.254", 1400, n);
	echo[0] = 128;
	n = mkpkt(buf, sizeof(buf), "2001:db8::1", "2001:db8:1::1", IPPROTO_NUM_ICMPV6, echo, 8);
	check_too_big(buf, n, "fe80::1", 1400, n);
}

static void test_icmp_too_big_errors(void **state)
{
	uint8_t buf[256], out[600], msg[8] = {3, 1};
	struct writer w;
	struct ipaddr f4 = addr("10.0.0.254"), f6 = addr("fe80::1");
	size_t n;
	(void)state;

	wr_init(&w, out, sizeof(out));
	n = mkpkt(buf, sizeof(buf), "10.0.0.1", "10.0.1.1", IPPROTO_NUM_ICMP, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_ICMP_SUPPRESS);
	msg[0] = 1; /* ICMPv6 destination unreachable: an error */
	n = mkpkt(buf, sizeof(buf), "2001:db8::1", "2001:db8::2", IPPROTO_NUM_ICMPV6, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f6, 1400), IP_E_ICMP_SUPPRESS);
	n = mkpkt(buf, sizeof(buf), "2001:db8::1", "2001:db8::2", IPPROTO_NUM_ICMPV6, msg, 0);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f6, 1400), IP_E_ICMP_SUPPRESS);
	n = mkpkt(buf, sizeof(buf), "224.0.0.5", "10.0.1.1", IPPROTO_NUM_UDP, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_ICMP_SUPPRESS);
	n = mkpkt(buf, sizeof(buf), "0.0.0.0", "10.0.1.1", IPPROTO_NUM_UDP, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_ICMP_SUPPRESS);
	n = mkpkt(buf, sizeof(buf), "ff02::1", "2001:db8::2", IPPROTO_NUM_UDP, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f6, 1400), IP_E_ICMP_SUPPRESS);
	n = mkpkt(buf, sizeof(buf), "10.0.0.1", "10.0.1.1", IPPROTO_NUM_UDP, msg, 8);
	buf[6] = 0x40;
	buf[7] = 1; /* non-first fragment (DF kept) */
	refill_v4_csum(buf);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_ICMP_SUPPRESS);
	buf[6] = 0x00;
	buf[7] = 0; /* DF clear: to be fragmented, not refused */
	refill_v4_csum(buf);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_ICMP_SUPPRESS);
	buf[6] = 0x40;
	refill_v4_csum(buf);
	wr_init(&w, out, sizeof(out));
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), 0);
	n = mkpkt(buf, sizeof(buf), "10.0.0.1", "10.0.1.1", IPPROTO_NUM_UDP, msg, 8);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f6, 1400), IP_E_INVAL);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 70000), IP_E_INVAL);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n - 1, &f4, 1400), IP_E_TRUNCATED);
	wr_init(&w, out, 40);
	assert_int_equal(ip_icmp_too_big_build(&w, buf, n, &f4, 1400), IP_E_NOSPACE);
}

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e > IP_E_MAX_; e--) {
		assert_string_not_equal(ip_strerror(e), "?");
		for (int f = e - 1; f > IP_E_MAX_; f--)
			assert_string_not_equal(ip_strerror(e), ip_strerror(f));
	}
	assert_string_equal(ip_strerror(IP_E_MAX_), "?");
	assert_string_equal(ip_strerror(5), "?");
	assert_string_equal(ip_proto_name(47), "GRE");
	assert_string_equal(ip_proto_name(50), "ESP");
	assert_string_equal(ip_proto_name(17), "UDP");
	assert_string_equal(ip_proto_name(200), "unknown");
	for (int p = 0; p < 256; p++)
		assert_non_null(ip_proto_name((uint8_t)p));
	assert_string_equal(ip_proto_name(60), "IPv6-Opts");
}

/* ---- captures -------------------------------------------------------- */

static void test_captures(void **state)
{
	static const struct {
		const char *file;
		int ip, udp, udp_csum_ok; /* -1: not checked */
	} ex[] = {
	    {"tcpdump/various_gre.pcap", 30, 0, 0},
	    {"tcpdump/nhrp-trace.pcap", 4, 0, 0},
	    {"tcpdump/NHRP-responder-address.pcap", 2, 0, 0},
	    {"tcpdump/NHRP_registration.pcap", 4, 0, 0},
	    {"tcpdump/nhrp.pcapng", 25, 0, 0},
	    {"tcpdump/ios_nhrp.pcap", 1, 0, 0},
	    {"tcpdump/espudp1.pcap", 8, 8, 8}, /* UDP checksum 0 = none */
	    {"tcpdump/isakmp4500.pcap", 27, 27, 27},
	    {"tcpdump/ikev2four.pcap", 21, 21, -1}, /* sender-side offload */
	    {"tcpdump/02-sunrise-sunset-esp.pcap", 8, 0, 0},
	    {"tcpdump/08-sunrise-sunset-esp2.pcap", 8, 0, 0},
	    {"zeek-plugin-ikev2/ikev2.pcap", 7, 7, -1},
	    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 6, 6, -1},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ex); i++) {
		struct walk w;
		const uint8_t *l3;
		size_t len;
		int nip = 0, nudp = 0, ok = 0;

		walk_open(&w, ex[i].file);
		while (walk_next(&w, &l3, &len)) {
			struct ip_info ip;
			struct udp_info u;
			int rc;

			if (!l3)
				continue;
			rc = ip_parse(&ip, l3, len);
			if (rc != 0)
				fail_msg("%s frame %d: %s", ex[i].file, w.frame, ip_strerror(rc));
			nip++;
			assert_false(ip.is_fragment);
			if (ip.proto != IPPROTO_NUM_UDP)
				continue;
			assert_int_equal(udp_parse(&u, ip.payload, ip.payload_len), 0);
			assert_int_equal(u.len, ip.payload_len);
			nudp++;
			if (udp_csum_check(&ip, &u) == 0)
				ok++;
		}
		pcap_close(w.p);
		if (nip != ex[i].ip || nudp != ex[i].udp ||
		    (ex[i].udp_csum_ok >= 0 && ok != ex[i].udp_csum_ok))
			fail_msg("%s: ip %d udp %d csum-ok %d", ex[i].file, nip, nudp, ok);
	}
}

/* pb_nhrp_1.pcap is deliberately malformed: rejected with a reason. */
static void test_capture_malformed(void **state)
{
	struct walk w;
	const uint8_t *l3;
	size_t len;
	struct ip_info ip;
	(void)state;

	walk_open(&w, "tcpdump/pb_nhrp_1.pcap");
	assert_true(walk_next(&w, &l3, &len));
	assert_non_null(l3);
	assert_int_equal(ip_parse(&ip, l3, len), IP_E_CHECKSUM);
	pcap_close(w.p);
}

static void test_ll6_derive(void **state)
{
	struct ipaddr n4, n4b, a, b, c, d;
	char buf[ADDR_STRLEN];

	(void)state;
	assert_int_equal(ipaddr_parse(&n4, "198.18.0.11"), 0);
	assert_int_equal(ipaddr_parse(&n4b, "198.18.0.12"), 0);
	ip6_ll_derive("dmvpn0", &n4, NULL, &a);
	ip6_ll_derive("dmvpn1", &n4, NULL, &b);
	ip6_ll_derive("dmvpn0", &n4b, NULL, &c);
	ip6_ll_derive("dmvpn0", &n4, NULL, &d);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.len, 16);
	assert_int_equal(a.b[0], 0xfe);
	assert_int_equal(a.b[1], 0x80);
	for (int i = 2; i < 8; i++)
		assert_int_equal(a.b[i], 0);
	assert_int_equal(a.b[8] & 0x02, 0);    /* U/L bit: local */
	assert_memory_equal(a.b, d.b, 16);     /* stable */
	assert_memory_not_equal(a.b, b.b, 16); /* per interface name */
	assert_memory_not_equal(a.b, c.b, 16); /* per node */
	assert_memory_not_equal(b.b + 8, c.b + 8, 8);
	assert_non_null(ipaddr_fmt(&a, buf, sizeof(buf)));
	assert_int_equal(strncmp(buf, "fe80::", 6), 0);
	/* no NBMA at all still gives a distinct per-name identifier */
	ip6_ll_derive("dmvpn0", NULL, NULL, &c);
	ip6_ll_derive("dmvpn1", NULL, NULL, &d);
	assert_memory_not_equal(c.b, d.b, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ipv4_roundtrip),
	    cmocka_unit_test(test_ipv4_errors),
	    cmocka_unit_test(test_ipv6_ext),
	    cmocka_unit_test(test_ipv6_errors),
	    cmocka_unit_test(test_udp),
	    cmocka_unit_test(test_hdr_build_errors),
	    cmocka_unit_test(test_icmp_too_big),
	    cmocka_unit_test(test_icmp_too_big_errors),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_ll6_derive),
	    cmocka_unit_test(test_captures),
	    cmocka_unit_test(test_capture_malformed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
