/* Peers: one object per (overlay interface, NBMA address).
 *
 * This is the first seam of the design (doc/ARCHITECTURE.md): NHRP
 * (registered, resolved, purged, expired), IKE (established, dead) and GRE
 * keepalives (answered, missed) never act on routes or on each other. They
 * report what they saw to the peer with peer_set_state(), the one setter,
 * which logs "A -> B (reason)", emits an event for `dmvpnctl monitor` and
 * tells every listener (the route sink withdraws a dead peer's routes there).
 *
 * A peer also owns the MAC address the kernel learns for it on the TAP
 * (overlay/arp.h: peer_mac_from_index): a frame sent to that MAC goes to the
 * peer's NBMA address. Indexes are unique in the process and never reused
 * while the peer lives.
 *
 * Peers are reference counted. The table holds no reference of its own: a
 * peer lives while something (an NHRP cache entry, an NHS, an IKE SA, a
 * queued packet) holds one, and is freed, and removed from the table, by the
 * last peer_put(). This file knows nothing of sockets or timers.
 */
#ifndef DMVPN_OVERLAY_PEER_H
#define DMVPN_OVERLAY_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/addr.h"
#include "overlay/keepalive.h"

struct ovl_if;

enum peer_state {
	PEER_DOWN = 0,   /* nothing proves the peer reachable */
	PEER_CONNECTING, /* a registration/resolution (or IKE) is in progress */
	PEER_UP,         /* registered / resolved (and, when protected, IKE up) */
	PEER_STATE_MAX_
};

/* Why we talk to the peer; shown as "type" in `show dmvpn`. */
enum peer_type {
	PEER_T_NHS = 0,  /* a configured next-hop server (spoke side) */
	PEER_T_DYNAMIC,  /* registered with us (hub side) */
	PEER_T_SHORTCUT, /* learnt by resolution (spoke-to-spoke) */
	PEER_T_STATIC,   /* `ip nhrp map` */
	PEER_TYPE_MAX_
};

struct peer {
	struct ovl_if *oif;         /* interface it belongs to (opaque here) */
	uint32_t idx;               /* MAC index, >= 1, unique in the process */
	struct ipaddr nbma;         /* where packets go (post-NAT when behind NAT) */
	struct ipaddr nbma_claimed; /* NBMA the peer claims in NHRP, if different */
	enum peer_type type;
	enum peer_state state;
	double state_since; /* mono_now() of the last state change */
	double created;
	struct ipaddr tunnel4; /* overlay addresses bound to it (may be unset) */
	struct ipaddr tunnel6;
	int refcnt;
	/* data path statistics */
	uint64_t pkts_in, pkts_out, bytes_in, bytes_out;
	double last_rx, last_tx;
	/* GRE keepalive (overlay/keepalive.h): last round trip in ms, < 0 when
	 * unknown; the scheduler's state while the peer is probed (UP on an
	 * interface with `keepalive`) */
	double keepalive_rtt_ms;
	struct ka_entry ka;
	const char *ike_state; /* "none" | "connecting" | "established" */
	struct peer *next;     /* table chaining (by oif, nbma) */
	struct peer *next_idx; /* table chaining (by idx) */
};

const char *peer_state_name(enum peer_state s); /* "down", "connecting", "up" */
const char *peer_type_name(enum peer_type t);   /* "nhs", "dynamic", "shortcut", "static" */

/* Finds the peer with this NBMA on oif; no reference taken. */
struct peer *peer_find(const struct ovl_if *oif, const struct ipaddr *nbma);
/* Finds by MAC index (any interface); no reference taken. */
struct peer *peer_find_idx(uint32_t idx);
/* Finds or creates (state DOWN) and returns it with a reference held. A new
 * peer takes `type`; an existing one keeps its type unless the new one has
 * precedence (NHS > STATIC > DYNAMIC > SHORTCUT). */
struct peer *peer_get(struct ovl_if *oif, const struct ipaddr *nbma, enum peer_type type);
struct peer *peer_ref(struct peer *p);
/* Drops a reference; the last one moves the peer to DOWN ("released"), which
 * notifies the listeners, then frees it. */
void peer_put(struct peer *p);

/* The one state setter. No-op when the state is unchanged; otherwise logs
 * "peer NBMA: A -> B (reason)", emits a "peer" event, notifies listeners in
 * registration order. Returns the previous state. */
enum peer_state peer_set_state(struct peer *p, enum peer_state s, const char *reason);

typedef void (*peer_listener_fn)(struct peer *p, enum peer_state old, void *ctx);
/* Listeners are called after every state change (and on release). */
int peer_listener_add(peer_listener_fn fn, void *ctx);
void peer_listener_del(peer_listener_fn fn, void *ctx);

/* Iteration over one interface's peers (oif NULL: all). fn may drop
 * references (peers are collected first: this allocates). */
typedef void (*peer_walk_fn)(struct peer *p, void *ctx);
void peer_walk(const struct ovl_if *oif, peer_walk_fn fn, void *ctx);
/* The same for the per-packet path: allocates nothing, and fn must neither
 * add nor release peers. */
void peer_foreach(const struct ovl_if *oif, peer_walk_fn fn, void *ctx);
unsigned peer_count(const struct ovl_if *oif);

#endif
