/* Overlay interfaces: the userspace mGRE data plane of one configured
 * `interface` (doc/ARCHITECTURE.md).
 *
 * A struct ovl_if owns a TAP device (the interface the kernel routes
 * through), the raw IP sockets for protocol 47 bound to the tunnel source
 * (IPv4 and/or IPv6 NBMA), the GRE key, the overlay MTU, one NHRP engine per
 * overlay family, the kernel routes the engines install (overlay/route.c)
 * and the libev watchers that drive it all.
 *
 * Per-packet paths (overlay/fwd.c):
 *   TAP -> Ethernet -> ARP/NS answered from the peer table and the NHRP
 *   engine, or the destination MAC names a peer -> GRE -> raw socket;
 *   multicast/broadcast replicated per `ip nhrp map multicast`.
 *   raw socket -> GRE (key checked) -> NHRP to nhrp_input(), keepalive
 *   reflected, IPv4/IPv6 framed and written to the TAP.
 * Nothing is allocated per packet; every drop is counted with its reason in
 * the "overlay.<ifname>" counter group.
 */
#ifndef DMVPN_OVERLAY_IFACE_H
#define DMVPN_OVERLAY_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "lib/addr.h"
#include "overlay/tap.h"

struct cfg_iface;
struct netlink;
struct nhrp_if;
struct peer;
struct netlink_route;
struct ovl_if;
struct ka_sched;
struct gre_hdr;

/* Counters of one interface ("overlay.<ifname>.<name>"). */
#define OVL_COUNTERS(X)                                                                        \
	X(tap_rx) X(tap_tx) X(gre_rx) X(gre_tx) X(nhrp_rx) X(nhrp_tx) X(relayed) X(mcast_tx)   \
	X(arp_rx) X(arp_answered) X(arp_pending) X(arp_late_answered) X(ka_reflected)          \
	X(ka_reply_rx) X(icmp_too_big) X(drop_tap_invalid) X(drop_tap_other)                   \
	X(drop_nd_local) X(drop_arp_parse) X(drop_arp_pending_full)        \
	X(drop_no_peer) X(drop_peer_other_if) X(drop_no_nbma) X(drop_ip_parse) X(drop_too_big)  \
	X(drop_mcast_no_target) X(drop_send_error) X(drop_tap_write) X(drop_outer_parse)        \
	X(drop_gre_parse) X(drop_key_mismatch) X(drop_gre_proto) X(drop_no_engine)             \
	X(drop_ka_malformed) X(drop_inner_parse) X(rx_unknown_peer) X(drop_loop)               \
	X(drop_tap_read_error) X(route_add) X(route_del) X(route_errors) X(drop_cleartext_gre)  \
	X(drop_protect) X(ka_tx) X(ka_dead) X(ka_reply_stale) X(ka_not_reflected)              \
	X(nhs_fallback)

#define OVL_CTR_ENUM(n) OVL_CTR_##n,
enum ovl_ctr { OVL_COUNTERS(OVL_CTR_ENUM) OVL_CTR_MAX };
extern const char *const ovl_ctr_names[OVL_CTR_MAX];

/* ---- relay hash (overlay/relay.c): hub-side spoke-to-spoke detection ---- */
#define OVL_RELAY_SLOTS 1024
struct ovl_relay_slot {
	uint32_t hash;     /* 0: empty */
	uint32_t peer_idx; /* ingress peer */
	double when;
};
struct ovl_relay {
	struct ovl_relay_slot slot[OVL_RELAY_SLOTS];
};
/* A key for an IP packet: (src, dst, protocol, id); 0 when it cannot be
 * hashed (not IP). Never 0 otherwise. */
uint32_t ovl_relay_key(const uint8_t *ip, size_t len);
/* Remembers that the packet with key came in from peer idx. */
void ovl_relay_note(struct ovl_relay *r, uint32_t key, uint32_t peer_idx, double now);
/* Ingress peer index of the packet with key if seen within max_age seconds
 * (and forgets it), else 0. */
uint32_t ovl_relay_take(struct ovl_relay *r, uint32_t key, double now, double max_age);

/* ---- route sink (overlay/route.c) ---- */
struct ovl_route {
	struct prefix dst;
	struct ipaddr via;
	bool installed;
};
/* apply(ctx, add, r): installs (replace) or deletes one route; 0 or -errno.
 * The daemon uses netlink; unit tests a mock. */
typedef int (*ovl_route_apply_fn)(void *ctx, bool add, const struct netlink_route *r);
struct ovl_routes {
	int ifindex;
	ovl_route_apply_fn apply;
	void *ctx;
	struct ovl_route *v;
	size_t n, cap;
	uint64_t *ctr; /* the interface's counters (may be NULL) */
};
void ovl_routes_init(struct ovl_routes *rs, int ifindex, ovl_route_apply_fn apply, void *ctx);
int ovl_routes_add(struct ovl_routes *rs, const struct prefix *dst, const struct ipaddr *via);
int ovl_routes_del(struct ovl_routes *rs, const struct prefix *dst, const struct ipaddr *via);
/* Withdraws every route through via (a peer going down); returns how many. */
unsigned ovl_routes_del_via(struct ovl_routes *rs, const struct ipaddr *via);
/* Re-installs every tracked route (after the link came back up). */
void ovl_routes_reapply(struct ovl_routes *rs);
/* Withdraws everything and frees the table. */
void ovl_routes_flush(struct ovl_routes *rs);
/* The netlink apply function (ctx: struct netlink *). */
int ovl_routes_netlink_apply(void *ctx, bool add, const struct netlink_route *r);
/* The route sink of new interfaces: when ovl_route_sink_apply is set (the
 * daemon with `frr zapi`: the zebra client), routes go there, else into the
 * kernel through nl. Set before interfaces are created; cleared after they
 * are gone. */
extern ovl_route_apply_fn ovl_route_sink_apply;
extern void *ovl_route_sink_ctx;
void ovl_routes_init_sink(struct ovl_routes *rs, int ifindex, struct netlink *nl);

/* ---- multicast replication (overlay/fwd.c) ---- */
#define OVL_MCAST_MAX_STATIC 16
struct ovl_mcast {
	bool dynamic, nhs;
	struct ipaddr nbma[OVL_MCAST_MAX_STATIC];
	size_t n_nbma;
};
/* Does a multicast frame go to peer p under m? (static NBMAs are handled
 * separately: they are sent to whether or not a peer exists). */
bool ovl_mcast_wants_peer(const struct ovl_mcast *m, const struct peer *p);

/* ---- ARP/NS waiting for NHRP ---- */
#define OVL_PENDING_MAX 64
struct ovl_pending {
	bool used;
	double when;
	uint8_t family;
	struct ipaddr target;
	uint8_t query[96]; /* struct arp_query, opaque here */
};

/* ---- tunnel protection (overlay/ipsec.h sets it; NULL: cleartext GRE) ---- */
struct ovl_protect {
	/* Protects the GRE packet gre[len] and sends it to nbma (or queues it
	 * while IKE comes up). inplace: ESP_HEADROOM bytes before gre and
	 * ESP_TAILROOM after it are ours to write; otherwise it is copied.
	 * 0 sent or queued, < 0 dropped (counted by the protection module). */
	int (*send)(void *ctx, struct ovl_if *oif, const struct ipaddr *nbma, uint8_t *gre,
	            size_t len, bool inplace);
	/* Hub: may the IKE identity of the SA the packet being handled came
	 * in on register proto (a host prefix) from nbma? */
	bool (*reg_allowed)(void *ctx, struct ovl_if *oif, const struct ipaddr *nbma,
	                    const struct prefix *proto);
	/* The interface is going away (after its NHRP shutdown). */
	void (*detach)(void *ctx, struct ovl_if *oif);
};

#define OVL_BATCH    32
#define OVL_BUF_SIZE (65536 + 64)

struct ovl_if {
	struct ovl_if *next;
	char name[TAP_NAMSIZ];
	struct ev_loop *loop;
	struct tap tap;
	struct netlink *nl;
	int sock4, sock6;         /* raw IPPROTO_GRE sockets, -1 when unused */
	struct ipaddr nbma4, nbma6; /* our underlay addresses (bound) */
	bool has_key;
	uint32_t key;
	unsigned mtu;               /* overlay MTU (TAP MTU) */
	uint8_t mac[6];             /* the TAP's MAC */
	struct prefix addr4, addr6; /* overlay addresses */
	bool has_addr4, has_addr6;
	bool hub;
	struct ovl_mcast mcast4, mcast6;
	struct nhrp_if *nhrp4, *nhrp6;
	struct ovl_relay *relay;
	struct ovl_routes routes;
	struct ovl_pending pending[OVL_PENDING_MAX];
	struct ka_sched *ka;               /* `keepalive` (overlay/keepalive_if.c), else NULL */
	const struct ovl_protect *protect; /* `tunnel protection`, else NULL */
	bool protect_required;             /* configured: nothing leaves without it */
	void *protect_ctx;
	uint64_t ctr[OVL_CTR_MAX];
	char ctr_module[8 + TAP_NAMSIZ];
	bool ctr_registered;
	ev_io w_tap, w_s4, w_s6;
	ev_timer w_timer;
	bool shutting_down;
	bool link_up;        /* as last seen (routes re-added on down -> up) */
	double link_checked; /* mono time of the last look */
	/* buffers, allocated once */
	uint8_t *rxbuf;  /* OVL_BATCH * OVL_BUF_SIZE */
	uint8_t *txbuf;  /* NHRP/keepalive/ICMP scratch, OVL_BUF_SIZE */
};

/* Creates the interface of cfg (TAP, MAC, MTU, addresses, up; sockets;
 * engines) and starts its watchers on loop. NULL on failure (logged). */
struct ovl_if *ovl_if_new(struct ev_loop *loop, const struct cfg_iface *cfg);
/* Clean shutdown: engines deregister/purge, routes withdrawn, TAP removed,
 * freed. */
void ovl_if_shutdown(struct ovl_if *oif);

/* Re-arms the timer on the engines' next deadline. */
void ovl_if_timer_update(struct ovl_if *oif);

/* fwd.c: the watchers' work. */
void ovl_fwd_tap_rx(struct ovl_if *oif, double now);
void ovl_fwd_sock_rx(struct ovl_if *oif, int family, double now);
/* Frames one packet from the underlay (GRE packet g[len] from src) as the
 * raw-socket path does; exposed for tests. */
void ovl_fwd_gre_input(struct ovl_if *oif, const struct ipaddr *src, uint8_t *gre, size_t len,
                       double now);
/* Sends a GRE payload of protocol proto to nbma (builds the header in the
 * headroom before payload: at least GRE_HDR_MAX bytes must precede it). */
int ovl_fwd_send(struct ovl_if *oif, const struct ipaddr *nbma, uint16_t proto, uint8_t *payload,
                 size_t len);
/* The kernel asked about target and we had no answer: remember the query
 * (q is a struct arp_query). */
void ovl_fwd_neigh_update(struct ovl_if *oif, const struct ipaddr *proto, struct peer *p);

/* ---- GRE keepalives (overlay/keepalive_if.c) ----
 * With `keepalive INTERVAL MISSES`, every peer of the interface that is UP
 * and of type nhs, dynamic or shortcut gets a Cisco keepalive request every
 * INTERVAL through ovl_fwd_send() (so tunnel protection applies); the
 * scheduler (overlay/keepalive.h) is a heap driven by the interface's one
 * timer (ovl_if_timer_update). MISSES unanswered requests: the peer is dead
 * (nhrp_peer_dead on each engine: routes withdrawn, an NHS goes down and
 * registers again), peer_set_state(DOWN, "keepalive: N missed"), counter
 * ka_dead and the hook below. */
int ovl_ka_init(struct ovl_if *oif, const struct cfg_iface *cfg);
void ovl_ka_free(struct ovl_if *oif);
/* Sends what is due and declares the dead; from the interface timer. */
void ovl_ka_run(struct ovl_if *oif, double now);
/* Absolute time of the next keepalive work, 0 when none. */
double ovl_ka_next(const struct ovl_if *oif);
/* A keepalive reply (GRE protocol 0, parsed as g) came from src. */
void ovl_ka_reply_input(struct ovl_if *oif, const struct ipaddr *src, const struct gre_hdr *g,
                        double now);
/* May a keepalive request from src be reflected? Without `keepalive`:
 * always (Cisco behaviour). With it: only for a peer we do not hold down,
 * so a peer that we declared dead (or never knew) sees its own keepalives
 * fail and registers again instead of believing us. */
bool ovl_ka_reflect_ok(const struct ovl_if *oif, const struct ipaddr *src);
/* Set by the daemon: called when a peer is declared dead by keepalives
 * (emits the "keepalive" event). */
/* A peer declared dead (keepalives, IKE DPD): both NHRP engines withdraw
 * what goes through it (entries, routes, purges; its NHS re-registers),
 * then the peer goes DOWN with reason why. The one place for it. */
void ovl_peer_dead(struct ovl_if *oif, struct peer *p, const char *why, double now);
extern void (*ovl_ka_dead_hook)(struct ovl_if *oif, struct peer *p, unsigned misses,
                                const char *reason);

/* MTU decision: does an IP packet of len bytes fit the overlay MTU? */
static inline bool ovl_fits_mtu(const struct ovl_if *oif, size_t iplen)
{
	return iplen <= oif->mtu;
}

#endif
