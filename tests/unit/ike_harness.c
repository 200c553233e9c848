/* Test harness of the IKE engine (ike_harness.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/ike_harness.h"

struct side S[2];
struct qmsg *Q[QMAX];
unsigned qn;
double now;
/* drop filter: returns true to drop a message from side `from` */
bool (*drop_fn)(int from, const uint8_t *buf, size_t len);
unsigned dropped;

static void m_send(void *ctx, const struct ipaddr *local, const struct ipaddr *remote,
                   uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len)
{
	struct side *s = ctx;
	(void)local;
	(void)remote;
	s->sent++;
	if (drop_fn && drop_fn(s->idx, buf, len)) {
		dropped++;
		return;
	}
	assert_true(qn < QMAX);
	assert_true(len <= sizeof(Q[0]->buf));
	struct qmsg *m = malloc(sizeof(*m));
	m->from = s->idx;
	m->sport = lport;
	m->dport = rport;
	m->len = len;
	memcpy(m->buf, buf, len);
	Q[qn++] = m;
}

static void m_child_up(void *ctx, struct ikesa *sa, const struct ike_child_info *c)
{
	struct side *s = ctx;
	(void)sa;
	s->child_up++;
	s->child = *c;
}
static void m_child_down(void *ctx, struct ikesa *sa, const struct ike_child_info *c,
                         const char *reason)
{
	struct side *s = ctx;
	(void)sa;
	s->child_down++;
	s->child_last_down = *c;
	snprintf(s->child_down_reason, sizeof(s->child_down_reason), "%s", reason);
}
static void m_ike_up(void *ctx, struct ikesa *sa, const struct ike_sa_info *info)
{
	struct side *s = ctx;
	(void)sa;
	(void)info;
	s->ike_up++;
}
static void m_ike_down(void *ctx, struct ikesa *sa, const struct ike_sa_info *info,
                       const char *reason)
{
	struct side *s = ctx;
	(void)sa;
	s->ike_down++;
	s->down_info = *info;
	s->down_at = now;
	snprintf(s->down_reason, sizeof(s->down_reason), "%s", reason);
}

static const struct ike_ops ops = {
    .send = m_send,
    .child_up = m_child_up,
    .child_down = m_child_down,
    .ike_up = m_ike_up,
    .ike_down = m_ike_down,
};

/* ---- profiles ---- */

struct prof_store PA, PB;

void prof_init(struct prof_store *ps, const char *ike, const char *esp, const char *psk)
{
	char err[128];
	memset(ps, 0, sizeof(*ps));
	ps->p.name = "test";
	ps->p.auth = CFG_AUTH_PSK;
	snprintf(ps->psk, sizeof(ps->psk), "%s", psk);
	ps->p.psk = ps->psk;
	ps->p.psk_len = strlen(psk);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", ike);
	size_t n = 0;
	for (char *t = strtok(buf, " "); t && n < 4; t = strtok(NULL, " ")) {
		assert_int_equal(cfg_suite_parse(&ps->ike[n], t, false, err, sizeof(err)), 0);
		n++;
	}
	ps->p.proposal_suites = ps->ike;
	ps->p.n_proposals = n;
	snprintf(buf, sizeof(buf), "%s", esp);
	n = 0;
	for (char *t = strtok(buf, " "); t && n < 4; t = strtok(NULL, " ")) {
		assert_int_equal(cfg_suite_parse(&ps->esp[n], t, true, err, sizeof(err)), 0);
		n++;
	}
	ps->p.esp_suites = ps->esp;
	ps->p.n_esp_proposals = n;
	ps->p.lifetime_ike = 86400;
	ps->p.lifetime_child = 3600;
	ps->p.dpd_retries = 5;
}

unsigned frag_size; /* both engines; 0: default */
bool (*next_drop)(int from, const uint8_t *buf, size_t len); /* for the next engines() */

static struct ike_engine_conf conf[2];

void engine_restart(int i)
{
	ike_engine_free(S[i].e);
	S[i].e = ike_engine_new(&ops, &S[i], &conf[i]);
	assert_non_null(S[i].e);
}

void deliver(unsigned k)
{
	assert_true(k < qn);
	struct qmsg *m = Q[k];
	memmove(Q + k, Q + k + 1, (--qn - k) * sizeof(Q[0]));
	struct side *to = &S[!m->from];
	ike_input(to->e, &to->addr, &S[m->from].addr, m->dport, m->sport, m->buf, m->len, now);
	free(m);
}

void engines(const struct ike_engine_conf *cb)
{
	struct ike_engine_conf ca = {
	    .retrans_timeout = 1.0, .retrans_base = 2.0, .retrans_tries = 3, .frag_size = frag_size};
	struct ike_engine_conf c2 = cb ? *cb : ca;
	c2.profile = &PB.p;
	ca.profile = &PA.p; /* A answers too (simultaneous initiation) */
	for (int i = 0; i < 2; i++) {
		memset(&S[i], 0, sizeof(S[i]));
		S[i].idx = i;
		ipaddr_parse(&S[i].addr, i == 0 ? "198.18.0.1" : "198.18.0.2");
	}
	S[0].e = ike_engine_new(&ops, &S[0], &ca);
	S[1].e = ike_engine_new(&ops, &S[1], &c2);
	conf[0] = ca;
	conf[1] = c2;
	assert_non_null(S[0].e);
	assert_non_null(S[1].e);
	now = 1000.0;
	drop_fn = next_drop;
	next_drop = NULL;
	dropped = 0;
}

void pump(void)
{
	for (unsigned guard = 0; qn && guard < 1000; guard++) {
		struct qmsg *m = Q[0];
		memmove(Q, Q + 1, --qn * sizeof(Q[0]));
		struct side *to = &S[!m->from];
		ike_input(to->e, &to->addr, &S[m->from].addr, m->dport, m->sport, m->buf, m->len, now);
		free(m);
	}
}

/* Runs timers until t (or until nothing is pending), pumping messages. */
void run_until(double t)
{
	pump();
	for (unsigned guard = 0; guard < 10000; guard++) {
		double d = fmin(ike_next_deadline(S[0].e), ike_next_deadline(S[1].e));
		if (d > t)
			break;
		if (d > now)
			now = d;
		ike_tick(S[0].e, now);
		ike_tick(S[1].e, now);
		pump();
	}
	if (now < t && isfinite(t))
		now = t;
}

void teardown_engines(void)
{
	pump();
	ike_engine_free(S[0].e);
	ike_engine_free(S[1].e);
	while (qn)
		free(Q[--qn]);
}

struct ikesa *first(int i)
{
	return ike_engine_first(S[i].e);
}

void assert_same_keys(void)
{
	struct ikesa *a = first(0), *b = first(1);
	assert_non_null(a);
	assert_non_null(b);
	const struct ike_keymat *ka = ike_sa_keymat(a), *kb = ike_sa_keymat(b);
	assert_non_null(ka);
	assert_non_null(kb);
	assert_true(ka->prf_len > 0);
	assert_int_equal(ka->prf_len, kb->prf_len);
	assert_int_equal(ka->encr_len, kb->encr_len);
	assert_int_equal(ka->integ_len, kb->integ_len);
	assert_memory_equal(ka->sk_d, kb->sk_d, ka->prf_len);
	assert_memory_equal(ka->sk_pi, kb->sk_pi, ka->prf_len);
	assert_memory_equal(ka->sk_pr, kb->sk_pr, ka->prf_len);
	assert_memory_equal(ka->sk_ei, kb->sk_ei, ka->encr_len);
	assert_memory_equal(ka->sk_er, kb->sk_er, ka->encr_len);
	if (ka->integ_len) {
		assert_memory_equal(ka->sk_ai, kb->sk_ai, ka->integ_len);
		assert_memory_equal(ka->sk_ar, kb->sk_ar, ka->integ_len);
	}
	assert_memory_not_equal(ka->sk_ei, ka->sk_er, ka->encr_len);
	/* CHILD SA: A's outbound is B's inbound and vice versa */
	const struct ike_child_info *ca = &S[0].child, *cb = &S[1].child;
	assert_int_equal(ca->spi_out, cb->spi_in);
	assert_int_equal(ca->spi_in, cb->spi_out);
	assert_int_equal(ca->enc_len, cb->enc_len);
	assert_int_equal(ca->integ_len, cb->integ_len);
	assert_memory_equal(ca->enc_out, cb->enc_in, ca->enc_len);
	assert_memory_equal(ca->enc_in, cb->enc_out, ca->enc_len);
	assert_memory_not_equal(ca->enc_in, ca->enc_out, ca->enc_len);
	if (ca->integ_len) {
		assert_memory_equal(ca->integ_out, cb->integ_in, ca->integ_len);
		assert_memory_equal(ca->integ_in, cb->integ_out, ca->integ_len);
	}
	assert_int_equal(ca->ts_proto, 47);
	assert_true(ipaddr_eq(&ca->ts_local_start, &S[0].addr));
	assert_true(ipaddr_eq(&cb->ts_remote_start, &S[0].addr));
}

void profs_default(void)
{
	prof_init(&PA, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "k");
	prof_init(&PB, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "k");
}

bool drop_from_b(int from, const uint8_t *buf, size_t len)
{
	(void)buf;
	(void)len;
	return from == 1;
}
