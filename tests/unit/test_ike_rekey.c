/* Rekeying in the two-engine harness (tests/unit/ike_harness.c): IKE SA
 * rekey as initiator (RFC 7296 §1.3.2, §2.18), PFS for CHILD rekeys
 * (§1.3.1, §2.17), rekey collisions (§2.8.1, §2.8.2), TEMPORARY_FAILURE
 * (§2.25), duplicate IKE SAs from simultaneous initiation, and
 * INVALID_IKE_SPI (§2.21.4). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ike/payload.h"
#include "ike/sa.h"
#include "ike/sa_priv.h" /* white box: pending rekey state, old/redundant CHILD SAs */
#include "lib/log.h"
#include "tests/unit/ike_harness.h"

#define IKE_SUITE "aes128-sha256-x25519"
#define ESP_SUITE "aes128-sha256"

static void setup_pair(const char *ike, const char *esp_a, const char *esp_b)
{
	prof_init(&PA, ike, esp_a, "k");
	prof_init(&PB, ike, esp_b, "k");
	engines(NULL);
	assert_non_null(ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now));
	run_until(now + 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	assert_int_equal(S[0].child_up, 1);
}

/* Each side has exactly one IKE SA, established, the same one, with equal
 * keys and one CHILD SA whose SPIs and keys match crosswise; nothing is
 * left of a rekey (old, redundant or pending SAs). */
static void assert_one_pair(void)
{
	assert_int_equal(ike_engine_sa_count(S[0].e), 1);
	assert_int_equal(ike_engine_sa_count(S[1].e), 1);
	struct ikesa *a = first(0), *b = first(1);
	assert_int_equal(ike_sa_state(a), IKE_S_ESTABLISHED);
	assert_int_equal(ike_sa_state(b), IKE_S_ESTABLISHED);
	struct ike_sa_info ia, ib;
	ike_sa_get_info(a, &ia);
	ike_sa_get_info(b, &ib);
	assert_true(ia.spi_i == ib.spi_i && ia.spi_r == ib.spi_r);
	assert_true(ia.initiator != ib.initiator);
	const struct ike_keymat *ka = ike_sa_keymat(a), *kb = ike_sa_keymat(b);
	assert_memory_equal(ka->sk_d, kb->sk_d, ka->prf_len);
	assert_memory_equal(ka->sk_ei, kb->sk_ei, ka->encr_len);
	const struct ike_child_info *ca = ike_sa_child(a), *cb = ike_sa_child(b);
	assert_non_null(ca);
	assert_non_null(cb);
	assert_int_equal(ca->spi_in, cb->spi_out);
	assert_int_equal(ca->spi_out, cb->spi_in);
	assert_int_equal(ca->enc_len, cb->enc_len);
	assert_memory_equal(ca->enc_out, cb->enc_in, ca->enc_len);
	assert_memory_equal(ca->enc_in, cb->enc_out, ca->enc_len);
	assert_memory_equal(ca->integ_out, cb->integ_in, ca->integ_len);
	assert_memory_not_equal(ca->enc_in, ca->enc_out, ca->enc_len);
	for (int i = 0; i < 2; i++) {
		struct ikesa *sa = first(i);
		assert_false(sa->old_up);
		assert_false(sa->red_up);
		assert_null(sa->rk_new);
		assert_null(sa->rk_dh);
		assert_int_equal(sa->task, IKE_TASK_NONE);
		/* the data plane holds exactly one CHILD SA */
		assert_int_equal(S[i].child_up - S[i].child_down, 1);
		assert_int_equal(S[i].ike_up - S[i].ike_down, 1);
	}
}

/* ---- gap 1: IKE SA rekey ---- */

static void test_ike_rekey_at_90_percent(void **st)
{
	(void)st;
	prof_init(&PA, IKE_SUITE, ESP_SUITE, "k");
	prof_init(&PB, IKE_SUITE, ESP_SUITE, "k");
	PA.p.lifetime_ike = PB.p.lifetime_ike = 1000;
	engines(NULL);
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	struct ike_sa_info old;
	ike_sa_get_info(first(0), &old);
	struct ike_keymat kold = *ike_sa_keymat(first(0));
	struct ike_child_info c1 = *ike_sa_child(first(0));
	uint64_t rekeyed = ike_ctr[IKE_CTR_IKE_REKEYED];
	/* not before 88 % (90 % less up to 2 % jitter) */
	run_until(t0 + 879);
	assert_int_equal(S[0].ike_up + S[1].ike_up, 2);
	assert_int_equal(ike_engine_sa_count(S[0].e), 1);
	run_until(t0 + 901);
	assert_int_equal(S[0].ike_up, 2);
	assert_int_equal(S[1].ike_up, 2);
	assert_int_equal(S[0].ike_down, 1);
	assert_int_equal(S[1].ike_down, 1);
	assert_string_equal(S[0].down_reason, "IKE SA rekeyed");
	assert_true(S[0].down_info.spi_i == old.spi_i && S[1].down_info.spi_i == old.spi_i);
	assert_int_equal(ike_ctr[IKE_CTR_IKE_REKEYED], rekeyed + 2);
	assert_one_pair();
	/* a new SA with new SPIs and new keys; A asked: A is its initiator */
	struct ike_sa_info nw;
	ike_sa_get_info(first(0), &nw);
	assert_true(nw.initiator);
	assert_true(nw.spi_i != old.spi_i && nw.spi_r != old.spi_r);
	assert_memory_not_equal(ike_sa_keymat(first(0))->sk_d, kold.sk_d, kold.prf_len);
	assert_memory_not_equal(ike_sa_keymat(first(0))->sk_ei, kold.sk_ei, kold.encr_len);
	assert_int_equal(nw.remote_id_type, old.remote_id_type);
	assert_string_equal(nw.remote_id, "198.18.0.2");
	/* the CHILD SA moved without a reinstall */
	assert_int_equal(S[0].child_up + S[1].child_up, 2);
	assert_int_equal(S[0].child_down + S[1].child_down, 0);
	assert_int_equal(ike_sa_child(first(0))->spi_in, c1.spi_in);
	/* the new SA works: message IDs from 0, a CHILD rekey and a DELETE */
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	run_until(now + 1);
	assert_int_equal(S[1].child_up, 2);
	assert_one_pair();
	/* and it is rekeyed again at 90 % of its own lifetime */
	double t1 = now;
	run_until(t1 + 1000);
	assert_int_equal(S[0].ike_up, 3);
	assert_one_pair();
	ike_sa_delete(first(0), now, "bye");
	run_until(now + 1);
	assert_int_equal(ike_engine_sa_count(S[0].e) + ike_engine_sa_count(S[1].e), 0);
	teardown_engines();
	kold = (struct ike_keymat){0};
}

/* The responder rekeys later (93-95 %) when the initiator does not. */
static void test_ike_rekey_responder_later(void **st)
{
	(void)st;
	prof_init(&PA, IKE_SUITE, ESP_SUITE, "k");
	prof_init(&PB, IKE_SUITE, ESP_SUITE, "k");
	PA.p.lifetime_ike = 100000;
	PB.p.lifetime_ike = 1000;
	engines(NULL);
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	assert_true(ike_sa_rekey_in(first(0), now) > 0 || ike_sa_rekey_in(first(0), now) < 0);
	run_until(t0 + 929);
	assert_int_equal(S[1].ike_up, 1);
	run_until(t0 + 951);
	assert_int_equal(S[1].ike_up, 2);
	assert_one_pair();
	struct ike_sa_info ib;
	ike_sa_get_info(first(1), &ib);
	assert_true(ib.initiator); /* B asked, B initiates the new SA */
	teardown_engines();
}

static void test_ike_rekey_api(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	struct ikesa *a = first(0);
	assert_int_equal(ike_sa_rekey_ike(a, now), 0);
	assert_non_null(a->rk_new);
	assert_int_equal(ike_sa_rekey_ike(a, now), -1);   /* one exchange at a time */
	assert_int_equal(ike_sa_rekey_child(a, now), -1); /* ditto */
	/* not yet in the table: the count is unchanged until the answer */
	assert_int_equal(ike_engine_sa_count(S[0].e), 1);
	run_until(now + 1);
	assert_one_pair();
	assert_int_equal(S[0].ike_up, 2);
	teardown_engines();
}

/* Our IKE rekey never answered: the old SA gives up like any request and
 * the unfinished new one is freed with it (ASan: no leak). */
static void test_ike_rekey_unanswered(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	drop_fn = drop_from_b;
	assert_int_equal(ike_sa_rekey_ike(first(0), now), 0);
	run_until(now + 100);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_non_null(strstr(S[0].down_reason, "CREATE_CHILD_SA"));
	assert_int_equal(S[0].child_down, 1);
	drop_fn = NULL;
	teardown_engines();
}

/* ---- gap 2: PFS ---- */

static void test_child_rekey_pfs(void **st)
{
	(void)st;
	prof_init(&PA, IKE_SUITE, "aes256gcm16-x25519", "k");
	prof_init(&PB, IKE_SUITE, "aes256gcm16-x25519", "k");
	PA.p.lifetime_child = PB.p.lifetime_child = 100;
	engines(NULL);
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	struct ike_child_info c1 = *ike_sa_child(first(0));
	assert_int_equal(c1.suite.dh, 0); /* no KE in IKE_AUTH */
	run_until(t0 + 91);
	assert_int_equal(S[0].child_up, 2);
	assert_int_equal(S[1].child_up, 2);
	assert_int_equal(S[0].child_down, 1);
	assert_one_pair();
	const struct ike_child_info *c2 = ike_sa_child(first(0));
	assert_int_equal(c2->suite.dh, IKE_DH_CURVE25519);
	assert_int_equal(ike_sa_child(first(1))->suite.dh, IKE_DH_CURVE25519);
	assert_memory_not_equal(c2->enc_out, c1.enc_out, c1.enc_len);
	/* the responder rekeys with PFS too */
	assert_int_equal(ike_sa_rekey_child(first(1), now), 0);
	run_until(now + 1);
	assert_int_equal(S[1].child_up, 3);
	assert_one_pair();
	teardown_engines();
}

/* B wants modp2048 for PFS, A guesses x25519: INVALID_KE_PAYLOAD in
 * CREATE_CHILD_SA, and A rekeys again at once with B's group. */
static void test_child_rekey_pfs_invalid_ke(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, "aes256gcm16-x25519-modp2048", "aes256gcm16-modp2048");
	uint64_t ike_sent = ike_ctr[IKE_CTR_INVALID_KE_SENT];
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	run_until(now + 1);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_KE_SENT], ike_sent + 1);
	assert_int_equal(S[0].child_up, 2);
	assert_one_pair();
	assert_int_equal(ike_sa_child(first(0))->suite.dh, IKE_DH_MODP2048);
	/* the group is remembered: the next rekey needs one exchange */
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	run_until(now + 1);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_KE_SENT], ike_sent + 1);
	assert_int_equal(S[0].child_up, 3);
	assert_one_pair();
	teardown_engines();
}

/* A insists on PFS, B has none: B refuses, A keeps its CHILD SA and
 * tries again 30 s later. */
static void test_child_rekey_pfs_mismatch(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, "aes256gcm16-x25519", "aes256gcm16");
	uint64_t nop = ike_ctr[IKE_CTR_TX];
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	run_until(now + 1);
	assert_true(ike_ctr[IKE_CTR_TX] >= nop + 2);
	assert_int_equal(S[0].child_up, 1);
	assert_int_equal(S[0].child_down + S[1].child_down, 0);
	assert_one_pair();
	double in = ike_sa_rekey_in(first(0), now);
	assert_true(in > 28 && in <= 30);
	teardown_engines();
}

/* ---- gap 3: collisions, TEMPORARY_FAILURE ---- */

static void test_child_rekey_collision(void **st)
{
	(void)st;
	const char *esp[2] = {ESP_SUITE, "aes256gcm16-x25519"};
	unsigned wins[2] = {0, 0};
	for (unsigned round = 0; round < 12; round++) {
		setup_pair(IKE_SUITE, esp[round & 1], esp[round & 1]);
		uint64_t col = ike_ctr[IKE_CTR_REKEY_COLLISION];
		struct ikesa *a = first(0), *b = first(1);
		uint32_t old_a = ike_sa_child(a)->spi_in;
		/* both in the same tick, before either request arrives */
		assert_int_equal(ike_sa_rekey_child(a, now), 0);
		assert_int_equal(ike_sa_rekey_child(b, now), 0);
		uint32_t mine_a = a->rk_spi_in, mine_b = b->rk_spi_in;
		run_until(now + 1);
		assert_int_equal(ike_ctr[IKE_CTR_REKEY_COLLISION], col + 2);
		assert_one_pair();
		uint32_t kept = ike_sa_child(first(0))->spi_in;
		assert_true(kept != old_a);
		/* the survivor is one of the two new ones: A's own or the one
		 * A made answering B */
		wins[kept == mine_a]++;
		if (kept != mine_a)
			assert_int_equal(ike_sa_child(first(1))->spi_in, mine_b);
		/* later rekeys work as usual */
		assert_int_equal(ike_sa_rekey_child(first(1), now), 0);
		run_until(now + 1);
		assert_one_pair();
		teardown_engines();
	}
	assert_int_equal(wins[0] + wins[1], 12);
}

static void test_ike_rekey_collision(void **st)
{
	(void)st;
	for (unsigned round = 0; round < 12; round++) {
		setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
		uint64_t col = ike_ctr[IKE_CTR_REKEY_COLLISION];
		struct ikesa *a = first(0), *b = first(1);
		struct ike_sa_info old;
		ike_sa_get_info(a, &old);
		struct ike_child_info c = *ike_sa_child(a);
		assert_int_equal(ike_sa_rekey_ike(a, now), 0);
		assert_int_equal(ike_sa_rekey_ike(b, now), 0);
		run_until(now + 1);
		assert_int_equal(ike_ctr[IKE_CTR_REKEY_COLLISION], col + 2);
		assert_one_pair();
		struct ike_sa_info nw;
		ike_sa_get_info(first(0), &nw);
		assert_true(nw.spi_i != old.spi_i);
		/* each side saw up: old, own new, peer's new; down: old and the
		 * loser; the CHILD SA was never reinstalled */
		for (int i = 0; i < 2; i++) {
			assert_int_equal(S[i].ike_up, 3);
			assert_int_equal(S[i].ike_down, 2);
			assert_int_equal(S[i].child_up, 1);
			assert_int_equal(S[i].child_down, 0);
		}
		assert_int_equal(ike_sa_child(first(0))->spi_in, c.spi_in);
		/* no timer left to fire on a dead SA */
		run_until(now + 200);
		assert_one_pair();
		ike_sa_delete(first(1), now, "bye");
		run_until(now + 1);
		assert_int_equal(ike_engine_sa_count(S[0].e) + ike_engine_sa_count(S[1].e), 0);
		teardown_engines();
	}
}

/* A's rekey completes first and A's DELETE of the old CHILD SA is out when
 * B's rekey of that same old SA arrives: TEMPORARY_FAILURE (§2.25.1); B
 * does not retry (the SA was rekeyed) and the old one goes. */
static void test_child_rekey_while_deleting(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	uint64_t tf = ike_ctr[IKE_CTR_TEMP_FAILURE_SENT];
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	assert_int_equal(ike_sa_rekey_child(first(1), now), 0);
	assert_int_equal(qn, 2); /* [A's request, B's request] */
	deliver(0);              /* A's request to B: B answers (and notes the collision) */
	assert_int_equal(qn, 2); /* [B's request, B's answer] */
	deliver(1);              /* B's answer to A: A installs, DELETE of the old out */
	assert_int_equal(first(0)->task, IKE_TASK_DELETE_CHILD);
	deliver(0); /* B's request for the old SA reaches A */
	assert_int_equal(ike_ctr[IKE_CTR_TEMP_FAILURE_SENT], tf + 1);
	run_until(now + 100);
	assert_one_pair();
	assert_int_equal(S[0].child_up, 2);
	assert_int_equal(S[1].child_up, 2);
	teardown_engines();
}

/* An IKE rekey request while our DELETE of that IKE SA is out:
 * TEMPORARY_FAILURE (§2.25.2); then the DELETE wins and nothing leaks. */
static void test_ike_rekey_while_deleting(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	uint64_t tf = ike_ctr[IKE_CTR_TEMP_FAILURE_SENT];
	ike_sa_delete(first(0), now, "bye");
	assert_int_equal(ike_sa_rekey_ike(first(1), now), 0);
	deliver(1); /* B's rekey reaches A first */
	assert_int_equal(ike_ctr[IKE_CTR_TEMP_FAILURE_SENT], tf + 1);
	run_until(now + 100);
	assert_int_equal(ike_engine_sa_count(S[0].e) + ike_engine_sa_count(S[1].e), 0);
	assert_int_equal(S[1].ike_up, 1); /* B's new SA never came up */
	assert_string_equal(S[1].down_reason, "deleted by the peer");
	teardown_engines();
}

/* A has a CHILD rekey out when B's IKE rekey comes, and B has its IKE
 * rekey out when A's CHILD rekey comes: both answer TEMPORARY_FAILURE and
 * both initiators retry 2-5 s later, successfully. */
static void test_temporary_failure_retry(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	uint64_t tf = ike_ctr[IKE_CTR_TEMP_FAILURE_SENT];
	double t = now;
	assert_int_equal(ike_sa_rekey_child(first(0), now), 0);
	assert_int_equal(ike_sa_rekey_ike(first(1), now), 0);
	pump();
	assert_int_equal(ike_ctr[IKE_CTR_TEMP_FAILURE_SENT], tf + 2);
	assert_int_equal(S[0].child_up + S[1].ike_up, 2); /* nothing yet */
	double ci = ike_sa_rekey_in(first(0), now);
	assert_true(ci >= 2 && ci <= 5);
	run_until(t + 1.9);
	assert_int_equal(S[0].child_up, 1);
	run_until(t + 10);
	assert_int_equal(S[0].child_up, 2);
	assert_int_equal(S[1].ike_up, 2);
	assert_one_pair();
	teardown_engines();
}

/* ---- gap 4: simultaneous initiation ---- */

static void test_simultaneous_initiation(void **st)
{
	(void)st;
	unsigned a_kept = 0;
	for (unsigned round = 0; round < 8; round++) {
		prof_init(&PA, IKE_SUITE, ESP_SUITE, "k");
		prof_init(&PB, IKE_SUITE, ESP_SUITE, "k");
		engines(NULL);
		uint64_t dup = ike_ctr[IKE_CTR_DUPLICATE];
		/* both in the same tick */
		assert_non_null(ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now));
		assert_non_null(ike_initiate(S[1].e, &PB.p, &S[1].addr, &S[0].addr, now));
		run_until(now + 5);
		assert_int_equal(ike_ctr[IKE_CTR_DUPLICATE], dup + 2);
		assert_one_pair();
		for (int i = 0; i < 2; i++) {
			assert_int_equal(S[i].ike_up, 2);
			assert_int_equal(S[i].ike_down, 1);
			assert_int_equal(S[i].child_up, 2);
			assert_int_equal(S[i].child_down, 1);
			assert_string_equal(S[i].down_reason, "duplicate");
			assert_string_equal(S[i].child_down_reason, "duplicate");
		}
		/* the same one went on both sides, and the kept one has the lower
		 * SPI pair */
		struct ike_sa_info k;
		ike_sa_get_info(first(0), &k);
		const struct ike_sa_info *d = &S[0].down_info;
		assert_true(d->spi_i == S[1].down_info.spi_i && d->spi_r == S[1].down_info.spi_r);
		assert_true(k.spi_i < d->spi_i || (k.spi_i == d->spi_i && k.spi_r < d->spi_r));
		a_kept += k.initiator;
		/* the survivor lives on: no doom timer, rekeys work */
		run_until(now + 120);
		assert_one_pair();
		assert_int_equal(ike_sa_rekey_ike(first(1), now), 0);
		run_until(now + 1);
		assert_one_pair();
		assert_int_equal(ike_ctr[IKE_CTR_DUPLICATE], dup + 2);
		teardown_engines();
	}
	assert_true(a_kept <= 8);
}

/* B starts a second IKE SA to A long after the first is up (NHRP
 * resolved again): the same rule keeps exactly one pair. */
static void test_duplicate_sequential(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	run_until(now + 50);
	assert_non_null(ike_initiate(S[1].e, &PB.p, &S[1].addr, &S[0].addr, now));
	run_until(now + 1);
	assert_int_equal(S[0].ike_up, 2);
	assert_one_pair();
	assert_string_equal(S[0].down_reason, "duplicate");
	assert_string_equal(S[1].down_reason, "duplicate");
	run_until(now + 200);
	assert_one_pair();
	teardown_engines();
}

/* ---- gap 5: INVALID_IKE_SPI ---- */

/* B restarts and connects again: its IKE_AUTH carries INITIAL_CONTACT and
 * A closes the stale SA at once (no DELETE: B has forgotten it) instead of
 * keeping it or resolving it as a duplicate. A later second SA begun while
 * one exists carries no INITIAL_CONTACT. */
static void test_initial_contact(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	uint64_t ic = ike_ctr[IKE_CTR_INITIAL_CONTACT];
	struct ike_sa_info old;
	ike_sa_get_info(first(0), &old);
	now += 10;
	engine_restart(1);
	unsigned down = S[0].ike_down, cdown = S[0].child_down;
	assert_non_null(ike_initiate(S[1].e, &PB.p, &S[1].addr, &S[0].addr, now));
	run_until(now + 1);
	assert_int_equal(ike_ctr[IKE_CTR_INITIAL_CONTACT], ic + 1);
	assert_int_equal(S[0].ike_down, down + 1);
	assert_int_equal(S[0].child_down, cdown + 1);
	assert_string_equal(S[0].down_reason, "initial contact (peer restarted)");
	assert_true(S[0].down_info.spi_i == old.spi_i);
	assert_one_pair();
	/* A second SA while one exists: no INITIAL_CONTACT, nothing closed */
	assert_non_null(ike_initiate(S[1].e, &PB.p, &S[1].addr, &S[0].addr, now));
	run_until(now + 5);
	assert_int_equal(ike_ctr[IKE_CTR_INITIAL_CONTACT], ic + 1);
	teardown_engines();
}

static void test_invalid_ike_spi(void **st)
{
	(void)st;
	setup_pair(IKE_SUITE, ESP_SUITE, ESP_SUITE);
	engine_restart(1); /* B reboots and forgets the SA */
	uint64_t inv = ike_ctr[IKE_CTR_INVALID_SPI_SENT], nosa = ike_ctr[IKE_CTR_DROP_NO_SA];
	ike_sa_delete(first(0), now, "bye"); /* a protected request from A */
	assert_int_equal(qn, 1);
	struct qmsg req = *Q[0];
	struct ike_msg m, r;
	assert_int_equal(ike_msg_parse(&m, req.buf, req.len), 0);
	deliver(0);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_SPI_SENT], inv + 1);
	assert_int_equal(ike_ctr[IKE_CTR_DROP_NO_SA], nosa + 1);
	assert_int_equal(qn, 1);
	/* unprotected INFORMATIONAL response, same SPIs and message ID, to
	 * where the request came from, with the INVALID_IKE_SPI notify */
	assert_int_equal(Q[0]->from, 1);
	assert_int_equal(Q[0]->dport, req.sport);
	assert_int_equal(ike_msg_parse(&r, Q[0]->buf, Q[0]->len), 0);
	assert_true(r.hdr.ispi == m.hdr.ispi && r.hdr.rspi == m.hdr.rspi);
	assert_int_equal(r.hdr.msgid, m.hdr.msgid);
	assert_int_equal(r.hdr.exchange, IKE_INFORMATIONAL);
	assert_true(ike_hdr_is_response(&r.hdr));
	assert_int_equal(r.sk, -1);
	struct ike_notify n;
	assert_true(ike_msg_find_notify(&r, IKE_N_INVALID_IKE_SPI, &n));
	/* A drops the unprotected answer: its SA waits for a real one */
	uint64_t ill = ike_ctr[IKE_CTR_DROP_ILLEGAL];
	deliver(0);
	assert_int_equal(ike_ctr[IKE_CTR_DROP_ILLEGAL], ill + 1);
	assert_int_equal(ike_engine_sa_count(S[0].e), 1);
	/* a response with unknown SPIs is never answered */
	uint8_t resp[8192];
	memcpy(resp, req.buf, req.len);
	resp[19] |= IKE_FLAG_R;
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, resp, req.len, now);
	assert_int_equal(qn, 0);
	/* rate limited: 10 in a burst, then 10 per second */
	for (int i = 0; i < 50; i++)
		ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, req.buf, req.len, now);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_SPI_SENT], inv + 10); /* 1 + 9 */
	now += 0.5;
	for (int i = 0; i < 50; i++)
		ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, req.buf, req.len, now);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_SPI_SENT], inv + 15);
	assert_int_equal(ike_ctr[IKE_CTR_DROP_NO_SA], nosa + 102);
	while (qn)
		free(Q[--qn]);
	/* A gives up on its DELETE and closes */
	drop_fn = drop_from_b;
	run_until(now + 100);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	drop_fn = NULL;
	teardown_engines();
}

int main(void)
{
	log_init("test_ike_rekey", LOG_DEST_STDERR,
	         getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ike_rekey_at_90_percent),
	    cmocka_unit_test(test_ike_rekey_responder_later),
	    cmocka_unit_test(test_ike_rekey_api),
	    cmocka_unit_test(test_ike_rekey_unanswered),
	    cmocka_unit_test(test_child_rekey_pfs),
	    cmocka_unit_test(test_child_rekey_pfs_invalid_ke),
	    cmocka_unit_test(test_child_rekey_pfs_mismatch),
	    cmocka_unit_test(test_child_rekey_collision),
	    cmocka_unit_test(test_ike_rekey_collision),
	    cmocka_unit_test(test_child_rekey_while_deleting),
	    cmocka_unit_test(test_ike_rekey_while_deleting),
	    cmocka_unit_test(test_temporary_failure_retry),
	    cmocka_unit_test(test_simultaneous_initiation),
	    cmocka_unit_test(test_duplicate_sequential),
	    cmocka_unit_test(test_initial_contact),
	    cmocka_unit_test(test_invalid_ike_spi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
