/* NHRP engine scenarios: redirect, resolution through the hub, shortcuts
 * (NAT, IPv6), purges and Error Indications (mock network: nhrp_mock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/log.h"
#include "tests/unit/nhrp_scen.h"

static void shortcut_both_ways(bool nat)
{
	topo(nat, "dmvpn");
	mock_advance(&net, net.now + 1);
	assert_string_equal(nhs_state(s1, 0), "up");
	assert_string_equal(nhs_state(s2, 0), "up");
	/* s1 -> s2 through the hub: Traffic Indication to s1 */
	relay(s1, s2, "10.1.1.5", "10.1.2.5");
	assert_int_equal(C(hub)->traffic_ind_tx, 1);
	assert_int_equal(C(s1)->traffic_ind_rx, 1);
	/* rate limited per (source, destination) */
	relay(s1, s2, "10.1.1.5", "10.1.2.5");
	assert_int_equal(C(hub)->traffic_ind_tx, 1);
	assert_int_equal(C(hub)->traffic_ind_ratelimited, 1);
	/* s1 asked the hub, the hub forwarded to s2 with its transit record */
	assert_int_equal(C(s1)->res_req_tx, 1);
	assert_int_equal(C(hub)->res_req_fwd, 1);
	assert_int_equal(C(s2)->res_req_rx, 1);
	assert_int_equal(C(s2)->res_reply_tx, 1);
	assert_int_equal(C(s1)->res_reply_rx, 1);
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_RESOLUTION_REQUEST].buf,
				    net.last[NHRP_RESOLUTION_REQUEST].len), NHRP_OK);
	assert_int_equal(net.last[NHRP_RESOLUTION_REQUEST].from, hub->id);
	assert_int_equal(p->hop_count, 254);
	assert_int_equal(p->flags, NHRP_FLAG_RES_Q | NHRP_FLAG_RES_A | NHRP_FLAG_RES_S |
					   NHRP_FLAG_CISCO_NAT);
	const struct nhrp_ext *ft = nhrp_ext_find(p, NHRP_EXT_FWD_TRANSIT);
	assert_non_null(ft);
	assert_int_equal(ft->u.cies.count, 1);
	assert_true(ipaddr_eq(&ft->u.cies.e[0].nbma, &hub->nbma));
	struct ipaddr hp = mock_ip("10.0.0.1");
	assert_true(ipaddr_eq(&ft->u.cies.e[0].proto, &hp));
	/* the reply came straight from s2 with the /24 it routes */
	assert_int_equal(nhrp_parse(p, net.last[NHRP_RESOLUTION_REPLY].buf,
				    net.last[NHRP_RESOLUTION_REPLY].len), NHRP_OK);
	assert_int_equal(net.last[NHRP_RESOLUTION_REPLY].from, s2->id);
	assert_true(ipaddr_eq(&net.last[NHRP_RESOLUTION_REPLY].dst, &s1->nbma));
	assert_int_equal(p->cies.e[0].prefix_len, 24);
	free(p);
	const struct ipaddr *s2_seen = nat ? &s2->public : &s2->nbma;
	const struct mock_installed *r = mock_route_find(s1, "10.1.2.0/24");
	assert_non_null(r);
	struct ipaddr via2 = mock_ip("10.0.0.12");
	assert_true(ipaddr_eq(&r->via, &via2));
	const struct mock_neigh *ng = mock_neigh_find(s1, "10.0.0.12");
	assert_non_null(ng);
	assert_true(ipaddr_eq(&ng->nbma, s2_seen));
	struct peer *pp = nhrp_neigh_lookup(s1->nif, &via2, net.now);
	assert_non_null(pp);
	assert_true(ipaddr_eq(&pp->nbma, s2_seen));
	assert_int_equal(pp->state, PEER_UP);
	assert_int_equal(C(s1)->shortcut_installed, 1);
	struct sc_find f = { 0 };
	nhrp_shortcut_walk(s1->nif, net.now, sc_cb, &f);
	assert_int_equal(f.n, 1);
	assert_int_equal(f.v.prefix.plen, 24);
	struct nhrp_cache_view v;
	assert_int_equal(cache_count(s1, "cached", "10.1.2.0/24", &v), 1);
	assert_true(v.flags & NHRP_VIEW_F_ROUTE);
	assert_int_equal(!!(v.flags & NHRP_VIEW_F_NAT), nat);
	/* s2 (the owner) bound s1 for the return traffic */
	ng = mock_neigh_find(s2, "10.0.0.11");
	assert_non_null(ng);
	assert_true(ipaddr_eq(&ng->nbma, &s1->nbma));

	/* the other direction */
	relay(s2, s1, "10.1.2.5", "10.1.1.5");
	assert_int_equal(C(hub)->traffic_ind_tx, 2);
	r = mock_route_find(s2, "10.1.1.0/24");
	assert_non_null(r);
	struct ipaddr via1 = mock_ip("10.0.0.11");
	assert_true(ipaddr_eq(&r->via, &via1));
	if (nat) {
		/* the hub knows s2 by its post-NAT address */
		assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", &v), 1);
		assert_true(ipaddr_eq(&v.nbma, &s2->public));
		assert_true(v.flags & NHRP_VIEW_F_NAT);
		assert_true(ipaddr_eq(&v.peer->nbma_claimed, &s2->nbma));
	}
	check_clean();
}

static void test_shortcut(void **state)
{
	(void)state;
	shortcut_both_ways(false);
	/* the redirect window (8 s) passes: one more TI, but s1 already has
	 * the shortcut and does not resolve again */
	uint64_t req = C(s1)->res_req_tx;
	relay(s1, s2, "10.1.1.5", "10.1.2.5");
	assert_int_equal(C(hub)->traffic_ind_tx, 2);
	mock_advance(&net, net.now + 9);
	relay(s1, s2, "10.1.1.5", "10.1.2.5");
	assert_int_equal(C(hub)->traffic_ind_tx, 3);
	assert_int_equal(C(s1)->traffic_ind_rx, 2);
	assert_int_equal(C(s1)->res_req_tx, req);
	/* another destination pair is not rate limited by the first */
	relay(s1, s2, "10.1.1.6", "10.1.2.6");
	assert_int_equal(C(hub)->traffic_ind_tx, 4);
	check_clean();
}

static void test_shortcut_nat(void **state)
{
	(void)state;
	shortcut_both_ways(true);
}

static void test_shortcut_refresh_and_expiry(void **state)
{
	(void)state;
	shortcut_both_ways(false);
	struct ipaddr via2 = mock_ip("10.0.0.12");
	struct peer *pp = nhrp_neigh_lookup(s1->nif, &via2, net.now);
	assert_non_null(pp);
	unsigned req = C(s1)->res_req_tx;
	/* used: refreshed at 2/3 of the holdtime, still there after it */
	pp->pkts_out += 10;
	mock_advance(&net, net.now + 401);
	assert_int_equal(C(s1)->res_req_tx, req + 1);
	mock_advance(&net, net.now + 300);
	assert_non_null(mock_route_find(s1, "10.1.2.0/24"));
	/* idle: expires at the end of the holdtime */
	mock_advance(&net, net.now + 600);
	assert_null(mock_route_find(s1, "10.1.2.0/24"));
	assert_true(C(s1)->shortcut_expired >= 1);
	assert_int_equal(cache_count(s1, "cached", "10.1.2.0/24", NULL), 0);
	check_clean();
}

static void test_purge_on_shutdown(void **state)
{
	(void)state;
	shortcut_both_ways(false);
	assert_non_null(mock_route_find(s1, "10.1.2.0/24"));
	unsigned dels = s2->route_dels;
	mock_node_stop(s2, true);
	mock_pump(&net);
	/* s2 withdrew its own shortcut, deregistered, and purged s1 */
	assert_int_equal(s2->route_dels, dels + 1);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 0);
	assert_true(net.sent[NHRP_PURGE_REQUEST] >= 1);
	assert_null(mock_route_find(s1, "10.1.2.0/24"));
	assert_true(C(s1)->purge_req_rx >= 1);
	assert_true(C(s1)->routes_purged >= 1);
	const struct mock_neigh *ng = mock_neigh_find(s1, "10.0.0.12");
	assert_non_null(ng);
	assert_false(ipaddr_is_set(&ng->nbma));
	check_clean();
}

/* Shortcuts both ways, then s2 vanishes; 10 s later its registration on the
 * hub expires and the hub purges s1. */
static void s2_gone_hub_expiring(void)
{
	shortcut_both_ways(false);
	mock_node_stop(s2, false);
	struct ipaddr via2 = mock_ip("10.0.0.12");
	struct peer *pp = nhrp_neigh_lookup(s1->nif, &via2, net.now);
	pp->pkts_out += 1; /* keep s1's shortcut in use: only the purge removes it */
	mock_advance(&net, net.now + 590);
}

static void test_purge_on_hub_expiry(void **state)
{
	(void)state;
	s2_gone_hub_expiring();
	assert_non_null(mock_route_find(s1, "10.1.2.0/24"));
	mock_advance(&net, net.now + 15);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 0);
	assert_null(mock_route_find(s1, "10.1.2.0/24"));
	assert_true(C(hub)->purge_req_tx >= 1);
	assert_true(C(s1)->purge_reply_tx >= 1);
	assert_true(C(hub)->purge_reply_rx >= 1);
	assert_int_equal(C(hub)->purge_retransmit, 0); /* answered at once */
	check_clean();
}

/* A Purge Request without the N bit is retransmitted (1, 2, 4 s) until its
 * reply comes; a reply that is lost is made up for; a dead resolver ends
 * the retransmissions after NHRP_PURGE_TRIES. */
static void test_purge_retransmit(void **state)
{
	(void)state;
	s2_gone_hub_expiring();
	/* s1 does not hear the hub's purge (or anything) for a while */
	s1->rx_down = true;
	mock_advance(&net, net.now + 12);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 0);
	uint64_t first = C(hub)->purge_req_tx;
	assert_true(first >= 1);
	assert_int_equal(C(s1)->purge_req_rx, 0);
	/* two retransmissions, 1 s and then 2 s later; then s1 hears again */
	mock_advance(&net, net.now + 3.1);
	assert_true(C(hub)->purge_retransmit >= 2);
	s1->rx_down = false;
	mock_advance(&net, net.now + 5);
	assert_true(C(s1)->purge_req_rx >= 1);
	assert_null(mock_route_find(s1, "10.1.2.0/24"));
	assert_true(C(hub)->purge_reply_rx >= 1);
	assert_int_equal(C(hub)->purge_giveup, 0);
	uint64_t rt = C(hub)->purge_retransmit;
	mock_advance(&net, net.now + 30);
	assert_int_equal(C(hub)->purge_retransmit, rt); /* answered: no more */
	check_clean();
}

static void test_purge_giveup(void **state)
{
	(void)state;
	s2_gone_hub_expiring();
	s1->rx_down = true; /* s1 never answers again */
	mock_advance(&net, net.now + 60);
	assert_int_equal(C(hub)->purge_retransmit, 3); /* NHRP_PURGE_TRIES - 1 */
	assert_int_equal(C(hub)->purge_giveup, 1);
	s1->rx_down = false;
}

static void test_ipv6(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET6, "198.18.0.1", "fd00::1/64");
	s1 = mock_node_add(&net, "s1", AF_INET6, "198.18.1.1", "fd00::11/64");
	s2 = mock_node_add(&net, "s2", AF_INET6, "2001:db8::2", "fd00::12/64");
	/* s2 has an IPv6 underlay: a separate overlay on IPv4 NBMA for s1;
	 * use IPv4 NBMA for both spokes of this hub. */
	s2->nbma = s2->public = mock_ip("198.18.1.2");
	s2->cfg.tunnel_source = s2->nbma;
	mock_node_add_nhs(s1, "fd00::1", "198.18.0.1", 1);
	mock_node_add_nhs(s2, NULL, "198.18.0.1", 1); /* nhs dynamic */
	hub->cfg.nhrp6.redirect = true;
	s1->cfg.nhrp6.shortcut = s2->cfg.nhrp6.shortcut = true;
	mock_node_add_route(hub, "fd01:1::/64", true, "fd00::11");
	mock_node_add_route(hub, "fd01:2::/64", true, "fd00::12");
	mock_node_add_route(s1, "fd01:1::/64", false, NULL);
	mock_node_add_route(s2, "fd01:2::/64", false, NULL);
	mock_node_start(hub);
	mock_node_start(s1);
	mock_node_start(s2);
	mock_advance(&net, net.now + 1);
	assert_string_equal(nhs_state(s1, 0), "up");
	assert_string_equal(nhs_state(s2, 0), "up");
	assert_int_equal(cache_count(hub, "dynamic", "fd00::12/128", NULL), 1);
	/* nhs dynamic learnt the hub's overlay address */
	struct nhs_find nf = { 0 };
	nhrp_nhs_walk(s2->nif, net.now, nhs_cb, &nf);
	struct ipaddr h = mock_ip("fd00::1");
	assert_true(ipaddr_eq(&nf.v[0].proto, &h));
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REQUEST].buf,
				    net.last[NHRP_REGISTRATION_REQUEST].len), NHRP_OK);
	assert_int_equal(p->pro_type, NHRP_PRO_IPV6);
	assert_int_equal(p->cies.e[0].prefix_len, 128);
	free(p);
	relay(s1, s2, "fd01:1::5", "fd01:2::5");
	const struct mock_installed *r = mock_route_find(s1, "fd01:2::/64");
	assert_non_null(r);
	struct ipaddr v2 = mock_ip("fd00::12");
	assert_true(ipaddr_eq(&r->via, &v2));
	check_clean();
}

static void test_ipv6_over_ipv6(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET6, "2001:db8::1", "fd00::1/64");
	s1 = mock_node_add(&net, "s1", AF_INET6, "2001:db8::11", "fd00::11/64");
	mock_node_add_nhs(s1, "fd00::1", "2001:db8::1", 1);
	mock_node_start(hub);
	mock_node_start(s1);
	mock_advance(&net, net.now + 1);
	assert_string_equal(nhs_state(s1, 0), "up");
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REPLY].buf,
				    net.last[NHRP_REGISTRATION_REPLY].len), NHRP_OK);
	assert_int_equal(p->afn, NHRP_AFN_IPV6);
	free(p);
	check_clean();
}

/* Builds a packet as a peer would, into buf. */
static void test_error_indications(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	uint8_t buf[512];
	/* unknown compulsory extension */
	nhrp_packet_init(p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->src_nbma = s1->nbma;
	p->src_proto = mock_ip("10.0.0.11");
	p->dst_proto = mock_ip("10.1.2.5");
	p->cies.count = 1;
	p->ext_end = true;
	struct nhrp_ext *e = nhrp_ext_add(p, 0x1234);
	e->compulsory = true;
	size_t n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_unknown_ext, 1);
	assert_int_equal(C(hub)->error_ind_tx, 1);
	assert_int_equal(C(s1)->error_ind_rx, 1);
	struct nhrp_packet *ei = calloc(1, sizeof(*ei));
	assert_int_equal(nhrp_parse(ei, net.last[NHRP_ERROR_INDICATION].buf,
				    net.last[NHRP_ERROR_INDICATION].len), NHRP_OK);
	assert_int_equal(ei->error_code, NHRP_ERROR_UNRECOGNIZED_EXTENSION);
	assert_true(ei->error_offset > 20);
	/* hop count exhausted */
	nhrp_packet_init(p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->hop_count = 1;
	p->src_nbma = s1->nbma;
	p->src_proto = mock_ip("10.0.0.11");
	p->dst_proto = mock_ip("10.1.2.5");
	p->cies.count = 1;
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->hop_count_exceeded, 1);
	assert_int_equal(nhrp_parse(ei, net.last[NHRP_ERROR_INDICATION].buf,
				    net.last[NHRP_ERROR_INDICATION].len), NHRP_OK);
	assert_int_equal(ei->error_code, NHRP_ERROR_HOP_COUNT_EXCEEDED);
	/* loop: our own record in the forward transit list */
	p->hop_count = 200;
	p->ext_end = true;
	struct nhrp_cie own = { 0 };
	own.nbma = hub->nbma;
	own.proto = mock_ip("10.0.0.1");
	nhrp_ext_add(p, NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_append_cie(p, NHRP_EXT_FWD_TRANSIT, &own);
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_loop, 1);
	assert_int_equal(nhrp_parse(ei, net.last[NHRP_ERROR_INDICATION].buf,
				    net.last[NHRP_ERROR_INDICATION].len), NHRP_OK);
	assert_int_equal(ei->error_code, NHRP_ERROR_LOOP_DETECTED);
	/* unreachable */
	nhrp_packet_init(p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->src_nbma = s1->nbma;
	p->src_proto = mock_ip("10.0.0.11");
	p->dst_proto = mock_ip("172.16.0.1");
	p->cies.count = 1;
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_no_route, 1);
	assert_int_equal(nhrp_parse(ei, net.last[NHRP_ERROR_INDICATION].buf,
				    net.last[NHRP_ERROR_INDICATION].len), NHRP_OK);
	assert_int_equal(ei->error_code, NHRP_ERROR_PROTO_ADDR_UNREACHABLE);
	/* invalid packet (bad CIE length): protocol error; garbage: counted only */
	n = build(p, buf, sizeof(buf));
	buf[n - 1] ^= 0xff;
	uint64_t mal = C(hub)->rx_malformed;
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_malformed, mal + 1);
	const uint8_t junk[3] = { 1, 2, 3 };
	mock_inject(hub, "198.18.1.1", junk, sizeof(junk));
	assert_int_equal(C(hub)->rx_malformed, mal + 2);
	/* wrong family for this engine */
	nhrp_packet_init(p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV6);
	p->src_nbma = s1->nbma;
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_bad_network, 1);
	nhrp_packet_init(p, NHRP_RESOLUTION_REQUEST, NHRP_AFN_IPV6, NHRP_PRO_IPV4);
	p->src_nbma = mock_ip("2001:db8::1");
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(C(hub)->rx_wrong_af, 1);
	free(ei);
	free(p);
	check_clean();
}

/* With /32 tunnel addresses (the lab's and SPEC's layout) nothing is
 * connected: resolving a peer's tunnel address installs a host route via
 * that address, or traffic to it would keep going through the hub. */
static void test_tunnel_address_host_route(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/32");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/32");
	s2 = mock_node_add(&net, "s2", AF_INET, "198.18.1.2", "10.0.0.12/32");
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(s2, "10.0.0.1", "198.18.0.1", 1);
	hub->cfg.nhrp4.redirect = true;
	s1->cfg.nhrp4.shortcut = s2->cfg.nhrp4.shortcut = true;
	mock_node_add_route(s1, "10.0.0.0/8", true, "10.0.0.1");
	mock_node_add_route(s2, "10.0.0.0/8", true, "10.0.0.1");
	mock_node_start(hub);
	mock_node_start(s1);
	mock_node_start(s2);
	mock_advance(&net, net.now + 1);
	struct ipaddr t = mock_ip("10.0.0.12");
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	struct peer *pp = nhrp_neigh_lookup(s1->nif, &t, net.now);
	assert_non_null(pp);
	assert_true(ipaddr_eq(&pp->nbma, &s2->nbma));
	const struct mock_installed *r = mock_route_find(s1, "10.0.0.12/32");
	assert_non_null(r);
	assert_true(ipaddr_eq(&r->via, &t));
	check_clean();
}

static void test_purge_from_spoke_and_hub_lan(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_node_add_route(hub, "10.9.0.0/16", false, NULL); /* the hub's own LAN */
	mock_advance(&net, net.now + 1);
	/* a spoke resolving a tunnel address: /32, bound, no route */
	struct ipaddr t = mock_ip("10.0.0.12");
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	assert_int_equal(cache_count(s1, "incomplete", "10.0.0.12/32", NULL), 1);
	mock_pump(&net);
	struct peer *pp = nhrp_neigh_lookup(s1->nif, &t, net.now);
	assert_non_null(pp);
	assert_true(ipaddr_eq(&pp->nbma, &s2->nbma));
	assert_int_equal(s1->route_adds, 0); /* 10.0.0.11/24 covers it */
	/* the hub answers for what it routes itself */
	t = mock_ip("10.9.1.1");
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_int_equal(net.last[NHRP_RESOLUTION_REPLY].from, hub->id);
	const struct mock_installed *r = mock_route_find(s1, "10.9.0.0/16");
	assert_non_null(r);
	struct ipaddr hv = mock_ip("10.0.0.1");
	assert_true(ipaddr_eq(&r->via, &hv));
	/* the hub cannot reach it: Error Indication, and s1 caches a negative entry */
	t = mock_ip("10.0.0.77");
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_int_equal(C(hub)->rx_no_route, 1);
	assert_int_equal(cache_count(s1, "negative", "10.0.0.77/32", NULL), 1);
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_int_equal(C(hub)->rx_no_route, 1); /* no new request while negative */
	mock_advance(&net, net.now + 11);
	assert_int_equal(cache_count(s1, "negative", NULL, NULL), 0);
	/* a spoke purges its own registration on the hub */
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	uint8_t buf[256];
	nhrp_packet_init(p, NHRP_PURGE_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	p->request_id = 77;
	p->src_nbma = s1->nbma;
	p->src_proto = mock_ip("10.0.0.11");
	p->dst_proto = mock_ip("10.0.0.1");
	p->cies.count = 1;
	p->cies.e[0].prefix_len = 32;
	p->cies.e[0].proto = mock_ip("10.0.0.11");
	size_t n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", NULL), 0);
	assert_int_equal(C(hub)->purge_reply_tx, 1);
	assert_int_equal(C(s1)->purge_reply_rx, 1);
	/* not from the registered NBMA: refused */
	p->cies.e[0].proto = mock_ip("10.0.0.12");
	n = build(p, buf, sizeof(buf));
	mock_inject(hub, "198.18.1.1", buf, n);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 1);
	free(p);
	check_clean();
}

int main(void)
{
	log_init("test_nhrp_shortcut", LOG_DEST_NONE, LOG_LVL_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_shortcut, teardown),
		cmocka_unit_test_teardown(test_shortcut_nat, teardown),
		cmocka_unit_test_teardown(test_shortcut_refresh_and_expiry, teardown),
		cmocka_unit_test_teardown(test_purge_on_shutdown, teardown),
		cmocka_unit_test_teardown(test_purge_on_hub_expiry, teardown),
		cmocka_unit_test_teardown(test_purge_retransmit, teardown),
		cmocka_unit_test_teardown(test_purge_giveup, teardown),
		cmocka_unit_test_teardown(test_tunnel_address_host_route, teardown),
		cmocka_unit_test_teardown(test_ipv6, teardown),
		cmocka_unit_test_teardown(test_ipv6_over_ipv6, teardown),
		cmocka_unit_test_teardown(test_error_indications, teardown),
		cmocka_unit_test_teardown(test_purge_from_spoke_and_hub_lan, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

