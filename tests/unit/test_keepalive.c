/* overlay/keepalive.c: the keepalive scheduler and miss rule, driven with a
 * mock clock and a mock peer that answers (or not). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "overlay/keepalive.h"

#define IVL  0.3
#define MISS 3

/* A mock peer: answers each request after rtt seconds while alive. */
struct mpeer {
	struct ka_entry e;
	bool alive;
	double rtt;
	/* one request in flight at most (rtt < interval) */
	bool inflight;
	uint32_t id;
	double due;
	unsigned sent, dead;
	double dead_at;
};

static struct mpeer *of(struct ka_entry *e)
{
	return (struct mpeer *)((char *)e - offsetof(struct mpeer, e));
}

/* Runs the clock from *t to until in steps of dt, delivering replies and
 * handling what is due (what the interface timer does). */
static void run(struct ka_sched *s, struct mpeer *m, size_t n, double *t, double until, double dt)
{
	for (; *t <= until + 1e-12; *t += dt) {
		for (size_t i = 0; i < n; i++)
			if (m[i].inflight && m[i].due <= *t) {
				m[i].inflight = false;
				ka_reply(&m[i].e, true, m[i].id, m[i].due);
			}
		struct ka_entry *e;
		uint32_t id;
		enum ka_action a;
		while ((a = ka_sched_due(s, *t, &e, &id)) != KA_NONE) {
			struct mpeer *p = of(e);
			if (a == KA_DEAD) {
				p->dead++;
				p->dead_at = *t;
				continue;
			}
			p->sent++;
			if (p->alive) {
				p->inflight = true;
				p->id = id;
				p->due = *t + p->rtt;
			}
		}
	}
}

static void test_rtt_and_schedule(void **state)
{
	struct ka_sched s;
	struct mpeer m = {.alive = true, .rtt = 0.002};
	double t = 100.0;

	(void)state;
	ka_sched_init(&s, IVL, MISS, 1);
	ka_entry_init(&m.e);
	assert_false(ka_entry_scheduled(&m.e));
	assert_true(ka_sched_next(&s) == 0);
	assert_int_equal(ka_start(&s, &m.e, t), 0);
	assert_true(ka_entry_scheduled(&m.e));
	/* first request within (0.1, 1] intervals */
	assert_true(ka_sched_next(&s) > t + 0.1 * IVL - 1e-9 && ka_sched_next(&s) <= t + IVL);
	run(&s, &m, 1, &t, 110.0, 0.001);
	/* 10 s at 0.3 s minus up to 3 %: 33..35 requests */
	assert_in_range(m.sent, 33, 35);
	assert_int_equal(m.dead, 0);
	assert_true(m.e.rtt > 0.0019 && m.e.rtt < 0.0031);
	assert_true(m.e.last_reply > 109.6);
	assert_true(m.e.unanswered <= 1);
	assert_int_equal(m.e.rx, m.e.tx - m.e.unanswered);
	ka_sched_free(&s);
	assert_false(ka_entry_scheduled(&m.e));
}

/* The peer stops answering at t_stop: dead after MISS unanswered requests,
 * i.e. between MISS and MISS+1 intervals after the stop. */
static void test_dead_after_misses(void **state)
{
	struct ka_sched s;
	struct mpeer m = {.alive = true, .rtt = 0.001};
	double t = 0, t_stop;

	(void)state;
	ka_sched_init(&s, IVL, MISS, 7);
	ka_entry_init(&m.e);
	ka_start(&s, &m.e, t);
	run(&s, &m, 1, &t, 5.0, 0.001);
	assert_int_equal(m.dead, 0);
	m.alive = false;
	t_stop = t;
	run(&s, &m, 1, &t, 10.0, 0.001);
	assert_int_equal(m.dead, 1);
	assert_false(ka_entry_scheduled(&m.e));
	double dt = m.dead_at - t_stop;
	assert_true(dt >= MISS * IVL * (1 - KA_JITTER) - 0.002);
	assert_true(dt <= (MISS + 1) * IVL + 0.002);
	/* nothing more is sent to a dead peer */
	unsigned sent = m.sent;
	run(&s, &m, 1, &t, 12.0, 0.001);
	assert_int_equal(m.sent, sent);
	assert_true(ka_sched_next(&s) == 0);
	/* it comes back (registered again): probing restarts, counts reset */
	m.alive = true;
	ka_start(&s, &m.e, t);
	run(&s, &m, 1, &t, 15.0, 0.001);
	assert_int_equal(m.dead, 1);
	assert_true(m.e.unanswered <= 1);
	ka_sched_free(&s);
}

/* One lost reply is not a death: the count resets on the next reply. */
static void test_single_loss(void **state)
{
	struct ka_sched s;
	struct mpeer m = {.alive = true, .rtt = 0.001};
	double t = 0;

	(void)state;
	ka_sched_init(&s, IVL, MISS, 3);
	ka_entry_init(&m.e);
	ka_start(&s, &m.e, t);
	run(&s, &m, 1, &t, 2.0, 0.001);
	m.alive = false; /* two requests lost */
	run(&s, &m, 1, &t, 2.0 + 2 * IVL * 0.99, 0.001);
	m.alive = true;
	run(&s, &m, 1, &t, 6.0, 0.001);
	assert_int_equal(m.dead, 0);
	ka_sched_free(&s);
}

/* Our own daemon stalled for 5 s (SIGSTOP): one request on resume, no
 * verdict for a peer that answers, no burst. */
static void test_own_stall(void **state)
{
	struct ka_sched s;
	struct mpeer m = {.alive = true, .rtt = 0.001};
	double t = 0;

	(void)state;
	ka_sched_init(&s, IVL, MISS, 5);
	ka_entry_init(&m.e);
	ka_start(&s, &m.e, t);
	run(&s, &m, 1, &t, 2.0, 0.001);
	unsigned sent = m.sent;
	t += 5.0; /* stalled; the in-flight reply arrives meanwhile */
	run(&s, &m, 1, &t, t + 2.0, 0.001);
	assert_int_equal(m.dead, 0);
	assert_in_range(m.sent - sent, 7, 9); /* 2 s worth, no catch-up burst */
	ka_sched_free(&s);
}

/* Replies are matched by id: a stale or forged id does not count; a reply
 * without an id answers the latest request. */
static void test_reply_matching(void **state)
{
	struct ka_sched s;
	struct ka_entry e, *pe;
	uint32_t id, first;
	double t = 50;

	(void)state;
	ka_sched_init(&s, 1.0, 3, 11);
	ka_entry_init(&e);
	assert_false(ka_reply(&e, true, 1, t)); /* nothing sent */
	ka_start(&s, &e, t);
	t = ka_sched_next(&s);
	assert_int_equal(ka_sched_due(&s, t, &pe, &id), KA_SEND);
	assert_ptr_equal(pe, &e);
	first = id;
	assert_int_equal(ka_sched_due(&s, t, &pe, &id), KA_NONE); /* rescheduled */
	assert_false(ka_reply(&e, true, first + 1, t + 0.01));    /* not sent yet */
	assert_false(ka_reply(&e, true, first - 1, t + 0.01));
	assert_int_equal(e.unanswered, 1);
	assert_true(ka_reply(&e, true, first, t + 0.01));
	assert_true(e.rtt > 0.0099 && e.rtt < 0.0101);
	assert_int_equal(e.unanswered, 0);
	/* many requests: only the last KA_RING can match */
	for (int i = 0; i < 20; i++) {
		t = ka_sched_next(&s);
		assert_int_equal(ka_sched_due(&s, t, &pe, &id), KA_SEND);
		if (i >= 2)
			ka_reply(&e, true, id, t); /* keep it alive */
	}
	assert_false(ka_reply(&e, true, id - KA_RING, t));
	assert_true(ka_reply(&e, true, id - KA_RING + 1, t + 0.5));
	assert_true(e.rtt > 0.5);
	assert_true(ka_reply(&e, false, 0, t + 0.02));
	assert_true(e.rtt > 0.0199 && e.rtt < 0.0201);
	assert_int_equal(e.stale, 4);
	/* after a restart the old ids are stale */
	ka_stop(&s, &e);
	ka_start(&s, &e, t);
	assert_false(ka_reply(&e, true, id, t + 1));
	ka_sched_free(&s);
}

/* Many peers, one heap: each gets its own period; stopping some in the
 * middle keeps the heap ordered; one dead peer does not affect the others. */
static void test_many_peers(void **state)
{
	enum { N = 200 };
	static struct mpeer m[N];
	struct ka_sched s;
	double t = 0;

	(void)state;
	ka_sched_init(&s, IVL, MISS, 99);
	for (int i = 0; i < N; i++) {
		m[i] = (struct mpeer){.alive = true, .rtt = 0.0005 * (i % 7 + 1)};
		ka_entry_init(&m[i].e);
		assert_int_equal(ka_start(&s, &m[i].e, t), 0);
	}
	assert_int_equal(s.n, N);
	run(&s, m, N, &t, 3.0, 0.005);
	for (int i = 0; i < N; i += 3)
		ka_stop(&s, &m[i].e);
	m[1].alive = false;
	m[100].alive = false;
	run(&s, m, N, &t, 6.0, 0.005);
	for (int i = 0; i < N; i++) {
		if (i % 3 == 0) {
			assert_false(ka_entry_scheduled(&m[i].e));
			assert_int_equal(m[i].dead, 0);
		} else if (i == 1 || i == 100) {
			assert_int_equal(m[i].dead, 1);
		} else {
			assert_int_equal(m[i].dead, 0);
			assert_in_range(m[i].sent, 19, 21);
		}
	}
	/* heap property */
	for (size_t i = 1; i < s.n; i++)
		assert_true(s.heap[(i - 1) / 2]->next <= s.heap[i]->next);
	for (size_t i = 0; i < s.n; i++)
		assert_int_equal(s.heap[i]->heap_idx, (int)i);
	ka_sched_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtt_and_schedule), cmocka_unit_test(test_dead_after_misses),
	    cmocka_unit_test(test_single_loss),      cmocka_unit_test(test_own_stall),
	    cmocka_unit_test(test_reply_matching),   cmocka_unit_test(test_many_peers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
