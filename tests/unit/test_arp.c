/* Unit tests for overlay/arp.c: ARP requests and IPv6 Neighbor
 * Solicitations parsed, ARP replies and Neighbor Advertisements built, frame
 * classification, peer MACs.
 *
 * The vectors are frames the Linux kernel (6.18) wrote into a TAP in
 * tests/unit/test_link.c (DMVPNT_LINK_DUMP). Checksums are verified with a
 * reference implementation written here, independent of lib/util.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/addr.h"
#include "lib/util.h"
#include "overlay/arp.h"

/* Kernel frames: TAP MAC 02:d6:00:00:00:01, 10.99.0.1 / fd00:99::1 asking
 * for 10.99.0.2 / fd00:99::2; peer 7 is 02:d7:00:00:00:07. */
static const char HEX_ARP_REQUEST[] = /* broadcast ARP request */
    "ffffffffffff02d6000000010806000108000604000102d6000000010a63000100000000"
    "00000a630002";
static const char HEX_ARP_PROBE[] = /* NUD unicast probe to the peer MAC */
    "02d70000000702d6000000010806000108000604000102d6000000010a63000100000000"
    "00000a630002";
static const char HEX_NS[] = /* NS to the solicited-node group, with SLLA */
    "3333ff00000202d60000000186dd6000000000203afffd00009900000000000000000000"
    "0001ff0200000000000000000001ff00000287007b8f00000000fd000099000000000000"
    "000000000002010102d600000001";
static const char HEX_NS_PROBE[] = /* NUD unicast probe from the link-local address */
    "02d70000000702d60000000186dd6000000000203afffe8000000000000000d600fffe00"
    "0001fd00009900000000000000000000000287007b3d00000000fd000099000000000000"
    "000000000002010102d600000001";
static const char HEX_NS_DAD[] = /* DAD for our link-local address, nonce option */
    "3333ff00000102d60000000186dd6000000000203aff0000000000000000000000000000"
    "0000ff0200000000000000000001ff000001870085ae00000000fe8000000000000000d6"
    "00fffe0000010e015e619081f9b4";
static const char HEX_MLD2[] = /* MLDv2 report behind a hop-by-hop header */
    "33330000001602d60000000186dd60000000002400010000000000000000000000000000"
    "0000ff0200000000000000000000000000163a000502000001008f006f89000000010400"
    "0000ff0200000000000000000001ff000001";
static const char HEX_RS[] = /* Router Solicitation */
    "33330000000202d60000000186dd6000000000103afffe8000000000000000d600fffe00"
    "0001ff0200000000000000000000000000028500798000000000010102d600000001";
static const char HEX_ECHO6[] = /* ICMPv6 echo request to fd00:99:5::1 */
    "02d70000000702d60000000186dd600a7d6a00283a40fd00009900000000000000000000"
    "0001fd000099000500000000000000000001800057913de60001646d76706e64206c696e"
    "6b2d6c617965722074657374207061796c6f61642121";

static const uint8_t TAP_MAC[6] = {0x02, 0xd6, 0, 0, 0, 1};
static const uint8_t PEER7[6] = {0x02, 0xd7, 0, 0, 0, 7};

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	long n = hex_decode(hex, out, cap);

	assert_true(n > 0);
	return (size_t)n;
}

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

/* ---- reference checksum (RFC 1071, written independently) ---- */

static uint16_t ref_sum(const uint8_t *const parts[], const size_t lens[], int nparts)
{
	uint64_t sum = 0;
	int odd = 0;

	for (int i = 0; i < nparts; i++)
		for (size_t j = 0; j < lens[i]; j++, odd ^= 1)
			sum += odd ? parts[i][j] : (uint64_t)parts[i][j] << 8;
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

/* Sum of pseudo-header + ICMPv6 message of the IPv6 packet in an Ethernet
 * frame: 0xffff when its checksum is right. */
static uint16_t ref_icmp6_sum(const uint8_t *frame)
{
	const uint8_t *ip6 = frame + 14;
	size_t plen = (size_t)ip6[4] << 8 | ip6[5];
	uint8_t tail[8] = {0, 0, ip6[4], ip6[5], 0, 0, 0, 58};
	const uint8_t *parts[] = {ip6 + 8, tail, ip6 + 40};
	size_t lens[] = {32, 8, plen};

	return ref_sum(parts, lens, 3);
}

/* Recomputes the ICMPv6 checksum of a (mutated) frame. */
static void ref_icmp6_fix(uint8_t *frame)
{
	uint8_t *icmp = frame + 14 + 40;

	icmp[2] = icmp[3] = 0;
	uint16_t c = (uint16_t)~ref_icmp6_sum(frame);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

/* ---- MAC addresses ---- */

static void test_peer_mac(void **state)
{
	const uint32_t idx[] = {0, 1, 7, 255, 256, 0x12345678, 0xfffffffe, 0xffffffff};
	uint8_t mac[6], self[6];
	uint32_t back;

	for (size_t i = 0; i < ARRAY_SIZE(idx); i++) {
		peer_mac_from_index(mac, idx[i]);
		assert_false(arp_mac_is_multicast(mac)); /* unicast */
		assert_true(mac[0] & 0x02);              /* locally administered */
		assert_int_equal(peer_mac_to_index(mac, &back), 0);
		assert_int_equal(back, idx[i]);
	}
	peer_mac_from_index(mac, 7);
	assert_memory_equal(mac, PEER7, 6);

	arp_self_mac(self);
	assert_memory_equal(self, TAP_MAC, 6);
	assert_int_equal(peer_mac_to_index(self, &back), -1);
	const uint8_t others[][6] = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	                             {0x33, 0x33, 0, 0, 0, 1},
	                             {0x03, 0xd7, 0, 0, 0, 7}, /* group bit set */
	                             {0x00, 0xd7, 0, 0, 0, 7},
	                             {0x52, 0x54, 0, 0x12, 0x34, 0x56}};
	for (size_t i = 0; i < ARRAY_SIZE(others); i++)
		assert_int_equal(peer_mac_to_index(others[i], &back), -1);

	assert_true(arp_mac_is_broadcast(others[0]));
	assert_true(arp_mac_is_multicast(others[0]));
	assert_true(arp_mac_is_multicast(others[1]));
	assert_false(arp_mac_is_broadcast(others[1]));
	assert_false(arp_mac_is_multicast(self));
}

/* ---- ARP ---- */

static void test_arp_request(void **state)
{
	uint8_t f[64];
	size_t n = unhex(HEX_ARP_REQUEST, f, sizeof(f));
	struct arp_query q;

	assert_int_equal(n, 42);
	assert_int_equal(arp_frame_classify(f, n), ARP_FRAME_ARP);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	assert_int_equal(q.family, AF_INET);
	struct ipaddr t = ip("10.99.0.2"), s = ip("10.99.0.1");
	assert_true(ipaddr_eq(&q.target, &t));
	assert_true(ipaddr_eq(&q.sender, &s));
	assert_memory_equal(q.sender_mac, TAP_MAC, 6);
	assert_memory_equal(q.eth_src, TAP_MAC, 6);
	assert_false(q.unicast);

	n = unhex(HEX_ARP_PROBE, f, sizeof(f));
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	assert_true(q.unicast);
	assert_memory_equal(q.eth_dst, PEER7, 6);

	/* Ethernet padding to 60 bytes is ignored */
	memset(f + n, 0, 18);
	assert_int_equal(arp_query_parse(f, n + 18, &q), ARP_OK);
}

static void test_arp_reply(void **state)
{
	static const char expect[] = "02d60000000102d700000007" /* to the asker, from peer 7 */
	                             "0806"
	                             "0001080006040002"      /* Ethernet/IPv4, reply */
	                             "02d7000000070a630002"  /* 10.99.0.2 is at peer 7 */
	                             "02d6000000010a630001"; /* to 10.99.0.1 at the TAP */
	uint8_t f[64], out[ARP_ANSWER_MAX], want[64];
	size_t n = unhex(HEX_ARP_REQUEST, f, sizeof(f));
	struct arp_query q;
	int len;

	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	len = arp_answer_build(out, sizeof(out), &q, PEER7);
	assert_int_equal(len, 42);
	assert_int_equal(unhex(expect, want, sizeof(want)), 42);
	assert_memory_equal(out, want, 42);
	/* a reply is not a query */
	assert_int_equal(arp_frame_classify(out, (size_t)len), ARP_FRAME_ARP);
	assert_int_equal(arp_query_parse(out, (size_t)len, &q), ARP_ERR_NOT_REQUEST);
	/* too small a buffer, at every size */
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	for (size_t cap = 0; cap < 42; cap++)
		assert_int_equal(arp_answer_build(out, cap, &q, PEER7), ARP_ERR_NOSPACE);
}

static void test_arp_malformed(void **state)
{
	uint8_t base[64], f[64];
	size_t n = unhex(HEX_ARP_REQUEST, base, sizeof(base));
	struct arp_query q;
	static const struct {
		size_t off;
		uint8_t val;
		int err;
	} cases[] = {
	    {6, 0x03, ARP_ERR_ETH_SRC},    /* Ethernet source multicast */
	    {12, 0x88, ARP_ERR_ETHERTYPE}, /* not ARP */
	    {15, 0x06, ARP_ERR_HTYPE},     /* IEEE 802 */
	    {16, 0x86, ARP_ERR_PTYPE},     /* IPv6 */
	    {18, 8, ARP_ERR_HLEN},          {19, 16, ARP_ERR_PLEN},
	    {21, 2, ARP_ERR_NOT_REQUEST},   /* reply */
	    {21, 3, ARP_ERR_NOT_REQUEST},   /* RARP */
	    {22, 0x01, ARP_ERR_SENDER_MAC}, /* sender hardware multicast */
	    {41, 0x01, ARP_ERR_GRATUITOUS}, /* target == sender */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(f, base, n);
		f[cases[i].off] = cases[i].val;
		int err = arp_query_parse(f, n, &q);
		if (err != cases[i].err)
			fail_msg("case %zu: %s, expected %s", i, arp_strerror(err),
			         arp_strerror(cases[i].err));
		assert_int_equal(q.family, 0); /* zeroed on error */
	}
	/* probe: sender 0.0.0.0 */
	memcpy(f, base, n);
	memset(f + 28, 0, 4);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_PROBE);
	/* targets: 0.0.0.0, broadcast, multicast */
	const uint8_t targets[][4] = {{0, 0, 0, 0}, {255, 255, 255, 255}, {224, 0, 0, 5}};
	for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
		memcpy(f, base, n);
		memcpy(f + 38, targets[i], 4);
		assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_TARGET);
	}
	/* every truncation */
	assert_int_equal(arp_query_parse(base, 0, &q), ARP_ERR_ETH_SHORT);
	assert_int_equal(arp_query_parse(base, 13, &q), ARP_ERR_ETH_SHORT);
	for (size_t len = 14; len < n; len++)
		assert_int_equal(arp_query_parse(base, len, &q), ARP_ERR_TRUNCATED);
}

/* ---- Neighbor Solicitation / Advertisement ---- */

static void test_ns_parse(void **state)
{
	uint8_t f[128];
	size_t n = unhex(HEX_NS, f, sizeof(f));
	struct arp_query q;

	assert_int_equal(ref_icmp6_sum(f), 0xffff); /* the kernel's checksum, by our reference */
	assert_int_equal(arp_frame_classify(f, n), ARP_FRAME_ND_NS);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	assert_int_equal(q.family, AF_INET6);
	struct ipaddr t = ip("fd00:99::2"), s = ip("fd00:99::1");
	assert_true(ipaddr_eq(&q.target, &t));
	assert_true(ipaddr_eq(&q.sender, &s));
	assert_memory_equal(q.sender_mac, TAP_MAC, 6);
	assert_false(q.unicast);

	n = unhex(HEX_NS_PROBE, f, sizeof(f));
	assert_int_equal(ref_icmp6_sum(f), 0xffff);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	assert_true(q.unicast);
	s = ip("fe80::d6:ff:fe00:1");
	assert_true(ipaddr_eq(&q.sender, &s));
	assert_true(ipaddr_eq(&q.target, &t));

	/* without the SLLA option the Ethernet source is used */
	n = unhex(HEX_NS, f, sizeof(f));
	f[19] = 24; /* payload length: NS without options */
	ref_icmp6_fix(f);
	assert_int_equal(arp_query_parse(f, n - 8, &q), ARP_OK);
	assert_memory_equal(q.sender_mac, TAP_MAC, 6);
	/* trailing bytes beyond the payload length are ignored */
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
}

static void test_na_build(void **state)
{
	uint8_t f[128], out[ARP_ANSWER_MAX + 8], want[ARP_ANSWER_MAX];
	size_t n = unhex(HEX_NS, f, sizeof(f));
	struct arp_query q;
	int len;

	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	len = arp_answer_build(out, sizeof(out), &q, PEER7);
	assert_int_equal(len, ARP_ANSWER_MAX);
	assert_int_equal(ref_icmp6_sum(out), 0xffff);

	/* every field, with the checksum from the reference */
	static const char expect[] = "02d60000000102d70000000786dd" /* to the TAP, from peer 7 */
	                             "6000000000203aff" /* 32 bytes of ICMPv6, hop limit 255 */
	                             "fd000099000000000000000000000002" /* from the target */
	                             "fd000099000000000000000000000001" /* to the asker */
	                             "8800000060000000" /* NA, checksum 0 for now, S and O set */
	                             "fd000099000000000000000000000002" /* target */
	                             "020102d700000007";                /* TLLA: peer 7 */
	assert_int_equal(unhex(expect, want, sizeof(want)), ARP_ANSWER_MAX);
	ref_icmp6_fix(want);
	assert_memory_equal(out, want, ARP_ANSWER_MAX);

	/* an NA is link-local control, not a query */
	assert_int_equal(arp_frame_classify(out, (size_t)len), ARP_FRAME_ND_LOCAL);
	assert_int_equal(arp_query_parse(out, (size_t)len, &q), ARP_ERR_NOT_NS);

	/* answering the unicast probe goes to its link-local source */
	n = unhex(HEX_NS_PROBE, f, sizeof(f));
	assert_int_equal(arp_query_parse(f, n, &q), ARP_OK);
	len = arp_answer_build(out, sizeof(out), &q, PEER7);
	assert_int_equal(len, ARP_ANSWER_MAX);
	assert_int_equal(ref_icmp6_sum(out), 0xffff);
	assert_memory_equal(out + 14 + 24, f + 14 + 8, 16);

	for (size_t cap = 0; cap < ARP_ANSWER_MAX; cap++)
		assert_int_equal(arp_answer_build(out, cap, &q, PEER7), ARP_ERR_NOSPACE);
	/* builder arguments */
	assert_int_equal(
	    arp_answer_build(out, sizeof(out), &q, (uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}),
	    ARP_ERR_ARG);
	q.family = 0;
	assert_int_equal(arp_answer_build(out, sizeof(out), &q, PEER7), ARP_ERR_ARG);
	q.family = AF_INET; /* family and address lengths disagree */
	assert_int_equal(arp_answer_build(out, sizeof(out), &q, PEER7), ARP_ERR_ARG);
}

static void test_ns_malformed(void **state)
{
	uint8_t base[128], f[128];
	size_t n = unhex(HEX_NS, base, sizeof(base));
	struct arp_query q;
	/* offsets: IPv6 header at 14, ICMPv6 at 54, target at 62, SLLA option at 78 */
	static const struct {
		size_t off;
		uint8_t val;
		bool fix; /* recompute the checksum so that the intended check fires */
		int err;
	} cases[] = {
	    {14, 0x40, true, ARP_ERR_IP_VERSION}, {20, 17, true, ARP_ERR_NEXT_HEADER}, /* UDP */
	    {20, 0, true, ARP_ERR_NEXT_HEADER}, /* hop-by-hop header */
	    {54, 128, true, ARP_ERR_NOT_NS},    /* echo request */
	    {54, 136, true, ARP_ERR_NOT_NS},    /* an advertisement */
	    {21, 64, true, ARP_ERR_HOP_LIMIT},    {21, 254, true, ARP_ERR_HOP_LIMIT},
	    {55, 1, true, ARP_ERR_ICMP_CODE},     {56, 0x7b ^ 1, false, ARP_ERR_CHECKSUM},
	    {77, 3, false, ARP_ERR_CHECKSUM},     /* target changed, checksum not */
	    {62, 0xff, true, ARP_ERR_TARGET},     /* multicast target */
	    {22, 0xff, true, ARP_ERR_SOURCE},     /* multicast source */
	    {79, 0, true, ARP_ERR_OPTION},        /* option length 0 */
	    {79, 2, true, ARP_ERR_OPTION},        /* option past the end */
	    {80, 0x03, true, ARP_ERR_SENDER_MAC}, /* SLLA multicast */
	    {6, 0x33, false, ARP_ERR_ETH_SRC},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		memcpy(f, base, n);
		f[cases[i].off] = cases[i].val;
		if (cases[i].fix)
			ref_icmp6_fix(f);
		int err = arp_query_parse(f, n, &q);
		if (err != cases[i].err)
			fail_msg("case %zu: %s, expected %s", i, arp_strerror(err),
			         arp_strerror(cases[i].err));
	}
	/* target :: */
	memcpy(f, base, n);
	memset(f + 62, 0, 16);
	ref_icmp6_fix(f);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_TARGET);
	/* payload length past the frame, and too short for an NS */
	memcpy(f, base, n);
	f[19] = 40;
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_TRUNCATED);
	f[18] = 0;
	f[19] = 20;
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_TRUNCATED);
	f[19] = 0;
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_TRUNCATED);
	/* duplicate address detection is not answered */
	n = unhex(HEX_NS_DAD, f, sizeof(f));
	assert_int_equal(ref_icmp6_sum(f), 0xffff);
	assert_int_equal(arp_frame_classify(f, n), ARP_FRAME_ND_NS);
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_DAD);
	/* other ND/MLD messages are not queries */
	n = unhex(HEX_RS, f, sizeof(f));
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_NOT_NS);
	n = unhex(HEX_MLD2, f, sizeof(f));
	assert_int_equal(arp_query_parse(f, n, &q), ARP_ERR_NEXT_HEADER);
	/* every truncation */
	n = unhex(HEX_NS, base, sizeof(base));
	for (size_t len = 0; len < n; len++) {
		int err = arp_query_parse(base, len, &q);
		assert_true(err < 0);
		assert_int_equal(err, len < 14 ? ARP_ERR_ETH_SHORT : ARP_ERR_TRUNCATED);
	}
}

/* ---- classification, framing, names ---- */

static void test_classify(void **state)
{
	static const struct {
		const char *hex;
		enum arp_frame_kind kind;
	} v[] = {
	    {HEX_ARP_REQUEST, ARP_FRAME_ARP}, {HEX_NS, ARP_FRAME_ND_NS},
	    {HEX_NS_DAD, ARP_FRAME_ND_NS},    {HEX_MLD2, ARP_FRAME_ND_LOCAL},
	    {HEX_RS, ARP_FRAME_ND_LOCAL},     {HEX_ECHO6, ARP_FRAME_IPV6},
	};
	uint8_t f[256];
	size_t n;

	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		n = unhex(v[i].hex, f, sizeof(f));
		assert_int_equal(arp_frame_classify(f, n), v[i].kind);
	}
	/* truncated IPv6 header; a hop-by-hop header cut short is still IPv6 */
	n = unhex(HEX_MLD2, f, sizeof(f));
	assert_int_equal(arp_frame_classify(f, 14 + 39), ARP_FRAME_INVALID);
	assert_int_equal(arp_frame_classify(f, 14 + 41), ARP_FRAME_IPV6);
	assert_int_equal(arp_frame_classify(f, 13), ARP_FRAME_INVALID);
	/* IPv4 needs a header with version 4 */
	uint8_t v4[34] = {0};
	v4[12] = 0x08;
	v4[14] = 0x45;
	assert_int_equal(arp_frame_classify(v4, 34), ARP_FRAME_IPV4);
	assert_int_equal(arp_frame_classify(v4, 33), ARP_FRAME_INVALID);
	v4[14] = 0x65;
	assert_int_equal(arp_frame_classify(v4, 34), ARP_FRAME_INVALID);
	v4[12] = 0x88;
	v4[13] = 0xcc; /* LLDP */
	assert_int_equal(arp_frame_classify(v4, 34), ARP_FRAME_OTHER);

	assert_string_equal(arp_frame_kind_name(ARP_FRAME_ND_NS), "nd-ns");
	assert_string_equal(arp_frame_kind_name((enum arp_frame_kind)99), "unknown");
}

static void test_eth_framing(void **state)
{
	uint8_t f[256], out[256], pkt[128];
	size_t n = unhex(HEX_ECHO6, f, sizeof(f));
	int len;

	/* unframe and frame again: the same bytes */
	memcpy(pkt, f + 14, n - 14);
	len = arp_eth_build(out, sizeof(out), PEER7, TAP_MAC, pkt, n - 14);
	assert_int_equal(len, (int)n);
	assert_memory_equal(out, f, n);
	assert_int_equal(arp_ip_ethertype(pkt, n - 14), ARP_ETHERTYPE_IPV6);
	pkt[0] = 0x45;
	assert_int_equal(arp_ip_ethertype(pkt, 1), ARP_ETHERTYPE_IPV4);
	len = arp_eth_build(out, sizeof(out), PEER7, TAP_MAC, pkt, 20);
	assert_int_equal(len, 34);
	assert_int_equal(out[12] << 8 | out[13], 0x0800);
	assert_int_equal(arp_eth_build(out, 33, PEER7, TAP_MAC, pkt, 20), ARP_ERR_NOSPACE);
	assert_int_equal(arp_eth_build(out, 10, PEER7, TAP_MAC, pkt, 20), ARP_ERR_NOSPACE);
	assert_int_equal(arp_ip_ethertype(pkt, 0), 0);
	pkt[0] = 0x55;
	assert_int_equal(arp_eth_build(out, sizeof(out), PEER7, TAP_MAC, pkt, 20),
	                 ARP_ERR_IP_VERSION);

	static const struct {
		const char *dst;
		uint8_t mac[6];
	} m[] = {
	    {"224.0.0.5", {0x01, 0x00, 0x5e, 0x00, 0x00, 0x05}},
	    {"239.255.1.2", {0x01, 0x00, 0x5e, 0x7f, 0x01, 0x02}},
	    {"225.128.1.2", {0x01, 0x00, 0x5e, 0x00, 0x01, 0x02}}, /* top bit dropped */
	    {"255.255.255.255", {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	    {"ff02::5", {0x33, 0x33, 0x00, 0x00, 0x00, 0x05}},
	    {"ff02::1:ff00:2", {0x33, 0x33, 0xff, 0x00, 0x00, 0x02}},
	    {"10.99.0.1", {0x02, 0xd6, 0, 0, 0, 1}},
	    {"fd00:99::1", {0x02, 0xd6, 0, 0, 0, 1}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++) {
		struct ipaddr a = ip(m[i].dst);
		uint8_t mac[6];
		arp_mac_for_dst(mac, &a, TAP_MAC);
		assert_memory_equal(mac, m[i].mac, 6);
	}
}

static void test_strerror(void **state)
{
	for (int e = 0; e > -ARP_ERR_COUNT; e--) {
		const char *name = arp_strerror(e);
		assert_string_not_equal(name, "unknown");
		for (int o = 0; o > e; o--)
			assert_string_not_equal(name, arp_strerror(o));
	}
	assert_string_equal(arp_strerror(0), "ok");
	assert_string_equal(arp_strerror(ARP_ERR_CHECKSUM), "checksum");
	assert_string_equal(arp_strerror(1), "unknown");
	assert_string_equal(arp_strerror(-ARP_ERR_COUNT), "unknown");
	assert_string_equal(arp_strerror(-1000), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_peer_mac),     cmocka_unit_test(test_arp_request),
	    cmocka_unit_test(test_arp_reply),    cmocka_unit_test(test_arp_malformed),
	    cmocka_unit_test(test_ns_parse),     cmocka_unit_test(test_na_build),
	    cmocka_unit_test(test_ns_malformed), cmocka_unit_test(test_classify),
	    cmocka_unit_test(test_eth_framing),  cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
