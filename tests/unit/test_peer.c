/* Unit tests of the peer table (overlay/peer.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/log.h"
#include "overlay/peer.h"

static char oif_a, oif_b;
#define OIF_A ((struct ovl_if *)&oif_a)
#define OIF_B ((struct ovl_if *)&oif_b)

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;
	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

struct rec {
	int calls;
	struct peer *last;
	enum peer_state old[8], now[8];
	int order[8];
};
static int seq;

static void l1(struct peer *p, enum peer_state old, void *ctx)
{
	struct rec *r = ctx;
	if (r->calls < 8) {
		r->old[r->calls] = old;
		r->now[r->calls] = p->state;
		r->order[r->calls] = seq++;
	}
	r->calls++;
	r->last = p;
}

static void test_get_find_put(void **state)
{
	(void)state;
	struct ipaddr a = ip("198.18.0.1"), b = ip("198.18.0.2");
	assert_null(peer_find(OIF_A, &a));
	struct peer *p = peer_get(OIF_A, &a, PEER_T_DYNAMIC);
	assert_non_null(p);
	assert_int_equal(p->refcnt, 1);
	assert_int_equal(p->state, PEER_DOWN);
	assert_true(p->idx >= 1);
	assert_ptr_equal(peer_find(OIF_A, &a), p);
	assert_null(peer_find(OIF_B, &a)); /* keyed by interface too */
	assert_ptr_equal(peer_find_idx(p->idx), p);
	struct peer *q = peer_get(OIF_A, &a, PEER_T_SHORTCUT);
	assert_ptr_equal(q, p);
	assert_int_equal(p->refcnt, 2);
	assert_int_equal(p->type, PEER_T_DYNAMIC); /* shortcut has no precedence */
	q = peer_get(OIF_A, &a, PEER_T_NHS);
	assert_int_equal(p->type, PEER_T_NHS);
	assert_int_equal(p->refcnt, 3);
	struct peer *o = peer_get(OIF_B, &a, PEER_T_STATIC);
	assert_ptr_not_equal(o, p);
	assert_int_not_equal(o->idx, p->idx);
	assert_int_equal(peer_count(OIF_A), 1);
	assert_int_equal(peer_count(NULL), 2);
	peer_put(p);
	peer_put(p);
	assert_ptr_equal(peer_find(OIF_A, &a), p);
	uint32_t idx = p->idx;
	peer_put(p);
	assert_null(peer_find(OIF_A, &a));
	assert_null(peer_find_idx(idx));
	assert_null(peer_get(OIF_A, &(struct ipaddr){ 0 }, PEER_T_DYNAMIC));
	peer_put(o);
	assert_int_equal(peer_count(NULL), 0);
	(void)b;
}

static void test_idx_unique(void **state)
{
	(void)state;
	struct peer *v[64];
	for (int i = 0; i < 64; i++) {
		struct ipaddr a = ip("198.18.1.0");
		a.b[3] = (uint8_t)i;
		v[i] = peer_get(OIF_A, &a, PEER_T_DYNAMIC);
		assert_non_null(v[i]);
		for (int j = 0; j < i; j++)
			assert_int_not_equal(v[i]->idx, v[j]->idx);
		assert_ptr_equal(peer_find_idx(v[i]->idx), v[i]);
	}
	/* Free half; new peers never take an index still in use. */
	for (int i = 0; i < 64; i += 2)
		peer_put(v[i]);
	for (int i = 0; i < 64; i += 2) {
		struct ipaddr a = ip("198.18.2.0");
		a.b[3] = (uint8_t)i;
		v[i] = peer_get(OIF_A, &a, PEER_T_DYNAMIC);
		for (int j = 1; j < 64; j += 2)
			assert_int_not_equal(v[i]->idx, v[j]->idx);
	}
	assert_int_equal(peer_count(OIF_A), 64);
	for (int i = 0; i < 64; i++)
		peer_put(v[i]);
	assert_int_equal(peer_count(NULL), 0);
}

static void test_state_listeners(void **state)
{
	(void)state;
	struct rec r1 = { 0 }, r2 = { 0 };
	seq = 0;
	assert_int_equal(peer_listener_add(l1, &r1), 0);
	assert_int_equal(peer_listener_add(l1, &r2), 0);
	struct ipaddr a = ip("2001:db8::1");
	struct peer *p = peer_get(OIF_A, &a, PEER_T_SHORTCUT);
	assert_int_equal(peer_set_state(p, PEER_CONNECTING, "resolving"), PEER_DOWN);
	assert_int_equal(r1.calls, 1);
	assert_int_equal(r2.calls, 1);
	assert_true(r1.order[0] < r2.order[0]); /* registration order */
	assert_int_equal(r1.old[0], PEER_DOWN);
	assert_int_equal(r1.now[0], PEER_CONNECTING);
	/* unchanged: no-op */
	assert_int_equal(peer_set_state(p, PEER_CONNECTING, "again"), PEER_CONNECTING);
	assert_int_equal(r1.calls, 1);
	peer_set_state(p, PEER_UP, "resolved");
	assert_int_equal(r1.calls, 2);
	assert_int_equal(p->state, PEER_UP);
	peer_listener_del(l1, &r2);
	/* Last reference: DOWN ("released") reported, then freed. */
	peer_put(p);
	assert_int_equal(r1.calls, 3);
	assert_int_equal(r1.old[2], PEER_UP);
	assert_int_equal(r1.now[2], PEER_DOWN);
	assert_int_equal(r2.calls, 2);
	assert_null(peer_find(OIF_A, &a));
	peer_listener_del(l1, &r1);
	assert_int_equal(peer_count(NULL), 0);
	assert_string_equal(peer_state_name(PEER_UP), "up");
	assert_string_equal(peer_type_name(PEER_T_STATIC), "static");
	assert_string_equal(peer_state_name((enum peer_state)42), "unknown");
}

static int walked;
static void walk_put(struct peer *p, void *ctx)
{
	(void)ctx;
	walked++;
	peer_put(p); /* dropping the caller's reference inside the walk is safe */
}

static void test_walk(void **state)
{
	(void)state;
	struct ipaddr a = ip("198.18.3.1"), b = ip("198.18.3.2"), c = ip("198.18.3.3");
	peer_get(OIF_A, &a, PEER_T_DYNAMIC);
	peer_get(OIF_A, &b, PEER_T_DYNAMIC);
	struct peer *pc = peer_get(OIF_B, &c, PEER_T_DYNAMIC);
	walked = 0;
	peer_walk(OIF_A, walk_put, NULL);
	assert_int_equal(walked, 2);
	assert_int_equal(peer_count(OIF_A), 0);
	assert_int_equal(peer_count(OIF_B), 1);
	peer_put(pc);
	assert_int_equal(peer_count(NULL), 0);
}

int main(void)
{
	log_init("test_peer", LOG_DEST_NONE, LOG_LVL_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_find_put),
		cmocka_unit_test(test_idx_unique),
		cmocka_unit_test(test_state_listeners),
		cmocka_unit_test(test_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
