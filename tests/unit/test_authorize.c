/* The identity-to-address rule of tunnel protection: `authorize` lines in
 * an IKEv2 profile (parser, writer, cfg_profile_authorizes) and the hub's
 * refusal of a registration whose IKE identity may not hold the address
 * (NHRP engine on the mock network, code 4 in the reply, counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "config.h"
#include "lib/log.h"
#include "nhrp/packet.h"
#include "overlay/peer.h"
#include "tests/unit/nhrp_mock.h"

static const char conf_text[] =
    "crypto ikev2 profile P\n"
    " authentication psk \"a long secret\"\n"
    " authorize fqdn s1.lab tunnel-address 10.0.0.11/32\n"
    " authorize fqdn thief.lab tunnel-address 10.0.0.12\n"
    " authorize fqdn domain branch.example.net tunnel-address 10.9.0.0/16\n"
    " authorize email domain example.org tunnel-address 10.8.0.0/16\n"
    " authorize address 198.18.0.99 tunnel-address fd00::99/128\n"
    "!\n";

static struct config *load(const char *text, int *nerr, char *errs, size_t errlen)
{
	FILE *f = fmemopen(errs, errlen, "w");
	struct config *c = config_parse_string("t.conf", text, strlen(text), f, nerr);
	fclose(f);
	return c;
}

static bool ok(const struct cfg_profile *p, enum cfg_id_type t, const char *id, const char *a)
{
	struct ipaddr x;
	assert_int_equal(ipaddr_parse(&x, a), 0);
	return cfg_profile_authorizes(p, t, id, &x);
}

static void test_rule(void **state)
{
	char errs[512] = "";
	int nerr = 0;
	(void)state;
	struct config *c = load(conf_text, &nerr, errs, sizeof(errs));
	assert_non_null(c);
	const struct cfg_profile *p = config_find_profile(c, "P");
	assert_non_null(p);
	assert_int_equal(p->n_authz, 5);
	assert_int_equal(p->authz[1].prefix.plen, 32); /* a bare address is a host */
	assert_int_equal(p->authz[0].line, 3);

	assert_true(ok(p, CFG_ID_FQDN, "s1.lab", "10.0.0.11"));
	assert_true(ok(p, CFG_ID_FQDN, "S1.LAB", "10.0.0.11")); /* names ignore case */
	assert_false(ok(p, CFG_ID_FQDN, "s1.lab", "10.0.0.12"));  /* another's address */
	assert_false(ok(p, CFG_ID_FQDN, "thief.lab", "10.0.0.11"));
	assert_false(ok(p, CFG_ID_KEY_ID, "s1.lab", "10.0.0.11")); /* the type counts */
	assert_false(ok(p, CFG_ID_FQDN, "", "10.0.0.11"));
	/* domain rules: the suffix on a label boundary */
	assert_true(ok(p, CFG_ID_FQDN, "r1.branch.example.net", "10.9.3.4"));
	assert_true(ok(p, CFG_ID_FQDN, "branch.example.net", "10.9.0.1"));
	assert_false(ok(p, CFG_ID_FQDN, "evilbranch.example.net", "10.9.3.4"));
	assert_false(ok(p, CFG_ID_FQDN, "r1.branch.example.net", "10.10.0.1"));
	assert_true(ok(p, CFG_ID_EMAIL, "ops@example.org", "10.8.1.1"));
	assert_false(ok(p, CFG_ID_EMAIL, "ops@example.org.evil", "10.8.1.1"));
	/* address identities, IPv6 overlay */
	assert_true(ok(p, CFG_ID_ADDRESS, "198.18.0.99", "fd00::99"));
	assert_false(ok(p, CFG_ID_ADDRESS, "198.18.0.98", "fd00::99"));

	/* without any authorize line everyone may register anything */
	struct cfg_profile none = {0};
	assert_true(ok(&none, CFG_ID_NONE, "", "10.0.0.11"));

	/* the writer gives it back */
	char *buf = NULL;
	size_t len = 0;
	FILE *w = open_memstream(&buf, &len);
	assert_int_equal(config_write(c, w, true), 0);
	fclose(w);
	assert_non_null(strstr(buf, " authorize fqdn s1.lab tunnel-address 10.0.0.11/32\n"));
	assert_non_null(strstr(buf, " authorize fqdn domain branch.example.net tunnel-address "
	                            "10.9.0.0/16\n"));
	struct config *c2 = load(buf, &nerr, errs, sizeof(errs));
	assert_non_null(c2);
	assert_int_equal(config_find_profile(c2, "P")->n_authz, 5);
	config_free(c2);
	free(buf);
	config_free(c);
}

static void test_errors(void **state)
{
	char errs[1024] = "";
	int nerr = 0;
	(void)state;
	static const char bad[] = "crypto ikev2 profile P\n"
	                          " authentication psk x\n"
	                          " authorize fqdn s1.lab tunnel-address nonsense\n"
	                          " authorize fqdn s1.lab 10.0.0.1/32\n"
	                          " authorize bogus s1 tunnel-address 10.0.0.1\n"
	                          " authorize key-id domain x tunnel-address 10.0.0.1\n";
	assert_null(load(bad, &nerr, errs, sizeof(errs)));
	assert_int_equal(nerr, 4);
	assert_non_null(strstr(errs, "t.conf:3: authorize: tunnel-address must be"));
	assert_non_null(strstr(errs, "t.conf:4:"));
	assert_non_null(strstr(errs, "t.conf:5: authorize: type must be"));
	assert_non_null(strstr(errs, "t.conf:6:"));
}

/* ---- the hub refuses a hijack (NHRP engine, mock network) ---- */

static struct mock_net net;
static const struct cfg_profile *hub_prof;

/* What the IPsec layer does: the identity of the SA the packet came in on
 * (here: by NBMA address) must be authorized for the address. */
static bool hub_reg_allowed(void *ctx, const struct ipaddr *src, const struct prefix *proto)
{
	const char *id = "";
	(void)ctx;
	if (ipaddr_eq(src, &(struct ipaddr){0}))
		return false;
	struct ipaddr s1 = mock_ip("198.18.1.1"), th = mock_ip("198.18.1.2");
	if (ipaddr_eq(src, &s1))
		id = "s1.lab";
	else if (ipaddr_eq(src, &th))
		id = "thief.lab";
	return cfg_profile_authorizes(hub_prof, CFG_ID_FQDN, id, &proto->addr);
}

struct find {
	const char *pfx;
	int hits;
	struct nhrp_cache_view v;
};
static void find_cb(const struct nhrp_cache_view *v, void *ctx)
{
	struct find *f = ctx;
	struct prefix p;
	prefix_parse(&p, f->pfx);
	if (strcmp(v->type, "dynamic") || v->proto.plen != p.plen || !ipaddr_eq(&v->proto.addr, &p.addr))
		return;
	f->hits++;
	f->v = *v;
}

static void test_hijack_refused(void **state)
{
	char errs[512] = "";
	int nerr = 0;
	(void)state;
	struct config *c = load(conf_text, &nerr, errs, sizeof(errs));
	assert_non_null(c);
	hub_prof = config_find_profile(c, "P");

	mock_net_init(&net);
	struct mock_node *hub = mock_node_add(&net, "hub", AF_INET, "198.18.0.1", "10.0.0.1/24");
	struct mock_node *s1 = mock_node_add(&net, "s1", AF_INET, "198.18.1.1", "10.0.0.11/24");
	/* the thief holds an authorized identity (for 10.0.0.12) and claims s1's address */
	struct mock_node *th = mock_node_add(&net, "thief", AF_INET, "198.18.1.2", "10.0.0.11/24");
	mock_node_add_nhs(s1, "10.0.0.1", "198.18.0.1", 1);
	mock_node_add_nhs(th, "10.0.0.1", "198.18.0.1", 1);
	hub->reg_allowed = hub_reg_allowed;
	mock_node_start(hub);
	mock_node_start(s1);
	mock_advance(&net, net.now + 1);
	struct find f = {.pfx = "10.0.0.11/32"};
	nhrp_cache_walk(hub->nif, net.now, find_cb, &f);
	assert_int_equal(f.hits, 1);
	assert_true(ipaddr_eq(&f.v.nbma, &s1->nbma));
	assert_int_equal(nhrp_if_counters(hub->nif)->reg_refused_identity, 0);

	mock_node_start(th);
	mock_advance(&net, net.now + 1);
	const struct nhrp_counters *hc = nhrp_if_counters(hub->nif);
	assert_true(hc->reg_refused_identity >= 1);
	assert_int_equal(hc->reg_refused, 0); /* refused for the identity, before uniqueness */
	/* the reply says "administratively prohibited" (RFC 2332 CIE code 4) */
	struct nhrp_packet *p = calloc(1, sizeof(*p));
	assert_int_equal(nhrp_parse(p, net.last[NHRP_REGISTRATION_REPLY].buf,
	                            net.last[NHRP_REGISTRATION_REPLY].len),
	                 NHRP_OK);
	assert_int_equal(p->cies.e[0].code, NHRP_CIE_ADMIN_PROHIBITED);
	free(p);
	/* the victim's binding is intact */
	f.hits = 0;
	nhrp_cache_walk(hub->nif, net.now, find_cb, &f);
	assert_int_equal(f.hits, 1);
	assert_true(ipaddr_eq(&f.v.nbma, &s1->nbma));
	assert_non_null(f.v.peer);
	assert_int_equal(f.v.peer->state, PEER_UP);

	mock_net_free(&net);
	assert_int_equal(peer_count(NULL), 0);
	config_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rule),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_hijack_refused),
	};
	log_init("test_authorize", LOG_DEST_STDERR, LOG_LVL_WARNING);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
