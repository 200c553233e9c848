/* NHRP protocol engine: one instance per overlay interface.
 *
 * The engine holds the NHRP cache, the NHS client (spoke registration), the
 * NHS server (hub: registrations, resolution forwarding, redirects), the
 * resolution/shortcut logic and purges. It is driven from outside:
 *   - nhrp_input() for every NHRP packet received (GRE protocol 0x2001),
 *   - nhrp_neigh_lookup() when the kernel asks who has an overlay address,
 *   - nhrp_relay_seen() when the hub's data path relays spoke-to-spoke,
 *   - nhrp_if_run() when its deadline (returned by every entry point
 *     through nhrp_if_next_deadline) passes.
 * Time is always passed in (`now`, monotonic seconds), so two engines (hub
 * and spoke) can run in one unit-test process with a mock clock and mock
 * ops that hand packets from one to the other.
 *
 * Everything the engine does to the outside world goes through
 * struct nhrp_ops: sending packets, installing and withdrawing routes,
 * looking up the kernel's routing table, telling the data path that an
 * overlay address now maps to a peer. Peers (overlay/peer.h) are reference
 * counted: a cache entry holds a reference on its peer and reports state
 * with peer_set_state().
 */
#ifndef DMVPN_NHRP_H
#define DMVPN_NHRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

struct ovl_if;
struct peer;
struct cfg_iface;
struct nhrp_if;

/* Answer of a FIB lookup (kernel `ip route get fibmatch`). */
struct nhrp_route_info {
	bool found;
	bool via_overlay;      /* the route leaves through this overlay interface */
	struct ipaddr gateway; /* next hop (unset for a connected route) */
	struct prefix match;   /* the matching route's prefix, e.g. 10.1.2.0/24 */
};

struct nhrp_ops {
	void *ctx;
	/* Sends one NHRP packet (GRE protocol 0x2001, the interface's key) to
	 * an NBMA address. Returns 0 or -errno. Must not call nhrp_input() on
	 * the same engine synchronously (queue instead): such input is dropped
	 * and counted as rx_reentrant. */
	int (*send)(void *ctx, const struct ipaddr *nbma, const uint8_t *pkt, size_t len);
	/* Route sink (doc/ARCHITECTURE.md seam 2): `dst` through the overlay
	 * interface with next hop `via` (a peer's overlay address, onlink). */
	int (*route_add)(void *ctx, const struct prefix *dst, const struct ipaddr *via);
	int (*route_del)(void *ctx, const struct prefix *dst, const struct ipaddr *via);
	/* Where does this host route dst? 0 with *out filled, or -errno. */
	int (*route_lookup)(void *ctx, const struct ipaddr *dst, struct nhrp_route_info *out);
	/* proto now maps to peer p (answer a pending ARP/NS, release queued
	 * packets), or to nothing (p == NULL: forget the neighbour). */
	void (*neigh_update)(void *ctx, const struct ipaddr *proto, struct peer *p);
	/* Optional (tunnel protection, hub): may the registration of proto (a
	 * host prefix) now being handled, from src_nbma, be accepted? false
	 * refuses it with CIE code 4 (administratively prohibited). */
	bool (*reg_allowed)(void *ctx, const struct ipaddr *src_nbma, const struct prefix *proto);
};

/* Counters of one engine, registered with lib/counters by nhrp_if_new*() as
 * module "nhrp.IFNAME" ("nhrp6.IFNAME" for the IPv6 overlay), so they show
 * as "nhrp.dmvpn0.rx_packets"; unregistered by nhrp_if_free(). Every drop
 * has its own counter. */
#define NHRP_COUNTERS(X)                                                                       \
	X(rx_packets) X(tx_packets) X(rx_malformed) X(rx_auth_fail) X(rx_bad_network)          \
	X(rx_unexpected) X(reg_req_tx) X(reg_req_rx) X(reg_reply_tx) X(reg_reply_rx)            \
	X(reg_refused) X(res_req_tx) X(res_req_rx) X(res_req_fwd) X(res_reply_tx)               \
	X(res_reply_rx) X(traffic_ind_tx) X(traffic_ind_rx) X(traffic_ind_ratelimited)         \
	X(purge_req_tx) X(purge_req_rx) X(purge_reply_tx) X(purge_reply_rx) X(error_ind_tx)      \
	X(error_ind_rx) X(hop_count_exceeded) X(shortcut_installed) X(shortcut_expired)        \
	X(host_route_installed) X(cache_full) X(rx_unknown_ext) X(rx_loop) X(rx_no_route)       \
	X(rx_reentrant) X(rx_wrong_af) X(rx_not_for_us) X(reg_timeout) X(reg_nak_rx)           \
	X(res_timeout)                                                                          \
	X(res_nak_rx) X(res_nak_tx) X(tx_errors) X(error_ind_ratelimited) X(cache_expired)     \
	X(routes_purged) X(reg_refused_identity) X(peer_dead) X(purge_retransmit)              \
	X(purge_giveup)
#define NHRP_COUNTER_FIELD(n) uint64_t n;
struct nhrp_counters {
	NHRP_COUNTERS(NHRP_COUNTER_FIELD)
};

/* nhrp_if_new() is the IPv4 overlay engine (cfg->nhrp4, protocol 0x0800);
 * nhrp_if_new_af() takes the overlay family, AF_INET or AF_INET6 (cfg->nhrp6,
 * protocol 0x86DD); create one per family that has a network-id. The NBMA
 * family follows cfg->tunnel_source (else the first NHS, else IPv4). The
 * engine copies what it needs from cfg (it may be freed afterwards).
 * Returns NULL when the family has no overlay address or on ENOMEM. */
struct nhrp_if *nhrp_if_new(struct ovl_if *oif, const struct cfg_iface *cfg,
			    const struct nhrp_ops *ops, double now);
struct nhrp_if *nhrp_if_new_af(struct ovl_if *oif, const struct cfg_iface *cfg, int family,
			       const struct nhrp_ops *ops, double now);
/* Our NBMA address when cfg->tunnel_source names an interface (or it changes). */
void nhrp_if_set_nbma(struct nhrp_if *nif, const struct ipaddr *nbma, double now);
/* The NBMA address of the i-th configured NHS (order of cfg nhs[]) once the
 * daemon has resolved its `nbma FQDN`; registration starts at once. */
void nhrp_if_nhs_set_nbma(struct nhrp_if *nif, unsigned i, const struct ipaddr *nbma, double now);
/* Clean shutdown: deregistration (holdtime 0) to every NHS, Purge Requests
 * to whoever holds our mappings, routes withdrawn. Then free. */
void nhrp_if_shutdown(struct nhrp_if *nif, double now);
void nhrp_if_free(struct nhrp_if *nif);
const struct nhrp_counters *nhrp_if_counters(const struct nhrp_if *nif);

void nhrp_input(struct nhrp_if *nif, const struct ipaddr *src_nbma, const uint8_t *pkt,
		size_t len, double now);
/* Runs what is due at `now` (retransmissions, re-registration at
 * holdtime/3, expiry, rate-limit windows). */
void nhrp_if_run(struct nhrp_if *nif, double now);
/* Absolute time of the next thing to do; 0 when nothing is scheduled. */
double nhrp_if_next_deadline(const struct nhrp_if *nif);

/* The kernel asks (ARP/NS) who has addr on the overlay. Returns the peer
 * (no reference) to answer with, or NULL: unknown for now, and a
 * resolution has been started where that makes sense; ops->neigh_update
 * reports the answer later. */
struct peer *nhrp_neigh_lookup(struct nhrp_if *nif, const struct ipaddr *addr, double now);

/* Shortcut refresh: a shortcut whose peer's pkts_out (overlay/peer.h,
 * kept by the data path) grew since the last check is resolved again at
 * 2/3 of its holding time; an idle one expires at the end of it. */

/* Hub: the IP packet ip[len] came in from peer `in` and is going out to
 * peer `out` (both on this interface). With `ip nhrp redirect`, sends a
 * Traffic Indication to `in`, rate-limited per (source, destination). */
void nhrp_relay_seen(struct nhrp_if *nif, struct peer *in, struct peer *out, const uint8_t *ip,
		     size_t len, double now);

/* The peer was declared dead (IKE DPD, retransmission give-up): its
 * dynamic and shortcut entries go (routes withdrawn, resolvers purged), an
 * NHS on it is down and registers again soon, and the peer goes DOWN.
 * Returns how many cache entries were removed. p may be freed on return. */
unsigned nhrp_peer_dead(struct nhrp_if *nif, struct peer *p, const char *reason, double now);

/* The peer of the preferred NHS that is up (lowest priority value), or NULL
 * (no reference taken). */
struct peer *nhrp_nhs_preferred_peer(const struct nhrp_if *nif);

/* Our post-NAT NBMA address as the NHS reported it (Cisco NAT extension), or
 * NULL when none differs from our own. */
const struct ipaddr *nhrp_if_nat_nbma(const struct nhrp_if *nif);

/* `clear nhrp cache`: flush dynamic and shortcut entries (NHS and static
 * mappings stay); tunnels rebuild on demand. */
void nhrp_cache_clear(struct nhrp_if *nif, double now);

/* Views for `show`: plain structs filled for each entry. */
struct nhrp_cache_view {
	struct prefix proto;
	struct ipaddr nbma;
	const char *type;  /* "local" "static" "nhs" "dynamic" "cached" "incomplete" "negative" */
	double expires_s;  /* seconds left, < 0 when it does not expire */
	unsigned flags;    /* NHRP_VIEW_F_* */
	struct peer *peer; /* may be NULL */
};
#define NHRP_VIEW_F_UNIQUE 0x01
#define NHRP_VIEW_F_USED   0x02
#define NHRP_VIEW_F_NAT    0x04
#define NHRP_VIEW_F_ROUTE  0x08 /* a route through it is installed */
struct nhrp_nhs_view {
	struct ipaddr proto; /* unset when learnt dynamically and not yet known */
	struct ipaddr nbma;
	unsigned priority;
	const char *state;   /* "up" "down" "probing" */
	double last_reg_s;   /* seconds since the last successful registration, < 0 never */
	double rtt_ms;       /* last registration round trip, < 0 unknown */
};
struct nhrp_shortcut_view {
	struct prefix prefix;
	struct ipaddr via;   /* peer overlay address */
	struct ipaddr nbma;
	double expires_s;
	uint64_t use_count;
};
typedef void (*nhrp_cache_walk_fn)(const struct nhrp_cache_view *v, void *ctx);
typedef void (*nhrp_nhs_walk_fn)(const struct nhrp_nhs_view *v, void *ctx);
typedef void (*nhrp_shortcut_walk_fn)(const struct nhrp_shortcut_view *v, void *ctx);
void nhrp_cache_walk(const struct nhrp_if *nif, double now, nhrp_cache_walk_fn fn, void *ctx);
void nhrp_nhs_walk(const struct nhrp_if *nif, double now, nhrp_nhs_walk_fn fn, void *ctx);
void nhrp_shortcut_walk(const struct nhrp_if *nif, double now, nhrp_shortcut_walk_fn fn,
			void *ctx);

#endif
