/* Per-peer GRE keepalive scheduling and miss logic (`keepalive INTERVAL
 * MISSES`, doc/SPEC.md). Pure: no sockets, no timers, time is passed in.
 *
 * One struct ka_sched per overlay interface holds a binary min-heap of the
 * peers it probes, keyed by the time of each peer's next request, so the
 * interface needs one timer (armed at ka_sched_next()) for any number of
 * peers. Each peer embeds a struct ka_entry (overlay/peer.h).
 *
 * The rule, like Cisco's: every INTERVAL (minus up to KA_JITTER of it) a
 * request with a fresh 32-bit id goes out; a reply carrying the id of one of
 * the last KA_RING requests resets the count of unanswered requests and
 * gives an exact RTT. When a request is due while MISSES requests are
 * unanswered, the peer is dead. Only replies count as heard (not data), so a
 * path that works one way only is detected. Counting requests instead of
 * measuring elapsed time means a daemon that was itself stalled (SIGSTOP, a
 * slow machine) sends one request when it resumes instead of declaring
 * every peer dead at once.
 *
 * Nothing allocates except ka_start() growing the heap (per peer, never per
 * packet).
 */
#ifndef DMVPN_OVERLAY_KEEPALIVE_H
#define DMVPN_OVERLAY_KEEPALIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KA_RING   8    /* requests remembered for matching replies */
#define KA_JITTER 0.03 /* each interval is shortened by up to this fraction */

struct ka_entry {
	int heap_idx;        /* position in the scheduler's heap, -1: not probed */
	double next;         /* when the next request (or the verdict) is due */
	uint32_t next_id;    /* id of the next request */
	unsigned unanswered; /* requests sent since the last reply */
	uint32_t period_tx;  /* requests sent since ka_start() */
	uint32_t sent_id[KA_RING];
	double sent_at[KA_RING]; /* send time of request sent_id[i], i = id % KA_RING */
	double last_reply;       /* time of the last matching reply, < 0: none */
	double rtt;              /* seconds, of the last matching reply; < 0: none */
	uint64_t tx, rx, stale;  /* requests sent, replies matched, replies not matched */
};

struct ka_sched {
	double interval; /* seconds */
	unsigned misses;
	struct ka_entry **heap;
	size_t n, cap;
	uint32_t rng; /* xorshift state for the jitter and first ids */
};

enum ka_action {
	KA_NONE = 0, /* nothing due */
	KA_SEND,     /* send a request with *id now (the entry is rescheduled) */
	KA_DEAD,     /* MISSES requests unanswered: the peer is dead (unscheduled) */
};

/* An entry that is not scheduled and has no RTT. */
void ka_entry_init(struct ka_entry *e);
static inline bool ka_entry_scheduled(const struct ka_entry *e)
{
	return e->heap_idx >= 0;
}

void ka_sched_init(struct ka_sched *s, double interval, unsigned misses, uint32_t seed);
/* Unschedules every entry and frees the heap. */
void ka_sched_free(struct ka_sched *s);

/* Starts probing e (no-op when it is scheduled): the unanswered count is
 * reset, the first request is due within one interval (spread so that many
 * peers coming up together do not probe in step). 0 or -ENOMEM. The RTT of
 * an earlier period is kept until a new reply replaces it. */
int ka_start(struct ka_sched *s, struct ka_entry *e, double now);
/* Stops probing e (no-op when not scheduled). */
void ka_stop(struct ka_sched *s, struct ka_entry *e);

/* Absolute time of the earliest due entry; 0 when none is scheduled. */
double ka_sched_next(const struct ka_sched *s);
/* The earliest entry due at now, if any (*e set): KA_SEND with *id, the
 * request recorded as sent at now and the entry rescheduled, or KA_DEAD with
 * the entry unscheduled. Call until it returns KA_NONE. */
enum ka_action ka_sched_due(struct ka_sched *s, double now, struct ka_entry **e, uint32_t *id);

/* A reply came from e's peer. has_id: it carries a request id (ours do, in
 * the GRE sequence number); without one it answers the latest request.
 * Returns true when it matches one of the last KA_RING requests: the RTT is
 * updated and the unanswered count reset. false: stale or not ours. */
bool ka_reply(struct ka_entry *e, bool has_id, uint32_t id, double now);

#endif
