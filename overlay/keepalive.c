/* Per-peer GRE keepalive scheduling: a min-heap of next-request times and
 * the miss rule (overlay/keepalive.h). */
#include "overlay/keepalive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ka_entry_init(struct ka_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->heap_idx = -1;
	e->last_reply = -1;
	e->rtt = -1;
}

void ka_sched_init(struct ka_sched *s, double interval, unsigned misses, uint32_t seed)
{
	memset(s, 0, sizeof(*s));
	s->interval = interval > 0 ? interval : 10.0;
	s->misses = misses ? misses : 3;
	s->rng = seed ? seed : 0x9e3779b9u;
}

void ka_sched_free(struct ka_sched *s)
{
	for (size_t i = 0; i < s->n; i++)
		s->heap[i]->heap_idx = -1;
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
}

static uint32_t rnd(struct ka_sched *s)
{
	uint32_t x = s->rng;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return s->rng = x;
}

/* uniform in [0, 1) */
static double rnd01(struct ka_sched *s)
{
	return (double)(rnd(s) >> 8) / (double)(1u << 24);
}

/* ---- heap ---- */

static void heap_set(struct ka_sched *s, size_t i, struct ka_entry *e)
{
	s->heap[i] = e;
	e->heap_idx = (int)i;
}

static void sift_up(struct ka_sched *s, size_t i)
{
	struct ka_entry *e = s->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (s->heap[parent]->next <= e->next)
			break;
		heap_set(s, i, s->heap[parent]);
		i = parent;
	}
	heap_set(s, i, e);
}

static void sift_down(struct ka_sched *s, size_t i)
{
	struct ka_entry *e = s->heap[i];

	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		double best = e->next;
		if (l < s->n && s->heap[l]->next < best) {
			m = l;
			best = s->heap[l]->next;
		}
		if (r < s->n && s->heap[r]->next < best)
			m = r;
		if (m == i)
			break;
		heap_set(s, i, s->heap[m]);
		i = m;
	}
	heap_set(s, i, e);
}

static void heap_fix(struct ka_sched *s, size_t i)
{
	if (i > 0 && s->heap[(i - 1) / 2]->next > s->heap[i]->next)
		sift_up(s, i);
	else
		sift_down(s, i);
}

int ka_start(struct ka_sched *s, struct ka_entry *e, double now)
{
	if (ka_entry_scheduled(e))
		return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct ka_entry **h = realloc(s->heap, cap * sizeof(*h));
		if (!h)
			return -ENOMEM;
		s->heap = h;
		s->cap = cap;
	}
	e->unanswered = 0;
	e->period_tx = 0;
	e->next_id = rnd(s);
	memset(e->sent_id, 0, sizeof(e->sent_id));
	memset(e->sent_at, 0, sizeof(e->sent_at));
	/* first request within (0.1 .. 1.0] intervals */
	e->next = now + s->interval * (0.1 + 0.9 * rnd01(s));
	s->heap[s->n] = e;
	e->heap_idx = (int)s->n;
	s->n++;
	sift_up(s, s->n - 1);
	return 0;
}

void ka_stop(struct ka_sched *s, struct ka_entry *e)
{
	size_t i;

	if (!ka_entry_scheduled(e) || (size_t)e->heap_idx >= s->n || s->heap[e->heap_idx] != e)
		return;
	i = (size_t)e->heap_idx;
	e->heap_idx = -1;
	s->n--;
	if (i == s->n)
		return;
	heap_set(s, i, s->heap[s->n]);
	heap_fix(s, i);
}

double ka_sched_next(const struct ka_sched *s)
{
	return s->n ? s->heap[0]->next : 0;
}

enum ka_action ka_sched_due(struct ka_sched *s, double now, struct ka_entry **out, uint32_t *id)
{
	struct ka_entry *e;
	unsigned slot;

	if (!s->n || s->heap[0]->next > now)
		return KA_NONE;
	e = s->heap[0];
	*out = e;
	if (e->unanswered >= s->misses) {
		ka_stop(s, e);
		return KA_DEAD;
	}
	*id = e->next_id++;
	slot = *id % KA_RING;
	e->sent_id[slot] = *id;
	e->sent_at[slot] = now;
	e->unanswered++;
	e->period_tx++;
	e->tx++;
	/* from now, not from the missed deadline: a stalled daemon does not
	 * send a burst when it resumes */
	e->next = now + s->interval * (1.0 - KA_JITTER * rnd01(s));
	sift_down(s, 0);
	return KA_SEND;
}

bool ka_reply(struct ka_entry *e, bool has_id, uint32_t id, double now)
{
	unsigned slot;

	if (e->period_tx == 0)
		goto stale;
	if (!has_id)
		id = e->next_id - 1; /* a reflector that dropped the id: the latest */
	/* one of the last KA_RING requests (wrap-around safe) */
	if ((uint32_t)(e->next_id - 1 - id) >= KA_RING || e->next_id - id > e->period_tx)
		goto stale;
	slot = id % KA_RING;
	if (e->sent_id[slot] != id || e->sent_at[slot] > now)
		goto stale;
	e->rtt = now - e->sent_at[slot];
	e->last_reply = now;
	e->unanswered = 0;
	e->rx++;
	return true;
stale:
	e->stale++;
	return false;
}
