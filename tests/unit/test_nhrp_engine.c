/* NHRP engine scenarios: registration, NHS states and failover, hub
 * cache (one hub, spokes, mock clock and network: nhrp_mock.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lib/log.h"
#include "tests/unit/nhrp_scen.h"

static void test_registration(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	assert_string_equal(nhs_state(s1, 0), "up");
	assert_string_equal(nhs_state(s2, 0), "up");
	assert_int_equal(cache_count(hub, "dynamic", NULL, NULL), 2);
	struct nhrp_cache_view v;
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", &v), 1);
	assert_true(ipaddr_eq(&v.nbma, &s1->nbma));
	assert_true(v.flags & NHRP_VIEW_F_UNIQUE);
	assert_true(v.expires_s > 598 && v.expires_s <= 600);
	assert_non_null(v.peer);
	assert_int_equal(v.peer->state, PEER_UP);
	assert_int_equal(v.peer->type, PEER_T_DYNAMIC);
	/* the hub learnt the spoke's tunnel address for the data path */
	const struct mock_neigh *ng = mock_neigh_find(hub, "10.0.0.12");
	assert_non_null(ng);
	assert_true(ipaddr_eq(&ng->nbma, &s2->nbma));
	/* and installed host routes to both spokes' tunnel addresses */
	assert_non_null(mock_route_find(hub, "10.0.0.11/32"));
	assert_non_null(mock_route_find(hub, "10.0.0.12/32"));
	assert_int_equal(C(hub)->host_route_installed, 2);
	/* the spoke has its NHS in the cache */
	assert_int_equal(cache_count(s1, "nhs", "10.0.0.1/32", NULL), 1);
	assert_int_equal(C(s1)->reg_req_tx, 1);
	assert_int_equal(C(s1)->reg_reply_rx, 1);
	assert_int_equal(C(hub)->reg_req_rx, 2);
	assert_int_equal(C(hub)->reg_reply_tx, 2);
	/* the request carries Cisco's flags: unique + NAT supported */
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REQUEST].buf,
				    net.last[NHRP_REGISTRATION_REQUEST].len), NHRP_OK);
	assert_int_equal(p->flags, NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT);
	assert_int_equal(p->cies.e[0].holding_time, 600);
	assert_int_equal(p->cies.e[0].prefix_len, 32);
	/* and the reply a responder address */
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REPLY].buf,
				    net.last[NHRP_REGISTRATION_REPLY].len), NHRP_OK);
	const struct nhrp_ext *r = nhrp_ext_find(p, NHRP_EXT_RESPONDER);
	assert_non_null(r);
	assert_int_equal(r->u.cies.count, 1);
	assert_true(ipaddr_eq(&r->u.cies.e[0].nbma, &hub->nbma));
	free(p);

	/* re-registration at holdtime/3 */
	mock_advance(&net, net.now + 198);
	assert_int_equal(C(s1)->reg_req_tx, 1);
	mock_advance(&net, net.now + 2);
	assert_int_equal(C(s1)->reg_req_tx, 2);
	assert_int_equal(C(s1)->reg_reply_rx, 2);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", &v), 1);
	assert_true(v.expires_s > 598);
	check_clean();
}


static void test_expiry_on_hub(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	assert_int_equal(cache_count(hub, "dynamic", NULL, NULL), 2);
	/* s2 disappears without a word: its registration runs out */
	mock_node_stop(s2, false);
	mock_advance(&net, net.now + 590);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 1);
	mock_advance(&net, net.now + 20);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.12/32", NULL), 0);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", NULL), 1); /* refreshed */
	assert_int_equal(C(hub)->cache_expired, 1);
	const struct mock_neigh *ng = mock_neigh_find(hub, "10.0.0.12");
	assert_non_null(ng);
	assert_false(ipaddr_is_set(&ng->nbma)); /* the data path forgot it */
	assert_null(mock_route_find(hub, "10.0.0.12/32")); /* and its host route */
	assert_non_null(mock_route_find(hub, "10.0.0.11/32"));
	assert_null(peer_find((struct ovl_if *)&hub->ovl, &s2->nbma));
	check_clean();
}

static void test_duplicate_unique(void **state)
{
	(void)state;
	topo(false, NULL);
	/* s3 claims s1's overlay address from another NBMA */
	struct mock_node *s3 = mock_node_add(&net, "s3", AF_INET, "198.18.1.3", "10.0.0.11/24");
	mock_node_add_nhs(s3, "10.0.0.1", "198.18.0.1", 1);
	mock_node_start(s3);
	mock_advance(&net, net.now + 1);
	assert_int_equal(C(hub)->reg_refused, 1);
	assert_int_equal(C(s3)->reg_nak_rx, 1);
	assert_string_equal(nhs_state(s3, 0), "down");
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REPLY].buf,
				    net.last[NHRP_REGISTRATION_REPLY].len), NHRP_OK);
	assert_int_equal(p->cies.e[0].code, NHRP_CIE_ALREADY_REGISTERED);
	assert_true(ipaddr_eq(&net.last[NHRP_REGISTRATION_REPLY].dst, &s3->nbma));
	free(p);
	struct nhrp_cache_view v;
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", &v), 1);
	assert_true(ipaddr_eq(&v.nbma, &s1->nbma)); /* the first one stays */
	/* it keeps trying, and keeps being refused */
	mock_advance(&net, net.now + 60);
	assert_true(C(hub)->reg_refused >= 2);
	assert_string_equal(nhs_state(s1, 0), "up");
	check_clean();
}

static void test_auth_mismatch(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	s2 = mock_node_add(&net, "s2", AF_INET, "198.18.1.2", "10.0.0.12/24");
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(s2, "10.0.0.1", "198.18.0.1", 1);
	hub->cfg.nhrp_auth = (char *)"secret";
	s1->cfg.nhrp_auth = (char *)"wrong";
	s2->cfg.nhrp_auth = (char *)"secret";
	mock_node_start(hub);
	mock_node_start(s1);
	mock_node_start(s2);
	mock_advance(&net, net.now + 10);
	assert_true(C(hub)->rx_auth_fail >= 1);
	assert_int_equal(C(hub)->reg_req_rx, C(s2)->reg_req_tx); /* only s2's got through */
	assert_string_equal(nhs_state(s1, 0), "down");
	assert_string_equal(nhs_state(s2, 0), "up");
	assert_int_equal(cache_count(hub, "dynamic", NULL, NULL), 1);
	/* s1 was told why (RFC 2332 5.3.4), and s1 in turn refuses the
	 * Error Indication (it carries the hub's password) without answering */
	assert_true(C(hub)->error_ind_tx >= 1);
	assert_true(C(s1)->rx_auth_fail >= 1);
	assert_int_equal(C(s1)->error_ind_tx, 0);
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_ERROR_INDICATION].buf,
				    net.last[NHRP_ERROR_INDICATION].len), NHRP_OK);
	assert_int_equal(p->error_code, NHRP_ERROR_AUTHENTICATION_FAILURE);
	/* the password travels in Cisco's cleartext extension */
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REPLY].buf,
				    net.last[NHRP_REGISTRATION_REPLY].len), NHRP_OK);
	const struct nhrp_ext *e = nhrp_ext_find(p, NHRP_EXT_AUTH);
	assert_non_null(e);
	assert_int_equal(e->u.auth.type, NHRP_AUTH_CLEARTEXT);
	assert_int_equal(e->u.auth.data.len, 6);
	assert_memory_equal(e->u.auth.data.p, "secret", 6);
	free(p);
	/* a packet without any authentication is dropped too */
	hub->cfg.nhrp_auth = NULL;
	check_clean();
}

static void test_backoff(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	/* fresh spoke; the hub stops answering */
	hub->rx_down = true;
	struct mock_node *s3 = mock_node_add(&net, "s3", AF_INET, "198.18.1.3", "10.0.0.13/24");
	mock_node_add_nhs(s3, "10.0.0.1", "198.18.0.1", 1);
	double t0 = net.now;
	mock_node_start(s3);
	assert_string_equal(nhs_state(s3, 0), "probing");
	/* tries at t0, +1, +3, +7, +15, +31, +63, +127, then every 64 s */
	static const struct {
		double at;
		unsigned tx;
	} want[] = { { 0.5, 1 }, { 1.5, 2 }, { 2.9, 2 }, { 3.1, 3 }, { 6.9, 3 }, { 7.1, 4 },
		     { 15.1, 5 }, { 31.1, 6 }, { 63.1, 7 }, { 126.9, 7 }, { 127.1, 8 },
		     { 191.1, 9 }, { 255.1, 10 } };
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		mock_advance(&net, t0 + want[i].at);
		assert_int_equal(C(s3)->reg_req_tx, want[i].tx);
		if (want[i].at > 7)
			assert_string_equal(nhs_state(s3, 0), "down");
	}
	assert_true(C(s3)->reg_timeout >= 9);
	/* the hub comes back: the next retry registers */
	hub->rx_down = false;
	mock_advance(&net, t0 + 320);
	assert_string_equal(nhs_state(s3, 0), "up");
	check_clean();
}

static void test_nhs_failover(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hubA", AF_INET, "198.18.0.1", "10.0.0.1/24");
	struct mock_node *hb = mock_node_add(&net, "hubB", AF_INET, "198.18.0.2", "10.0.0.2/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	mock_node_add_nhs(s1, "10.0.0.2", "198.18.0.2", 2);
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	s1->cfg.nhrp4.shortcut = true;
	mock_node_start(hub);
	mock_node_start(hb);
	mock_node_start(s1);
	mock_advance(&net, net.now + 1);
	assert_string_equal(nhs_state(s1, 0), "up");
	assert_string_equal(nhs_state(s1, 1), "up");
	/* resolutions go to the preferred (lowest priority value) NHS */
	struct ipaddr t = mock_ip("10.0.0.99");
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_true(ipaddr_eq(&net.last[NHRP_RESOLUTION_REQUEST].dst, &hub->nbma));
	/* hub A dies: after the refresh fails, s1 falls over to B */
	hub->rx_down = true;
	mock_advance(&net, net.now + 230);
	assert_string_equal(nhs_state(s1, 1), "down");
	assert_string_equal(nhs_state(s1, 0), "up");
	nhrp_cache_clear(s1->nif, net.now);
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_true(ipaddr_eq(&net.last[NHRP_RESOLUTION_REQUEST].dst, &hb->nbma));
	/* A recovers: s1 registers again and falls back to it */
	hub->rx_down = false;
	mock_advance(&net, net.now + 130);
	assert_string_equal(nhs_state(s1, 1), "up");
	nhrp_cache_clear(s1->nif, net.now);
	assert_null(nhrp_neigh_lookup(s1->nif, &t, net.now));
	mock_pump(&net);
	assert_true(ipaddr_eq(&net.last[NHRP_RESOLUTION_REQUEST].dst, &hub->nbma));
	check_clean();
}

static void test_cache_clear_keeps_static(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	relay(s1, s2, "10.1.1.5", "10.1.2.5");
	assert_non_null(mock_route_find(s1, "10.1.2.0/24"));
	nhrp_cache_clear(s1->nif, net.now);
	assert_null(mock_route_find(s1, "10.1.2.0/24"));
	assert_int_equal(cache_count(s1, "nhs", NULL, NULL), 1);
	assert_int_equal(cache_count(s1, "local", NULL, NULL), 1);
	assert_int_equal(cache_count(s1, "cached", NULL, NULL), 0);
	check_clean();
}

static void test_no_unique(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	s2 = mock_node_add(&net, "s2", AF_INET, "198.18.1.2", "10.0.0.11/24");
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(s2, "10.0.0.1", "198.18.0.1", 1);
	s1->cfg.nhrp4.reg_no_unique = true;
	mock_node_start(hub);
	mock_node_start(s1);
	mock_advance(&net, net.now + 1);
	struct nhrp_cache_view v;
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", &v), 1);
	assert_false(v.flags & NHRP_VIEW_F_UNIQUE);
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REQUEST].buf,
				    net.last[NHRP_REGISTRATION_REQUEST].len), NHRP_OK);
	assert_int_equal(p->flags, NHRP_FLAG_CISCO_NAT);
	free(p);
	/* not unique: a new NBMA for the address takes over */
	mock_node_start(s2);
	mock_advance(&net, net.now + 1);
	assert_int_equal(C(hub)->reg_refused, 0);
	assert_int_equal(cache_count(hub, "dynamic", "10.0.0.11/32", &v), 1);
	assert_true(ipaddr_eq(&v.nbma, &s2->nbma));
	assert_string_equal(nhs_state(s2, 0), "up");
	check_clean();
}

static void test_nhs_fqdn_late(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	mock_node_add_nhs(s1, "10.0.0.1", NULL, 1); /* `nbma FQDN`, not resolved yet */
	mock_node_start(hub);
	mock_node_start(s1);
	mock_advance(&net, net.now + 30);
	assert_int_equal(C(s1)->reg_req_tx, 0);
	assert_string_equal(nhs_state(s1, 0), "down");
	struct ipaddr a = mock_ip("198.18.0.1");
	nhrp_if_nhs_set_nbma(s1->nif, 0, &a, net.now);
	mock_pump(&net);
	assert_string_equal(nhs_state(s1, 0), "up");
	check_clean();
}

static void test_static_map_and_nhs_mapping(void **state)
{
	(void)state;
	mock_net_init(&net);
	hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	static struct cfg_map m;
	m.proto = mock_ip("10.0.0.50");
	m.nbma = mock_ip("198.18.1.50");
	s1->cfg.nhrp4.maps = &m;
	s1->cfg.nhrp4.n_maps = 1;
	hub->rx_down = true;
	mock_node_start(hub);
	mock_node_start(s1);
	/* the NHS is mapped before it ever answers */
	struct ipaddr a = mock_ip("10.0.0.1");
	struct peer *p = nhrp_neigh_lookup(s1->nif, &a, net.now);
	assert_non_null(p);
	assert_true(ipaddr_eq(&p->nbma, &hub->nbma));
	assert_int_equal(p->type, PEER_T_NHS);
	assert_int_equal(p->state, PEER_CONNECTING);
	/* static map */
	a = mock_ip("10.0.0.50");
	p = nhrp_neigh_lookup(s1->nif, &a, net.now);
	assert_non_null(p);
	assert_int_equal(p->type, PEER_T_STATIC);
	assert_int_equal(p->state, PEER_UP);
	const struct mock_neigh *ng = mock_neigh_find(s1, "10.0.0.50");
	assert_non_null(ng);
	assert_true(ipaddr_eq(&ng->nbma, &m.nbma));
	nhrp_cache_clear(s1->nif, net.now);
	assert_int_equal(cache_count(s1, "static", "10.0.0.50/32", NULL), 1);
	assert_int_equal(cache_count(s1, "nhs", "10.0.0.1/32", NULL), 1);
	check_clean();
}

static void test_deadline(void **state)
{
	(void)state;
	topo(false, NULL);
	mock_advance(&net, net.now + 1);
	/* spoke: next re-registration; hub: next expiry */
	double d = nhrp_if_next_deadline(s1->nif);
	assert_true(d > net.now && d <= net.now + 200);
	d = nhrp_if_next_deadline(hub->nif);
	assert_true(d > net.now && d <= net.now + 600);
	check_clean();
}

int main(void)
{
	log_init("test_nhrp_engine", LOG_DEST_NONE, LOG_LVL_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_registration, teardown),
		cmocka_unit_test_teardown(test_expiry_on_hub, teardown),
		cmocka_unit_test_teardown(test_duplicate_unique, teardown),
		cmocka_unit_test_teardown(test_auth_mismatch, teardown),
		cmocka_unit_test_teardown(test_backoff, teardown),
		cmocka_unit_test_teardown(test_nhs_failover, teardown),
		cmocka_unit_test_teardown(test_cache_clear_keeps_static, teardown),
		cmocka_unit_test_teardown(test_deadline, teardown),
		cmocka_unit_test_teardown(test_static_map_and_nhs_mapping, teardown),
		cmocka_unit_test_teardown(test_no_unique, teardown),
		cmocka_unit_test_teardown(test_nhs_fqdn_late, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

