/* Shared fixture of the NHRP engine scenario tests (test_nhrp_engine.c,
 * test_nhrp_shortcut.c): a hub and two spokes on the mock network. */
#ifndef DMVPN_TESTS_NHRP_SCEN_H
#define DMVPN_TESTS_NHRP_SCEN_H

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/writer.h"
#include "nhrp/packet.h"
#include "overlay/peer.h"
#include "tests/unit/nhrp_mock.h"

static struct mock_net net;
static struct mock_node *hub, *s1, *s2;

struct cache_find {
	const char *type;
	struct prefix want;
	int hits;
	struct nhrp_cache_view v;
};
static inline void cache_cb(const struct nhrp_cache_view *v, void *ctx)
{
	struct cache_find *f = ctx;
	if (f->type && strcmp(f->type, v->type))
		return;
	if (f->want.plen && (v->proto.plen != f->want.plen || !ipaddr_eq(&v->proto.addr, &f->want.addr)))
		return;
	f->hits++;
	f->v = *v;
}
static inline int cache_count(struct mock_node *n, const char *type, const char *pfx,
		       struct nhrp_cache_view *out)
{
	struct cache_find f = { .type = type };
	if (pfx)
		prefix_parse(&f.want, pfx);
	nhrp_cache_walk(n->nif, net.now, cache_cb, &f);
	if (out)
		*out = f.v;
	return f.hits;
}

struct nhs_find {
	int n;
	struct nhrp_nhs_view v[4];
};
static inline void nhs_cb(const struct nhrp_nhs_view *v, void *ctx)
{
	struct nhs_find *f = ctx;
	if (f->n < 4)
		f->v[f->n++] = *v;
}
static inline const char *nhs_state(struct mock_node *n, int i)
{
	struct nhs_find f = { 0 };
	nhrp_nhs_walk(n->nif, net.now, nhs_cb, &f);
	return i < f.n ? f.v[i].state : "none";
}

static inline const struct nhrp_counters *C(struct mock_node *n)
{
	return nhrp_if_counters(n->nif);
}

/* Hub 10.0.0.1 at 198.18.0.1; spokes 10.0.0.11 (LAN 10.1.1.0/24) and
 * 10.0.0.12 (LAN 10.1.2.0/24). */
static inline void topo(bool nat_s2, const char *auth)
{
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	s2 = mock_node_add(&net, "s2", AF_INET, nat_s2 ? "192.168.7.2" : "198.18.1.2",
			   "10.0.0.12/24");
	if (nat_s2) {
		s2->nat = true;
		s2->public = mock_ip("198.18.5.5");
	}
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(s2, "10.0.0.1", "198.18.0.1", 1);
	hub->cfg.nhrp4.redirect = true;
	s1->cfg.nhrp4.shortcut = s2->cfg.nhrp4.shortcut = true;
	if (auth)
		hub->cfg.nhrp_auth = s1->cfg.nhrp_auth = s2->cfg.nhrp_auth = (char *)auth;
	/* hub: spoke LANs through the overlay (as a routing protocol would) */
	mock_node_add_route(hub, "10.1.1.0/24", true, "10.0.0.11");
	mock_node_add_route(hub, "10.1.2.0/24", true, "10.0.0.12");
	mock_node_add_route(s1, "10.1.1.0/24", false, NULL);
	mock_node_add_route(s1, "10.0.0.0/8", true, "10.0.0.1");
	mock_node_add_route(s2, "10.1.2.0/24", false, NULL);
	mock_node_add_route(s2, "10.0.0.0/8", true, "10.0.0.1");
	mock_node_start(hub);
	mock_node_start(s1);
	mock_node_start(s2);
	assert_non_null(hub->nif);
	assert_non_null(s1->nif);
	assert_non_null(s2->nif);
}

static inline int teardown(void **state)
{
	(void)state;
	mock_net_free(&net);
	assert_int_equal(peer_count(NULL), 0); /* every reference dropped */
	return 0;
}

static inline void check_clean(void)
{
	assert_int_equal(net.bad_parse, 0);
	assert_int_equal(net.bad_ext, 0);
}

static inline size_t ip4_pkt(uint8_t *b, const char *src, const char *dst)
{
	memset(b, 0, 28);
	b[0] = 0x45;
	b[3] = 28;
	b[8] = 64;
	b[9] = 1;
	struct ipaddr s = mock_ip(src), d = mock_ip(dst);
	memcpy(b + 12, s.b, 4);
	memcpy(b + 16, d.b, 4);
	b[20] = 8;
	return 28;
}

static inline size_t ip6_pkt(uint8_t *b, const char *src, const char *dst)
{
	memset(b, 0, 48);
	b[0] = 0x60;
	b[5] = 8;
	b[6] = 58;
	b[7] = 64;
	struct ipaddr s = mock_ip(src), d = mock_ip(dst);
	memcpy(b + 8, s.b, 16);
	memcpy(b + 24, d.b, 16);
	b[40] = 128;
	return 48;
}

static inline struct peer *hub_peer(struct mock_node *sp)
{
	return peer_find((struct ovl_if *)&hub->ovl, sp->nat ? &sp->public : &sp->nbma);
}

/* The hub relays a packet from `from`'s LAN to `to`'s LAN. */
static inline void relay(struct mock_node *from, struct mock_node *to, const char *src, const char *dst)
{
	uint8_t b[64];
	size_t n = from->family == AF_INET6 ? ip6_pkt(b, src, dst) : ip4_pkt(b, src, dst);
	struct peer *in = hub_peer(from), *out = hub_peer(to);
	assert_non_null(in);
	assert_non_null(out);
	nhrp_relay_seen(hub->nif, in, out, b, n, net.now);
	mock_pump(&net);
}

struct sc_find {
	int n;
	struct nhrp_shortcut_view v;
};
static inline void sc_cb(const struct nhrp_shortcut_view *v, void *ctx)
{
	struct sc_find *f = ctx;
	f->n++;
	f->v = *v;
}

static inline size_t build(struct nhrp_packet *p, uint8_t *buf, size_t cap)
{
	struct writer w;
	wr_init(&w, buf, cap);
	assert_int_equal(nhrp_build(&w, p), NHRP_OK);
	return wr_len(&w);
}


#endif
