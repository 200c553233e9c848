/* Unit tests: GRE codec, Cisco MetaData shim, keepalives; real captures. */
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

#include "gre/gre.h"
#include "gre/keepalive.h"
#include "lib/util.h"
#include "lib/writer.h"
#include "overlay/ip.h"

/* ---- test-only pcap frame walker ---------------------------------------- */

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

/* Next frame's network-layer packet (IPv4/IPv6 only; others give len 0). */
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
#ifdef DLT_IPV4
	case DLT_IPV4:
	case DLT_IPV6:
#endif
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

/* GRE message of an IP packet, or false. */
static bool l3_gre(const uint8_t *l3, size_t len, struct ip_info *ip)
{
	return l3 && ip_parse(ip, l3, len) == 0 && ip->proto == IPPROTO_NUM_GRE;
}

/* ---- codec ----------------------------------------------------------- */

static void test_roundtrip(void **state)
{
	static const uint8_t payload[] = {0x45, 0, 0, 20, 1, 2, 3, 4, 5};
	(void)state;

	for (int m = 0; m < 8; m++) {
		struct gre_hdr t = {0}, g;
		uint8_t buf[64];
		struct writer w;

		t.csum_present = m & 1;
		t.key_present = m & 2;
		t.seq_present = m & 4;
		t.key = 0xdeadbeef;
		t.seq = 0x01020304;
		t.protocol = GRE_PROTO_IPV4;
		wr_init(&w, buf, sizeof(buf));
		assert_int_equal(gre_build(&w, &t, payload, sizeof(payload)), 0);
		assert_int_equal(wr_len(&w), gre_hdr_len(&t) + sizeof(payload));
		assert_int_equal(gre_parse(&g, buf, wr_len(&w)), 0);
		assert_int_equal(g.csum_present, t.csum_present);
		assert_int_equal(g.key_present, t.key_present);
		assert_int_equal(g.seq_present, t.seq_present);
		assert_int_equal(g.version, 0);
		assert_int_equal(g.protocol, GRE_PROTO_IPV4);
		assert_int_equal(g.hdr_len, gre_hdr_len(&t));
		if (t.key_present)
			assert_int_equal(g.key, t.key);
		if (t.seq_present)
			assert_int_equal(g.seq, t.seq);
		assert_int_equal(g.payload_len, sizeof(payload));
		assert_memory_equal(g.payload, payload, sizeof(payload));
		if (t.csum_present) {
			assert_int_equal(inet_csum(buf, wr_len(&w)), 0);
			assert_int_not_equal(g.checksum, 0);
			/* header-only builder + in-place fill gives the same bytes */
			uint8_t b2[64];
			struct writer w2;
			wr_init(&w2, b2, sizeof(b2));
			assert_int_equal(gre_build_hdr(&w2, &t), 0);
			wr_bytes(&w2, payload, sizeof(payload));
			assert_int_equal(gre_csum_fill(b2, wr_len(&w2)), 0);
			assert_memory_equal(b2, buf, wr_len(&w));
		}
	}
}

static void test_empty_payload_and_odd(void **state)
{
	struct gre_hdr t = {.csum_present = true, .protocol = GRE_PROTO_NHRP}, g;
	uint8_t buf[16], odd[3] = {1, 2, 3};
	struct writer w;
	(void)state;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(gre_build(&w, &t, NULL, 0), 0);
	assert_int_equal(gre_parse(&g, buf, wr_len(&w)), 0);
	assert_int_equal(g.payload_len, 0);
	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(gre_build(&w, &t, odd, sizeof(odd)), 0); /* odd length */
	assert_int_equal(gre_parse(&g, buf, wr_len(&w)), 0);
	assert_int_equal(g.payload[2], 3);
}

static void test_errors(void **state)
{
	struct gre_hdr g;
	uint8_t b[32] = {0};
	(void)state;

	/* truncated: under 4 bytes, and flags announcing more than is there */
	for (size_t n = 0; n < 4; n++)
		assert_int_equal(gre_parse(&g, b, n), GRE_E_TRUNCATED);
	assert_int_equal(gre_parse(&g, NULL, 0), GRE_E_TRUNCATED);
	b[0] = 0x20; /* K */
	assert_int_equal(gre_parse(&g, b, 7), GRE_E_TRUNCATED);
	assert_int_equal(gre_parse(&g, b, 8), 0);
	b[0] = 0xB0; /* C K S: 16 bytes */
	assert_int_equal(gre_parse(&g, b, 15), GRE_E_TRUNCATED);
	/* versions */
	memset(b, 0, sizeof(b));
	b[1] = 1;
	assert_int_equal(gre_parse(&g, b, 8), GRE_E_PPTP);
	for (uint8_t v = 2; v < 8; v++) {
		b[1] = v;
		assert_int_equal(gre_parse(&g, b, 8), GRE_E_VERSION);
	}
	b[1] = 0;
	/* routing bit */
	b[0] = 0x40;
	assert_int_equal(gre_parse(&g, b, 8), GRE_E_ROUTING);
	/* reserved bits 4 and 5 */
	b[0] = 0x08;
	assert_int_equal(gre_parse(&g, b, 8), GRE_E_RESERVED);
	b[0] = 0x04;
	assert_int_equal(gre_parse(&g, b, 8), GRE_E_RESERVED);
	/* bits 6-12 are ignored on receipt (RFC 2784 2.3) */
	b[0] = 0x03;
	b[1] = 0xF8;
	assert_int_equal(gre_parse(&g, b, 8), 0);
	assert_int_equal(g.flags, 0x03F8);
	/* checksum mismatch */
	struct gre_hdr t = {.csum_present = true, .protocol = GRE_PROTO_IPV4};
	struct writer w;
	wr_init(&w, b, sizeof(b));
	assert_int_equal(gre_build(&w, &t, "abcdefgh", 8), 0);
	assert_int_equal(gre_parse(&g, b, wr_len(&w)), 0);
	b[10] ^= 1;
	assert_int_equal(gre_parse(&g, b, wr_len(&w)), GRE_E_CHECKSUM);
	/* builders */
	wr_init(&w, b, 7);
	assert_int_equal(gre_build(&w, &t, "x", 1), GRE_E_NOSPACE);
	wr_init(&w, b, sizeof(b));
	assert_int_equal(gre_build(&w, &t, NULL, 3), GRE_E_INVAL);
	wr_init(&w, b, 3);
	assert_int_equal(gre_build_hdr(&w, &t), GRE_E_NOSPACE);
	b[0] = 0;
	assert_int_equal(gre_csum_fill(b, 8), GRE_E_INVAL); /* C clear */
	assert_int_equal(gre_csum_fill(b, 7), GRE_E_TRUNCATED);
}

static void test_names(void **state)
{
	(void)state;
	for (int e = 0; e > GRE_E_MAX_; e--) {
		assert_non_null(gre_strerror(e));
		assert_string_not_equal(gre_strerror(e), "?");
		for (int f = e - 1; f > GRE_E_MAX_; f--)
			assert_string_not_equal(gre_strerror(e), gre_strerror(f));
	}
	assert_string_equal(gre_strerror(GRE_E_MAX_), "?");
	assert_string_equal(gre_strerror(1), "?");
	assert_string_equal(gre_proto_name(0x0800), "IPv4");
	assert_string_equal(gre_proto_name(0x86DD), "IPv6");
	assert_string_equal(gre_proto_name(0x2001), "NHRP");
	assert_string_equal(gre_proto_name(0x0000), "keepalive");
	assert_string_equal(gre_proto_name(0x8909), "CiscoMetaData");
	assert_string_equal(gre_proto_name(0x1234), "unknown");
}

static void test_cmd(void **state)
{
	static const uint8_t cmd[] = {0x08, 0x00, 0x01, 0x01, 0x00, 0x01, 0x00, 0x2a, 0x45};
	struct gre_cmd c;
	struct gre_hdr g = {.protocol = GRE_PROTO_CMD, .payload = cmd, .payload_len = sizeof(cmd)};
	uint16_t proto;
	const uint8_t *p;
	size_t len;
	int32_t sgt;
	uint8_t bad[8];
	(void)state;

	assert_int_equal(gre_cmd_parse(&c, cmd, sizeof(cmd)), 0);
	assert_int_equal(c.ethertype, 0x0800);
	assert_int_equal(c.sgt, 42);
	assert_int_equal(c.payload_len, 1);
	for (size_t n = 0; n < GRE_CMD_LEN; n++)
		assert_int_equal(gre_cmd_parse(&c, cmd, n), GRE_E_CMD_TRUNCATED);
	memcpy(bad, cmd, 8);
	bad[2] = 2;
	assert_int_equal(gre_cmd_parse(&c, bad, 8), GRE_E_CMD_VERSION);
	assert_int_equal(gre_payload_unwrap(&g, &proto, &p, &len, &sgt), 0);
	assert_int_equal(proto, 0x0800);
	assert_int_equal(sgt, 42);
	assert_ptr_equal(p, cmd + 8);
	g.payload_len = 5;
	assert_int_equal(gre_payload_unwrap(&g, &proto, &p, &len, NULL), GRE_E_CMD_TRUNCATED);
	g.protocol = GRE_PROTO_NHRP;
	assert_int_equal(gre_payload_unwrap(&g, &proto, &p, &len, &sgt), 0);
	assert_int_equal(proto, GRE_PROTO_NHRP);
	assert_int_equal(sgt, -1);
	assert_int_equal(len, 5);
}

/* ---- keepalives ------------------------------------------------------ */

static struct gre_ka_req ka_req(const char *local, const char *peer)
{
	struct gre_ka_req r = {0};

	assert_int_equal(ipaddr_parse(&r.local, local), 0);
	assert_int_equal(ipaddr_parse(&r.peer, peer), 0);
	r.key_present = true;
	r.key = 0x28;
	r.id = 0x00c0ffee;
	r.tos = 0xc0;
	return r;
}

static void ka_roundtrip(struct gre_ka_req *req)
{
	uint8_t buf[128];
	struct writer w;
	struct gre_hdr g, rg;
	struct gre_ka_request kr;
	struct gre_ka_reply rep;
	struct ip_info ip;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(gre_ka_build(&w, req), 0);
	assert_int_equal(wr_len(&w), gre_ka_len(req));
	assert_int_equal(gre_parse(&g, buf, wr_len(&w)), 0);
	assert_int_equal(g.key_present, req->key_present);
	assert_int_equal(g.key, req->key_present ? req->key : 0);
	/* the peer recognises it; it must come from us (outer src = local) */
	assert_int_equal(gre_ka_request_parse(&kr, &g, &req->local), 0);
	assert_true(ipaddr_eq(&kr.src, &req->peer));
	assert_true(ipaddr_eq(&kr.dst, &req->local));
	assert_int_equal(gre_ka_request_parse(&kr, &g, &req->peer), GRE_E_KA_MIRROR);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), 0);
	assert_int_equal(kr.ttl, req->ttl ? req->ttl : 255);
	assert_int_equal(kr.sgt, -1);
	/* the reflected inner packet is a valid IP packet back to us */
	assert_int_equal(ip_parse(&ip, kr.reflect, kr.reflect_len), 0);
	assert_int_equal(ip.proto, IPPROTO_NUM_GRE);
	assert_true(ipaddr_eq(&ip.dst, &req->local));
	assert_ptr_equal(ip.payload, kr.reflect_gre);
	assert_int_equal(ip.payload_len, kr.reflect_gre_len);
	if (ip.version == 4)
		assert_int_equal(ip.id, req->id & 0xffff);
	/* ... and what arrives back is recognised as the reply to req */
	assert_int_equal(gre_parse(&rg, kr.reflect_gre, kr.reflect_gre_len), 0);
	assert_int_equal(gre_ka_reply_parse(&rep, &rg), 0);
	assert_true(gre_ka_reply_matches(&rep, req));
	assert_int_equal(rep.id_present, !req->no_seq);
	struct gre_ka_req other = *req;
	other.key++;
	other.key_present = true;
	assert_false(gre_ka_reply_matches(&rep, &other));
	other.key_present = !req->key_present;
	other.key = req->key;
	assert_false(gre_ka_reply_matches(&rep, &other));
	if (!req->no_seq) {
		other = *req;
		other.id++;
		assert_false(gre_ka_reply_matches(&rep, &other));
		other.no_seq = true;
		assert_false(gre_ka_reply_matches(&rep, &other));
	}
	/* the request itself is not a reply; the reply is not a request */
	assert_int_equal(gre_ka_reply_parse(&rep, &g), GRE_E_KA_NOT);
	assert_int_equal(gre_ka_request_parse(&kr, &rg, NULL), GRE_E_KA_NOT);
}

static void test_ka_build_recognise(void **state)
{
	struct gre_ka_req r4 = ka_req("198.18.0.1", "198.18.0.2");
	struct gre_ka_req r6 = ka_req("2001:db8::1", "2001:db8::2");
	(void)state;

	ka_roundtrip(&r4);
	ka_roundtrip(&r6);
	r4.key_present = false;
	r4.no_seq = true;
	ka_roundtrip(&r4);
	r6.ttl = 7;
	r6.no_seq = true;
	ka_roundtrip(&r6);
	/* Cisco-identical form: 4 + 4 outer, 20 IP, 4 + 4 inner = 36 bytes,
	 * the "length 44" of tcpdump minus the 8-byte CMD shim */
	r4 = ka_req("10.172.64.7", "10.172.64.6");
	r4.no_seq = true;
	assert_int_equal(gre_ka_len(&r4), 36);
}

static void test_ka_build_errors(void **state)
{
	struct gre_ka_req r = ka_req("198.18.0.1", "2001:db8::2");
	uint8_t buf[64];
	struct writer w;
	(void)state;

	wr_init(&w, buf, sizeof(buf));
	assert_int_equal(gre_ka_build(&w, &r), GRE_E_INVAL);
	memset(&r.peer, 0, sizeof(r.peer));
	assert_int_equal(gre_ka_build(&w, &r), GRE_E_INVAL);
	r = ka_req("198.18.0.1", "198.18.0.2");
	wr_init(&w, buf, 20);
	assert_int_equal(gre_ka_build(&w, &r), GRE_E_NOSPACE);
}

/* Builds outer GRE(proto) around an arbitrary inner packet. */
static void ka_wrap(struct gre_hdr *g, uint8_t *buf, size_t cap, uint16_t proto,
                    const uint8_t *inner, size_t len)
{
	struct gre_hdr t = {.protocol = proto};
	struct writer w;

	wr_init(&w, buf, cap);
	assert_int_equal(gre_build(&w, &t, inner, len), 0);
	assert_int_equal(gre_parse(g, buf, wr_len(&w)), 0);
}

static void test_ka_not_and_malformed(void **state)
{
	struct gre_ka_req req = ka_req("198.18.0.1", "198.18.0.2");
	uint8_t pkt[128], outer[160], inner[128];
	struct writer w;
	struct gre_hdr g;
	struct gre_ka_request kr;
	size_t n, ip_off;
	(void)state;

	wr_init(&w, pkt, sizeof(pkt));
	assert_int_equal(gre_ka_build(&w, &req), 0);
	n = wr_len(&w);
	ip_off = 8; /* outer GRE with key */
	memcpy(inner, pkt + ip_off, n - ip_off);
	n -= ip_off;

	/* NHRP and unknown protocols are not keepalives */
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_NHRP, inner, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
	/* IPv4 carrying UDP is ordinary traffic */
	uint8_t udp[64];
	memcpy(udp, inner, n);
	udp[9] = IPPROTO_NUM_UDP;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, udp, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
	/* inner IP checksum broken */
	memcpy(udp, inner, n);
	udp[8] ^= 1;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, udp, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_IP);
	/* inner total length beyond the data, too short, wrong version */
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, inner, n - 1);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_IP);
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, inner, 19);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_IP);
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV6, inner, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_IP);
	/* a fragment is never a keepalive */
	memcpy(udp, inner, n);
	udp[6] = 0x20;
	udp[10] = udp[11] = 0;
	uint16_t s = inet_csum(udp, 20);
	udp[10] = (uint8_t)(s >> 8);
	udp[11] = (uint8_t)s;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, udp, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
	/* GRE-in-GRE data (PPTP through the tunnel) is ordinary traffic */
	memcpy(udp, inner, n);
	udp[20 + 1] = 1;    /* version 1 */
	udp[20 + 2] = 0x88; /* PPP */
	udp[20 + 3] = 0x0b;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, udp, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
	/* protocol 0 but a broken inner GRE header claims to be one */
	memcpy(udp, inner, n);
	udp[20 + 1] = 1;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV4, udp, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_GRE);
	/* a reply behind a MetaData shim is still a reply */
	static const uint8_t shim0[8] = {0, 0, 1, 1, 0, 1, 0, 5};
	struct gre_ka_reply rep;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_CMD, shim0, sizeof(shim0));
	assert_int_equal(gre_ka_reply_parse(&rep, &g), 0);
	assert_int_equal(gre_ka_reply_parse(&rep, &(struct gre_hdr){.protocol = GRE_PROTO_CMD}),
	                 GRE_E_KA_NOT);
	/* a shim that is cut short */
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_CMD, inner, 5);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_CMD_TRUNCATED);
	/* IPv6 with an extension header in front of GRE: not a keepalive */
	struct gre_ka_req r6 = ka_req("2001:db8::1", "2001:db8::2");
	wr_init(&w, pkt, sizeof(pkt));
	assert_int_equal(gre_ka_build(&w, &r6), 0);
	n = wr_len(&w) - 8;
	memcpy(inner, pkt + 8, n);
	inner[6] = IPPROTO_NUM_DSTOPTS;
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV6, inner, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
	inner[6] = IPPROTO_NUM_GRE;
	inner[5] += 1; /* payload length beyond the data */
	ka_wrap(&g, outer, sizeof(outer), GRE_PROTO_IPV6, inner, n);
	assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_INNER_IP);
}

/* ---- real captures --------------------------------------------------- */

static void test_capture_various_gre(void **state)
{
	struct walk w;
	const uint8_t *l3, *prev_reflect = NULL;
	size_t len, prev_len = 0;
	struct ip_info ip;
	int gre = 0, requests = 0, replies = 0, cdp = 0, cmd_data = 0, matched = 0;
	uint8_t saved[128];
	struct ipaddr saved_dst;
	(void)state;

	walk_open(&w, "tcpdump/various_gre.pcap");
	while (walk_next(&w, &l3, &len)) {
		struct gre_hdr g;
		struct gre_ka_request kr;
		struct gre_ka_reply rep;
		int rc;

		if (!l3_gre(l3, len, &ip))
			continue;
		gre++;
		assert_int_equal(gre_parse(&g, ip.payload, ip.payload_len), 0);
		assert_true(g.key_present);
		assert_int_equal(g.key, 0x28);
		assert_false(g.csum_present);
		assert_false(g.seq_present);
		/* README claims keys "inside 0x8909"; the capture has the key on
		 * the outer GRE and a Cisco MetaData shim (SGT 0) carrying IPv4 */
		assert_true(g.protocol == GRE_PROTO_CMD || g.protocol == GRE_PROTO_KEEPALIVE ||
		            g.protocol == GRE_PROTO_CDP);
		rc = gre_ka_request_parse(&kr, &g, &ip.src);
		if (rc == 0) {
			requests++;
			assert_int_equal(kr.sgt, 0);
			assert_int_equal(kr.inner.protocol, GRE_PROTO_KEEPALIVE);
			assert_true(kr.inner.key_present);
			assert_int_equal(kr.inner.key, 0x28);
			assert_true(ipaddr_eq(&kr.src, &ip.dst));
			assert_int_equal(kr.reflect_len, 28);
			assert_true(kr.reflect_len <= sizeof(saved));
			memcpy(saved, kr.reflect, kr.reflect_len);
			prev_reflect = saved;
			prev_len = kr.reflect_len;
			saved_dst = kr.dst;
			continue;
		}
		assert_int_equal(rc, GRE_E_KA_NOT);
		if (gre_ka_reply_parse(&rep, &g) == 0) {
			replies++;
			assert_true(rep.key_present);
			assert_int_equal(rep.key, 0x28);
			assert_false(rep.id_present);
			/* the reply is the reflected inner packet, TTL one less */
			if (prev_reflect && len >= prev_len && ipaddr_eq(&ip.dst, &saved_dst)) {
				assert_int_equal(ip.tot_len, prev_len);
				assert_int_equal(l3[8] + 1, prev_reflect[8]);
				assert_memory_equal(l3, prev_reflect, 8);
				assert_memory_equal(l3 + 12, prev_reflect + 12, prev_len - 12);
				matched++;
			}
			prev_reflect = NULL;
			continue;
		}
		if (g.protocol == GRE_PROTO_CDP)
			cdp++;
		else
			cmd_data++;
	}
	pcap_close(w.p);
	assert_int_equal(gre, 30);
	assert_int_equal(requests, 8);
	assert_int_equal(replies, 8);
	assert_int_equal(matched, 8);
	assert_int_equal(cdp, 2);
	assert_int_equal(cmd_data, 12); /* 10 ICMP echo + 2 PIM hello, CMD-wrapped */
}

struct gre_expect {
	const char *file;
	int frames;
	bool key_present;
	uint32_t key;
};

static void test_capture_nhrp_gre(void **state)
{
	static const struct gre_expect ex[] = {
	    {"tcpdump/nhrp-trace.pcap", 4, true, 1000},
	    {"tcpdump/NHRP-responder-address.pcap", 2, true, 2}, /* 802.1Q */
	    {"tcpdump/NHRP_registration.pcap", 4, true, 2},
	    {"tcpdump/nhrp.pcapng", 25, false, 0},
	    {"tcpdump/ios_nhrp.pcap", 1, false, 0},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ex); i++) {
		struct walk w;
		const uint8_t *l3;
		size_t len;
		struct ip_info ip;
		int n = 0;

		walk_open(&w, ex[i].file);
		while (walk_next(&w, &l3, &len)) {
			struct gre_hdr g;
			struct gre_ka_request kr;

			if (!l3_gre(l3, len, &ip))
				continue;
			n++;
			assert_int_equal(gre_parse(&g, ip.payload, ip.payload_len), 0);
			assert_int_equal(g.protocol, GRE_PROTO_NHRP);
			assert_string_equal(gre_proto_name(g.protocol), "NHRP");
			assert_int_equal(g.key_present, ex[i].key_present);
			assert_int_equal(g.key, ex[i].key);
			assert_int_equal(gre_ka_request_parse(&kr, &g, NULL), GRE_E_KA_NOT);
		}
		pcap_close(w.p);
		if (n != ex[i].frames)
			fail_msg("%s: %d GRE frames, expected %d", ex[i].file, n, ex[i].frames);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_empty_payload_and_odd),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_cmd),
	    cmocka_unit_test(test_ka_build_recognise),
	    cmocka_unit_test(test_ka_build_errors),
	    cmocka_unit_test(test_ka_not_and_malformed),
	    cmocka_unit_test(test_capture_various_gre),
	    cmocka_unit_test(test_capture_nhrp_gre),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
