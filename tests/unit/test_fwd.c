/* Data plane, the parts that need no root: relay hash, route sink
 * bookkeeping (mock kernel), multicast replication decision, MTU decision,
 * GRE input classification (key, protocol, malformed) with counters. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "gre/gre.h"
#include "config.h"
#include "lib/log.h"
#include "nhrp/nhrp.h"
#include "lib/writer.h"
#include "overlay/arp.h"
#include "overlay/iface.h"
#include "overlay/ip.h"
#include "overlay/netlink.h"
#include "overlay/peer.h"

static struct ipaddr A(const char *s)
{
	struct ipaddr a;
	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

static struct prefix P(const char *s)
{
	struct prefix p;
	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

/* an IPv4 header (checksum not needed by the hash) */
static void ip4(uint8_t *b, const char *src, const char *dst, uint16_t id, uint8_t proto)
{
	struct ipaddr s = A(src), d = A(dst);
	memset(b, 0, 28);
	b[0] = 0x45;
	b[3] = 28;
	b[4] = (uint8_t)(id >> 8);
	b[5] = (uint8_t)id;
	b[8] = 64;
	b[9] = proto;
	memcpy(b + 12, s.b, 4);
	memcpy(b + 16, d.b, 4);
}

static void test_relay_hash(void **state)
{
	static struct ovl_relay r;
	uint8_t p1[28], p2[28];
	uint32_t k1, k2;

	ip4(p1, "10.1.1.1", "10.1.2.1", 7, 17);
	ip4(p2, "10.1.1.1", "10.1.2.1", 8, 17);
	k1 = ovl_relay_key(p1, sizeof(p1));
	k2 = ovl_relay_key(p2, sizeof(p2));
	assert_int_not_equal(k1, 0);
	assert_int_not_equal(k1, k2);
	assert_int_equal(ovl_relay_key((const uint8_t *)"\x10", 1), 0); /* not IP */
	ovl_relay_note(&r, k1, 5, 100.0);
	assert_int_equal(ovl_relay_take(&r, k2, 100.1, 2.0), 0); /* other packet */
	assert_int_equal(ovl_relay_take(&r, k1, 100.1, 2.0), 5);
	assert_int_equal(ovl_relay_take(&r, k1, 100.1, 2.0), 0); /* taken once */
	ovl_relay_note(&r, k1, 5, 100.0);
	assert_int_equal(ovl_relay_take(&r, k1, 103.0, 2.0), 0); /* too old */
	ovl_relay_note(&r, k2, 0, 100.0); /* no peer: ignored */
	assert_int_equal(ovl_relay_take(&r, k2, 100.0, 2.0), 0);
}

/* mock kernel: records what the sink asks */
struct mock_kernel {
	int adds, dels, fail_next;
	struct netlink_route last;
};

static int mock_apply(void *ctx, bool add, const struct netlink_route *r)
{
	struct mock_kernel *k = ctx;
	if (k->fail_next) {
		int e = k->fail_next;
		k->fail_next = 0;
		return e;
	}
	k->last = *r;
	if (add)
		k->adds++;
	else
		k->dels++;
	return 0;
}

static void test_routes(void **state)
{
	struct mock_kernel k = {0};
	struct ovl_routes rs;
	uint64_t ctr[OVL_CTR_MAX] = {0};
	struct prefix p1 = P("10.1.2.0/24"), p2 = P("10.0.0.12/32"), p3 = P("10.1.3.7/24");
	struct ipaddr v12 = A("10.0.0.12"), v13 = A("10.0.0.13");

	ovl_routes_init(&rs, 7, mock_apply, &k);
	rs.ctr = ctr;
	assert_int_equal(ovl_routes_add(&rs, &p1, &v12), 0);
	assert_int_equal(k.last.protocol, RTPROT_DMVPN);
	assert_int_equal(k.last.n_nh, 1);
	assert_true(k.last.nh[0].onlink);
	assert_int_equal(k.last.nh[0].ifindex, 7);
	assert_true(ipaddr_eq(&k.last.nh[0].via, &v12));
	assert_int_equal(ovl_routes_add(&rs, &p1, &v12), 0); /* same: no kernel call */
	assert_int_equal(k.adds, 1);
	assert_int_equal(ovl_routes_add(&rs, &p2, &v12), 0);
	assert_int_equal(ovl_routes_add(&rs, &p3, &v13), 0); /* normalised to 10.1.3.0/24 */
	assert_int_equal(k.last.dst.addr.b[3], 0);
	assert_int_equal(rs.n, 3);
	/* a deletion naming another via is for a route replaced since */
	assert_int_equal(ovl_routes_del(&rs, &p3, &v12), -ENOENT);
	/* peer 10.0.0.12 goes down: both its routes go */
	assert_int_equal(ovl_routes_del_via(&rs, &v12), 2);
	assert_int_equal(k.dels, 2);
	assert_int_equal(rs.n, 1);
	/* a failed add is not tracked and is counted */
	k.fail_next = -ENETDOWN;
	assert_int_equal(ovl_routes_add(&rs, &p1, &v12), -ENETDOWN);
	assert_int_equal(rs.n, 1);
	assert_int_equal(ctr[OVL_CTR_route_errors], 1);
	assert_int_equal(ovl_routes_add(&rs, &p1, &v13), 0);
	ovl_routes_flush(&rs); /* shutdown: everything withdrawn */
	assert_int_equal(k.dels, 4);
	assert_int_equal(rs.n, 0);
	assert_int_equal(ctr[OVL_CTR_route_add], 4);
	assert_int_equal(ctr[OVL_CTR_route_del], 4);
	struct ipaddr v6 = A("2001:db8::1");
	assert_int_equal(ovl_routes_add(&rs, &p1, &v6), -EINVAL); /* family mismatch */
}

static void test_mcast_decision(void **state)
{
	struct ovl_mcast m = {0};
	struct peer p = {0};

	p.nbma = A("198.18.0.2");
	p.state = PEER_UP;
	p.type = PEER_T_DYNAMIC;
	assert_false(ovl_mcast_wants_peer(&m, &p)); /* nothing configured */
	m.dynamic = true;
	assert_true(ovl_mcast_wants_peer(&m, &p));
	p.state = PEER_CONNECTING;
	assert_false(ovl_mcast_wants_peer(&m, &p)); /* only peers that are up */
	p.state = PEER_UP;
	p.type = PEER_T_SHORTCUT;
	assert_false(ovl_mcast_wants_peer(&m, &p)); /* shortcuts never */
	p.type = PEER_T_NHS;
	assert_false(ovl_mcast_wants_peer(&m, &p));
	m.nhs = true;
	assert_true(ovl_mcast_wants_peer(&m, &p));
	m.nbma[m.n_nbma++] = A("198.18.0.2"); /* already a static target: not twice */
	assert_false(ovl_mcast_wants_peer(&m, &p));
}

static struct ovl_if *fake_oif(void)
{
	struct ovl_if *oif = calloc(1, sizeof(*oif));
	assert_non_null(oif);
	oif->sock4 = oif->sock6 = -1;
	oif->tap.fd = -1;
	oif->mtu = 1400;
	oif->has_key = true;
	oif->key = 42;
	return oif;
}

static size_t gre_pkt(uint8_t *buf, size_t cap, bool key, uint32_t kv, uint16_t proto,
                      const void *pl, size_t len)
{
	struct gre_hdr t = {.key_present = key, .key = kv, .protocol = proto};
	struct writer w;
	wr_init(&w, buf, cap);
	assert_int_equal(gre_build(&w, &t, pl, len), 0);
	return wr_len(&w);
}

static void test_gre_input(void **state)
{
	struct ovl_if *oif = fake_oif();
	uint8_t buf[256], ip[28];
	struct ipaddr src = A("198.18.0.2");
	size_t n;

	ip4(ip, "10.1.1.1", "10.1.2.1", 1, 17);
	/* wrong key, missing key */
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 41, GRE_PROTO_IPV4, ip, sizeof(ip));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	n = gre_pkt(buf + 32, sizeof(buf) - 32, false, 0, GRE_PROTO_IPV4, ip, sizeof(ip));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_key_mismatch], 2);
	/* malformed GRE */
	ovl_fwd_gre_input(oif, &src, buf + 32, 2, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_gre_parse], 1);
	/* unknown protocol */
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_MPLS, ip, sizeof(ip));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_gre_proto], 1);
	/* NHRP without an engine */
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_NHRP, ip, sizeof(ip));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_no_engine], 1);
	/* IPv4 whose header is bad (checksum is zero) */
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_IPV4, ip, sizeof(ip));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_inner_parse], 1);
	/* IPv6 payload announced as IPv4 */
	uint8_t ip6[40] = {0x60};
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_IPV4, ip6, sizeof(ip6));
	ovl_fwd_gre_input(oif, &src, buf + 32, n, 1.0);
	assert_int_equal(oif->ctr[OVL_CTR_drop_inner_parse] + oif->ctr[OVL_CTR_drop_ka_malformed],
	                 2);
	assert_int_equal(oif->ctr[OVL_CTR_gre_rx], 4);
	free(oif);
}

static void test_mtu(void **state)
{
	struct ovl_if *oif = fake_oif();
	assert_true(ovl_fits_mtu(oif, 1400));
	assert_false(ovl_fits_mtu(oif, 1401));
	free(oif);
}

/* ---- both paths over socketpairs standing in for the TAP and the raw
 * GRE socket (SOCK_SEQPACKET keeps frame boundaries; the destination
 * address of a send is ignored by AF_UNIX, so it is not checked here) ---- */

struct rig {
	struct ovl_if *oif;
	int tap_peer; /* the "kernel" side of the TAP */
	int net_peer; /* the "network" side of the GRE socket */
};

static void rig_up(struct rig *r)
{
	int t[2], n[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, t), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, n), 0);
	r->oif = fake_oif();
	r->oif->tap.fd = t[0];
	r->oif->sock4 = n[0];
	r->tap_peer = t[1];
	r->net_peer = n[1];
	r->oif->rxbuf = malloc((size_t)OVL_BATCH * OVL_BUF_SIZE);
	r->oif->txbuf = malloc(OVL_BUF_SIZE);
	r->oif->relay = calloc(1, sizeof(*r->oif->relay));
	assert_non_null(r->oif->rxbuf);
	assert_non_null(r->oif->txbuf);
	assert_non_null(r->oif->relay);
	arp_self_mac(r->oif->mac);
	r->oif->nbma4 = A("198.18.0.1");
	r->oif->addr4 = P("10.0.0.1/32");
	r->oif->has_addr4 = true;
}

static void rig_down(struct rig *r)
{
	close(r->oif->tap.fd);
	close(r->oif->sock4);
	close(r->tap_peer);
	close(r->net_peer);
	free(r->oif->rxbuf);
	free(r->oif->txbuf);
	free(r->oif->relay);
	free(r->oif);
}

/* An IPv4 packet (valid header checksum) of total length len. */
static size_t mk_ip4(uint8_t *buf, size_t cap, const char *src, const char *dst, size_t len,
                     bool df)
{
	struct ip_tmpl t = {.src = A(src), .dst = A(dst), .proto = 17, .df = df, .id = 9};
	struct writer w;
	wr_init(&w, buf, cap);
	assert_int_equal(ip_hdr_build(&w, &t, len - 20), 0);
	wr_zero(&w, len - 20);
	assert_true(wr_ok(&w));
	return wr_len(&w);
}

static size_t mk_frame(uint8_t *buf, size_t cap, const uint8_t dst[6], const char *src,
                       const char *ipdst, size_t iplen, bool df)
{
	uint8_t self[6];
	arp_self_mac(self);
	size_t n = mk_ip4(buf + 14, cap - 14, src, ipdst, iplen, df);
	arp_eth_header_write(buf, dst, self, 0x0800);
	return n + 14;
}

static ssize_t rd(int fd, uint8_t *buf, size_t cap)
{
	return read(fd, buf, cap);
}

static void test_tap_to_gre(void **state)
{
	struct rig r;
	uint8_t f[2048], out[2048], mac[6];
	struct ipaddr nb = A("198.18.0.12");
	struct peer *p;
	ssize_t n;
	size_t len;

	rig_up(&r);
	p = peer_get(r.oif, &nb, PEER_T_DYNAMIC);
	assert_non_null(p);
	peer_mac_from_index(mac, p->idx);
	/* unicast to the peer's MAC: GRE with the key, the IP packet intact */
	len = mk_frame(f, sizeof(f), mac, "10.1.1.2", "10.1.2.2", 100, true);
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	n = rd(r.net_peer, out, sizeof(out));
	assert_int_equal(n, 8 + 100);
	struct gre_hdr g;
	assert_int_equal(gre_parse(&g, out, (size_t)n), 0);
	assert_true(g.key_present);
	assert_int_equal(g.key, 42);
	assert_int_equal(g.protocol, GRE_PROTO_IPV4);
	assert_memory_equal(g.payload, f + 14, 100);
	assert_int_equal(r.oif->ctr[OVL_CTR_gre_tx], 1);
	assert_int_equal(p->pkts_out, 1);
	/* a MAC no peer has */
	uint8_t nomac[6];
	peer_mac_from_index(nomac, p->idx + 1000);
	len = mk_frame(f, sizeof(f), nomac, "10.1.1.2", "10.1.2.2", 100, true);
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_drop_no_peer], 1);
	/* too big with DF: ICMP frag-needed back into the TAP, from the peer */
	len = mk_frame(f, sizeof(f), mac, "10.1.1.2", "10.1.2.2", 1401, true);
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_drop_too_big], 1);
	/* the peer has no tunnel address: from our own */
	assert_int_equal(r.oif->ctr[OVL_CTR_icmp_too_big], 1);
	struct ip_info ii;
	n = rd(r.tap_peer, out, sizeof(out));
	assert_true(n > 14 + 28);
	assert_int_equal(ip_parse(&ii, out + 14, (size_t)n - 14), 0);
	assert_true(ipaddr_eq(&ii.src, &r.oif->addr4.addr));
	assert_memory_equal(out, f + 6, 6); /* back to the sender's MAC */
	p->tunnel4 = A("10.0.0.12");
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_icmp_too_big], 2);
	n = rd(r.tap_peer, out, sizeof(out));
	assert_true(n > 14 + 28);
	assert_int_equal(ip_parse(&ii, out + 14, (size_t)n - 14), 0);
	assert_int_equal(ii.proto, 1);
	assert_true(ipaddr_eq(&ii.src, &p->tunnel4));
	assert_int_equal(ii.payload[0], 3); /* destination unreachable */
	assert_int_equal(ii.payload[1], 4); /* fragmentation needed */
	assert_int_equal(ii.payload[6] << 8 | ii.payload[7], 1400);
	/* nothing else went out */
	assert_int_equal(rd(r.net_peer, out, sizeof(out)), -1);
	peer_put(p);
	rig_down(&r);
}

static void test_mcast_replication(void **state)
{
	struct rig r;
	uint8_t f[2048], out[2048];
	struct ipaddr nb2 = A("198.18.0.12"), nb3 = A("198.18.0.13");
	static const uint8_t mc[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x05};
	size_t len;
	int got = 0;

	rig_up(&r);
	struct peer *p2 = peer_get(r.oif, &nb2, PEER_T_DYNAMIC);
	struct peer *p3 = peer_get(r.oif, &nb3, PEER_T_DYNAMIC);
	peer_set_state(p2, PEER_UP, "test");
	len = mk_frame(f, sizeof(f), mc, "10.0.0.1", "224.0.0.5", 60, false);
	/* nothing configured: counted, not sent */
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_drop_mcast_no_target], 1);
	/* dynamic: every registered peer that is up (p2, not p3), plus a static NBMA */
	r.oif->mcast4.dynamic = true;
	r.oif->mcast4.nbma[r.oif->mcast4.n_nbma++] = A("198.18.0.99");
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	while (rd(r.net_peer, out, sizeof(out)) == 8 + 60)
		got++;
	assert_int_equal(got, 2);
	assert_int_equal(r.oif->ctr[OVL_CTR_mcast_tx], 2);
	assert_int_equal(p2->pkts_out, 1);
	assert_int_equal(p3->pkts_out, 0);
	peer_put(p2);
	peer_put(p3);
	rig_down(&r);
}

static void test_gre_to_tap_and_relay(void **state)
{
	struct rig r;
	uint8_t buf[2048], ip[256], out[2048], mac1[6], mac2[6];
	struct ipaddr nb1 = A("198.18.0.11"), nb2 = A("198.18.0.12");
	size_t iplen, n;
	ssize_t got;

	rig_up(&r);
	r.oif->hub = true;
	struct peer *p1 = peer_get(r.oif, &nb1, PEER_T_DYNAMIC);
	struct peer *p2 = peer_get(r.oif, &nb2, PEER_T_DYNAMIC);
	peer_mac_from_index(mac1, p1->idx);
	peer_mac_from_index(mac2, p2->idx);
	/* from spoke 1: framed into the TAP, to our MAC, from spoke 1's MAC */
	iplen = mk_ip4(ip, sizeof(ip), "10.1.1.2", "10.1.2.2", 80, true);
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_IPV4, ip, iplen);
	ovl_fwd_gre_input(r.oif, &nb1, buf + 32, n, 5.0);
	got = rd(r.tap_peer, out, sizeof(out));
	assert_int_equal(got, 14 + 80);
	assert_memory_equal(out, r.oif->mac, 6);
	assert_memory_equal(out + 6, mac1, 6);
	assert_memory_equal(out + 14, ip, 80);
	assert_int_equal(p1->pkts_in, 1);
	/* the kernel routes it back out to spoke 2: relayed, counted once */
	size_t flen = mk_frame(buf, sizeof(buf), mac2, "10.1.1.2", "10.1.2.2", 80, true);
	assert_int_equal(write(r.tap_peer, buf, flen), (ssize_t)flen);
	ovl_fwd_tap_rx(r.oif, 5.1);
	assert_int_equal(r.oif->ctr[OVL_CTR_relayed], 1);
	assert_int_equal(write(r.tap_peer, buf, flen), (ssize_t)flen); /* same again */
	ovl_fwd_tap_rx(r.oif, 5.2);
	assert_int_equal(r.oif->ctr[OVL_CTR_relayed], 1);
	/* from an NBMA we have no peer for: delivered, counted */
	n = gre_pkt(buf + 32, sizeof(buf) - 32, true, 42, GRE_PROTO_IPV4, ip, iplen);
	struct ipaddr stranger = A("198.18.0.77");
	ovl_fwd_gre_input(r.oif, &stranger, buf + 32, n, 6.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_rx_unknown_peer], 1);
	peer_put(p1);
	peer_put(p2);
	rig_down(&r);
}

static size_t mk_arp(uint8_t *f, const char *sender, const char *target)
{
	uint8_t self[6];
	static const uint8_t bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct ipaddr s = A(sender), t = A(target);

	arp_self_mac(self);
	arp_eth_header_write(f, bc, self, 0x0806);
	uint8_t *a = f + 14;
	memset(a, 0, 28);
	a[1] = 1;                /* Ethernet */
	a[2] = 0x08;             /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;                /* request */
	memcpy(a + 8, self, 6);
	memcpy(a + 14, s.b, 4);
	memcpy(a + 24, t.b, 4);
	return 42;
}

static const char arp_conf[] = "interface dmvpn0\n"
                               " ip address 10.0.0.11/32\n"
                               " tunnel source 198.18.0.11\n"
                               " tunnel key 42\n"
                               " ip nhrp network-id 1\n"
                               " ip nhrp map 10.0.0.12 198.18.0.12\n"
                               " ip nhrp nhs 10.0.0.1 nbma 198.18.0.1\n";

static int nop_send(void *ctx, const struct ipaddr *nbma, const uint8_t *pkt, size_t len)
{
	return 0;
}

static void test_arp_answers(void **state)
{
	struct rig r;
	struct nhrp_ops ops = {.send = nop_send};
	int nerr = 0;
	struct config *cfg = config_parse_string("t.conf", arp_conf, strlen(arp_conf), NULL, &nerr);
	uint8_t f[64], out[128], mac[6];
	uint32_t idx;
	ssize_t n;

	assert_non_null(cfg);
	rig_up(&r);
	r.oif->nhrp4 = nhrp_if_new_af(r.oif, &cfg->ifaces[0], AF_INET, &ops, 1.0);
	assert_non_null(r.oif->nhrp4);
	/* a static mapping: answered at once with that peer's MAC */
	size_t len = mk_arp(f, "10.0.0.11", "10.0.0.12");
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_arp_answered], 1);
	n = rd(r.tap_peer, out, sizeof(out));
	assert_int_equal(n, 42);
	memcpy(mac, out + 14 + 8, 6); /* ARP sender hardware address */
	assert_int_equal(peer_mac_to_index(mac, &idx), 0);
	struct peer *p = peer_find_idx(idx);
	assert_non_null(p);
	struct ipaddr nb = A("198.18.0.12");
	assert_true(ipaddr_eq(&p->nbma, &nb));
	static const uint8_t t12[4] = {10, 0, 0, 12};
	assert_memory_equal(out + 14 + 14, t12, 4);
	/* an unknown address: remembered, answered when the engine says */
	len = mk_arp(f, "10.0.0.11", "10.0.0.99");
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, mono_now()); /* neigh_update reads the clock itself */
	assert_int_equal(r.oif->ctr[OVL_CTR_arp_pending], 1);
	assert_int_equal(rd(r.tap_peer, out, sizeof(out)), -1);
	struct ipaddr t99 = A("10.0.0.99");
	r.oif->nl = NULL; /* no kernel neighbour table here */
	ovl_fwd_neigh_update(r.oif, &t99, p);
	assert_int_equal(r.oif->ctr[OVL_CTR_arp_late_answered], 1);
	n = rd(r.tap_peer, out, sizeof(out));
	assert_int_equal(n, 42);
	assert_memory_equal(out + 14 + 8, mac, 6);
	/* a gratuitous ARP is no question */
	len = mk_arp(f, "10.0.0.11", "10.0.0.11");
	assert_int_equal(write(r.tap_peer, f, len), (ssize_t)len);
	ovl_fwd_tap_rx(r.oif, 1.0);
	assert_int_equal(r.oif->ctr[OVL_CTR_drop_arp_parse], 1);
	nhrp_if_free(r.oif->nhrp4);
	rig_down(&r);
	config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_relay_hash),    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_mcast_decision), cmocka_unit_test(test_gre_input),
	    cmocka_unit_test(test_mtu),           cmocka_unit_test(test_tap_to_gre),
	    cmocka_unit_test(test_mcast_replication), cmocka_unit_test(test_gre_to_tap_and_relay),
	    cmocka_unit_test(test_arp_answers),
	};
	log_init("test_fwd", LOG_DEST_NONE, LOG_LVL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
